"""REST API of complaints: list and read in the user's scope, register, and
one action per handling step; every rule is in ``services``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.core.api import PageNumberPagination
from kefu.core.serializers import unit_for

from . import services
from .serializers import (
    CallbackSerializer,
    ComplaintCreateSerializer,
    ComplaintSerializer,
    DecideSerializer,
    JudgeSerializer,
    ProposeSerializer,
    ResultSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Invalid input: messages per field."),
    403: OpenApiResponse(description="The user's role may not do this."),
    404: OpenApiResponse(description="No such complaint in the user's scope."),
}


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ComplaintSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return (
            services.visible_complaints(self.request.user)
            .select_related("unit", "responsible_department")
            .prefetch_related("plans__department")
        )

    def _step(self, request, serializer_class, call, target=None):
        complaint = self.get_object()
        serializer = serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        call(target or complaint, user=request.user, **serializer.validated_data)
        complaint.refresh_from_db()
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(
        request=ComplaintCreateSerializer, responses={201: ComplaintSerializer, **ERRORS}
    )
    def create(self, request):
        serializer = ComplaintCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit = unit_for(request.user, data)
        complaint = services.register(user=request.user, unit=unit, **data)
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JudgeSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def judge(self, request, pk=None):
        return self._step(request, JudgeSerializer, services.judge)

    @extend_schema(request=ProposeSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._step(request, ProposeSerializer, services.propose_plan)

    @extend_schema(request=DecideSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"plans/(?P<plan_id>\d+)/decide")
    def decide(self, request, pk=None, plan_id=None):
        plan = get_object_or_404(self.get_object().plans, pk=plan_id)
        return self._step(request, DecideSerializer, services.decide_plan, target=plan)

    @extend_schema(request=ResultSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        return self._step(request, ResultSerializer, services.record_result)

    @extend_schema(request=CallbackSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        return self._step(request, CallbackSerializer, services.record_callback)
