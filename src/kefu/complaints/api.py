"""REST API of complaints: list, register, read, take the page's actions,
decide resolution plans."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from kefu.complaints import actions, services
from kefu.complaints.models import Complaint, ComplaintCategory, ResolutionPlan
from kefu.complaints.serializers import (
    ComplaintCategorySerializer,
    ComplaintDecisionSerializer,
    ComplaintDetailSerializer,
    ComplaintRegisterSerializer,
    ComplaintSerializer,
)
from kefu.core import scoping
from kefu.core.api import PageNumberPagination
from kefu.core.serializers import FormDataField
from kefu.customers.services import visible_customers
from kefu.workorders.services import visible_orders

ERRORS = {
    400: OpenApiResponse(description="Invalid input: messages per field."),
    403: OpenApiResponse(description="The user's role may not do this."),
    404: OpenApiResponse(description="No such complaint in the user's scope."),
}
TAGS = ["complaints"]


def _form_errors(form):
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


@extend_schema_view(
    list=extend_schema(summary="Complaints", tags=TAGS),
    retrieve=extend_schema(
        summary="A complaint with its plans, compensation and corrective actions",
        tags=TAGS,
        responses=ComplaintDetailSerializer,
    ),
    create=extend_schema(
        summary="Register a complaint (客户投诉登记表)",
        tags=TAGS,
        request=ComplaintRegisterSerializer,
        responses={201: ComplaintDetailSerializer, **ERRORS},
    ),
)
class ComplaintViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Complaint.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = ComplaintSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        user = self.request.user
        if not (user.is_center_staff or user.is_handler):
            return Complaint.objects.none()
        return (
            services.visible_complaints(user)
            .select_related("responsible_department", "work_order")
            .prefetch_related("sla_clocks")
        )

    def _detail(self, complaint, status_code=status.HTTP_200_OK):
        complaint = self.get_queryset().get(pk=complaint.pk)
        return Response(ComplaintDetailSerializer(complaint).data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = ComplaintRegisterSerializer(data=request.data)
        user = request.user
        serializer.fields["customer"].queryset = visible_customers(user)
        serializer.fields["against_department"].queryset = scoping.visible_departments(user)
        serializer.fields["work_order"].queryset = visible_orders(user)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v is not None}
        complaint = services.register(user=user, **data)
        return self._detail(complaint, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take an action on the complaint (judge, propose a plan, report the result, ...)",
        description="Codes: justified, unjustified, plan, manager_approve, compensation, "
        "result, inform, callback, root_cause, add_action. The body holds the action's "
        'fields, e.g. `{"explanation": "..."}` for unjustified.',
        tags=TAGS,
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request=OpenApiTypes.OBJECT,
        responses={200: ComplaintDetailSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<code>[-\w]+)",
        url_name="act",
        filter_backends=[],
        pagination_class=None,
    )
    def act(self, request, pk=None, code=None):
        complaint = self.get_object()
        step = actions.BY_CODE.get(code)
        if step is None:
            return Response({"detail": _("No such action.")}, status=status.HTTP_404_NOT_FOUND)
        if not step.offered(complaint, request.user):
            raise PermissionDenied(_("This action is not available to you now."))
        form = actions.make_form(
            step, request.user, FormDataField().to_internal_value(request.data), prefix=False
        )
        if not form.is_valid():
            return Response(_form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        step.run(complaint, request.user, form.cleaned_data)
        return self._detail(complaint)

    @extend_schema(
        summary="Approve (主管批示) or reject a resolution plan",
        tags=TAGS,
        parameters=[
            OpenApiParameter("plan_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "decision", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["approve", "reject"]
            ),
        ],
        request=ComplaintDecisionSerializer,
        responses={200: ComplaintDetailSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"plans/(?P<plan_id>[0-9]+)/(?P<decision>approve|reject)",
        url_name="decide-plan",
        filter_backends=[],
        pagination_class=None,
    )
    def decide_plan(self, request, pk=None, plan_id=None, decision=None):
        complaint = self.get_object()
        plan = get_object_or_404(ResolutionPlan, complaint=complaint, pk=plan_id)
        serializer = ComplaintDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.approve_plan if decision == "approve" else services.reject_plan
        run(plan, user=request.user, comment=serializer.validated_data["comment"])
        return self._detail(complaint)


@extend_schema_view(list=extend_schema(summary="Complaint categories", tags=TAGS))
class ComplaintCategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ComplaintCategory.objects.filter(is_active=True)
    serializer_class = ComplaintCategorySerializer
    pagination_class = None
