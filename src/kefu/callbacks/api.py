"""REST API of callbacks: the tasks in scope (the caller's own list with
``?mine=1``) and recording a result."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kefu.callbacks import services
from kefu.callbacks.models import CallbackTask, Method
from kefu.callbacks.serializers import CallbackTaskSerializer, ResultSerializer
from kefu.core.api import NewestFirstCursorPagination


class CallbackFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CallbackTask.Status.choices)
    method = django_filters.ChoiceFilter(choices=Method.choices)
    mine = django_filters.BooleanFilter(method="only_mine", label="Only the caller's list")

    class Meta:
        model = CallbackTask
        fields = []

    def only_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset


class CallbackPagination(NewestFirstCursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Callback tasks in scope, newest first", tags=["callbacks"]),
    retrieve=extend_schema(summary="A callback task", tags=["callbacks"]),
)
class CallbackTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = CallbackTask.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = CallbackTaskSerializer
    pagination_class = CallbackPagination
    filterset_class = CallbackFilter

    def get_queryset(self):
        return services.visible_tasks(self.request.user).select_related("work_order")

    @extend_schema(
        summary="Record the result of a callback",
        tags=["callbacks"],
        request=ResultSerializer,
        responses={200: CallbackTaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        task = self.get_object()
        serializer = ResultSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.record_result(task, user=request.user, **serializer.validated_data)
        return Response(CallbackTaskSerializer(task).data)
