"""REST API of work orders: list, register (alone or with its contact),
read, edit, take process actions, timeline, notes, charges, attachments; and
the reference data they use (types, categories, process definitions)."""

import django_filters
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kefu.core.api import FlagFilter, IdFilter, NewestFirstCursorPagination, PageNumberPagination
from kefu.core.serializers import FormDataField, TimelineEventSerializer, describe_form, unit_for
from kefu.core.timeline import events_for
from kefu.processes import engine
from kefu.processes.models import ProcessDefinition
from kefu.processes.presets import export_definition
from kefu.workorders import process_templates, services
from kefu.workorders.filters import WorkOrderFilter
from kefu.workorders.models import Category, Charge, WorkOrder, WorkOrderType
from kefu.workorders.permissions import can_see
from kefu.workorders.serializers import (
    ORDER_RELATED,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CategorySerializer,
    ChargeSerializer,
    ChargeToBillSerializer,
    NoteSerializer,
    OrderTypeSerializer,
    ProcessDefinitionSerializer,
    TransitionDescriptionSerializer,
    WorkOrderCreateSerializer,
    WorkOrderDetailSerializer,
    WorkOrderListSerializer,
    WorkOrderUpdateSerializer,
)

ERRORS = {
    400: OpenApiResponse(description="Invalid input: messages per field."),
    403: OpenApiResponse(description="The user's role may not do this."),
    404: OpenApiResponse(description="No such order in the user's scope."),
}


class BinaryRenderer(renderers.BaseRenderer):
    """Lets clients ask for a file download with ``Accept: application/octet-stream``."""

    media_type = "application/octet-stream"
    format = "bin"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _path_id(name):
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="Work orders, newest first",
        description="Cursor-paged (follow `next`/`previous`): pages stay fast on millions of "
        "orders, where page numbers would count and skip every earlier row.",
        tags=["work orders"],
    ),
    retrieve=extend_schema(summary="A work order", tags=["work orders"]),
    create=extend_schema(
        summary="Register a work order (optionally with its contact)",
        tags=["work orders"],
        request=WorkOrderCreateSerializer,
        responses={201: WorkOrderDetailSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a work order's details",
        tags=["work orders"],
        request=WorkOrderUpdateSerializer,
        responses={200: WorkOrderDetailSerializer, **ERRORS},
    ),
)
class WorkOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = WorkOrder.objects.none()  # the model, for the schema; get_queryset scopes
    pagination_class = NewestFirstCursorPagination
    filterset_class = WorkOrderFilter

    def get_queryset(self):
        queryset = services.visible_orders(self.request.user).select_related(*ORDER_RELATED)
        if self.action != "list":
            queryset = queryset.select_related("process", "callback_by")
        return queryset

    def get_serializer_class(self):
        return {
            "list": WorkOrderListSerializer,
            "create": WorkOrderCreateSerializer,
            "partial_update": WorkOrderUpdateSerializer,
        }.get(self.action, WorkOrderDetailSerializer)

    def _detail(self, order, status_code=status.HTTP_200_OK):
        # Read back without the scope filter: an action may take the order out
        # of the user's scope (a handler sending it back), yet the user may see
        # the result of what they just did.
        order = WorkOrder.objects.select_related(*ORDER_RELATED, "process", "callback_by").get(
            pk=order.pk
        )
        context = self.get_serializer_context()
        return Response(WorkOrderDetailSerializer(order, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        contact = fields.pop("contact", None)
        customer = fields.pop("customer", None)
        unit = unit_for(request.user, fields, default=services.default_unit(request.user, customer))
        if contact is None:
            order = services.register_order(
                user=request.user, unit=unit, customer=customer, **fields
            )
        else:
            contact = dict(contact)
            _, order = services.intake(
                user=request.user,
                unit=unit,
                channel=fields.pop("channel", "phone"),
                content=contact.pop("content"),
                customer=customer,
                order=fields,
                contact_fields=contact,
            )
        context = self.get_serializer_context()
        return Response(
            WorkOrderDetailSerializer(order, context=context).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        order = self.get_object()
        serializer = self.get_serializer(order, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        order = services.update_order(order, user=request.user, **serializer.validated_data)
        return self._detail(order)

    @extend_schema(
        summary="Find a work order by its number",
        tags=["work orders"],
        parameters=[
            OpenApiParameter(
                "number",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The work-order number, e.g. GD20261123-0001.",
            )
        ],
        responses={200: WorkOrderDetailSerializer, 404: ERRORS[404]},
    )
    @action(
        detail=False,
        url_path=r"by-number/(?P<number>[-\w]+)",
        filter_backends=[],
        pagination_class=None,
    )
    def by_number(self, request, number=None):
        order = get_object_or_404(self.get_queryset(), number=number)
        return Response(
            WorkOrderDetailSerializer(order, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="The actions the user may take now, with the fields each asks for",
        tags=["work orders"],
        responses=TransitionDescriptionSerializer(many=True),
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def transitions(self, request, pk=None):
        order = self.get_object()
        described = [
            {
                "code": transition.code,
                "name": transition.label,
                "style": transition.style,
                "target": transition.target,
                "fields": describe_form(engine.transition_form(order, transition, request.user)),
            }
            for transition in engine.available_transitions(order, request.user)
        ]
        return Response(TransitionDescriptionSerializer(described, many=True).data)

    @extend_schema(
        summary="Take an action (dispatch, return the result, call back, ...)",
        description='The body holds the action\'s fields, e.g. `{"department": 3}`. '
        "400: invalid fields; 403: not allowed for the user; 404: no such action; "
        "409: not possible in the order's current state.",
        tags=["work orders"],
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="An action code from the transitions list (dispatch, accept, ...).",
            )
        ],
        request=OpenApiTypes.OBJECT,
        responses={
            200: WorkOrderDetailSerializer,
            **ERRORS,
            409: OpenApiResponse(description="Not possible in the order's current state."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<code>[-\w]+)",
        url_name="take-transition",
        filter_backends=[],
        pagination_class=None,
    )
    def take_transition(self, request, pk=None, code=None):
        order = self.get_object()
        values = FormDataField().to_internal_value(request.data)
        order = engine.take_transition(order, code, request.user, values)
        return self._detail(order)

    @extend_schema(
        summary="The order's timeline",
        tags=["work orders"],
        responses=TimelineEventSerializer(many=True),
    )
    @action(detail=True, filter_backends=[], pagination_class=PageNumberPagination)
    def timeline(self, request, pk=None):
        order = self.get_object()
        page = self.paginate_queryset(events_for(order))
        return self.get_paginated_response(TimelineEventSerializer(page, many=True).data)

    @extend_schema(
        summary="Internal notes", tags=["work orders"], responses=NoteSerializer(many=True)
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def notes(self, request, pk=None):
        order = self.get_object()
        notes = order.notes.select_related("author")
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(
        summary="Add an internal note",
        tags=["work orders"],
        request=NoteSerializer,
        responses={201: NoteSerializer, **ERRORS},
    )
    @notes.mapping.post
    def add_note(self, request, pk=None):
        order = self.get_object()
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.add_note(order, user=request.user, body=serializer.validated_data["body"])
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Charges", tags=["work orders"], responses=ChargeSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def charges(self, request, pk=None):
        order = self.get_object()
        charges = order.charges.select_related("created_by", "billed_by")
        return Response(ChargeSerializer(charges, many=True).data)

    @extend_schema(
        summary="Record a charge (repair fee, paid service)",
        tags=["work orders"],
        request=ChargeSerializer,
        responses={201: ChargeSerializer, **ERRORS},
    )
    @charges.mapping.post
    def add_charge(self, request, pk=None):
        order = self.get_object()
        serializer = ChargeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        charge = services.add_charge(order, user=request.user, **serializer.validated_data)
        return Response(ChargeSerializer(charge).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Finance bills a charge (入帐)",
        tags=["work orders"],
        request=None,
        parameters=[_path_id("charge_id")],
        responses={200: ChargeSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"charges/(?P<charge_id>[0-9]+)/bill",
        url_name="charge-bill",
        filter_backends=[],
        pagination_class=None,
    )
    def bill_charge(self, request, pk=None, charge_id=None):
        # Finance bills the charges of orders it does not handle, so the order
        # need not be in the user's scope when the charge is one they may bill.
        charge = get_object_or_404(Charge.objects.select_related("work_order__unit"), pk=charge_id)
        user = request.user
        # The order's id is compared as text: a lookup by a 30-digit id would
        # overflow the database's integer instead of finding nothing.
        if str(charge.work_order_id) != pk:
            raise Http404
        if not (can_see(user, charge.work_order) or services.can_bill(user, charge)):
            raise Http404
        charge = services.bill_charge(charge, user=user)
        return Response(ChargeSerializer(charge).data)

    @extend_schema(
        summary="Attachments", tags=["work orders"], responses=AttachmentSerializer(many=True)
    )
    @action(
        detail=True,
        filter_backends=[],
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, pk=None):
        order = self.get_object()
        attachments = order.attachments.select_related("uploaded_by")
        return Response(
            AttachmentSerializer(attachments, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Upload an attachment (multipart, field `file`)",
        tags=["work orders"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **ERRORS},
    )
    @attachments.mapping.post
    def add_attachment(self, request, pk=None):
        order = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            order, user=request.user, upload=serializer.validated_data["file"]
        )
        return Response(
            AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Download an attachment",
        tags=["work orders"],
        parameters=[_path_id("attachment_id")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    @action(
        detail=True,
        url_path=r"attachments/(?P<attachment_id>[0-9]+)/download",
        url_name="attachment-download",
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[renderers.JSONRenderer, BinaryRenderer],
    )
    def download_attachment(self, request, pk=None, attachment_id=None):
        order = self.get_object()
        attachment = get_object_or_404(order.attachments.all(), pk=attachment_id)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=attachment.name)


class OrderTypeFilter(django_filters.FilterSet):
    is_active = FlagFilter()

    class Meta:
        model = WorkOrderType
        fields = []


class ProcessDefinitionFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()
    is_active = FlagFilter()

    class Meta:
        model = ProcessDefinition
        fields = []


@extend_schema_view(
    list=extend_schema(summary="Work-order types", tags=["reference"]),
    retrieve=extend_schema(summary="A work-order type", tags=["reference"]),
)
class OrderTypeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WorkOrderType.objects.all()
    serializer_class = OrderTypeSerializer
    pagination_class = None
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"
    filterset_class = OrderTypeFilter


class CategoryFilter(django_filters.FilterSet):
    order_type = django_filters.CharFilter(
        field_name="order_type__code", label="Work-order type code"
    )
    parent = IdFilter(label="Parent category id")
    top_level = FlagFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = Category
        fields = []


@extend_schema_view(
    list=extend_schema(summary="Work-order categories (a tree per type)", tags=["reference"]),
    retrieve=extend_schema(summary="A work-order category", tags=["reference"]),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.select_related("order_type")
    serializer_class = CategorySerializer
    pagination_class = None
    filterset_class = CategoryFilter


@extend_schema_view(
    list=extend_schema(
        summary="Process definitions with their states and actions", tags=["reference"]
    ),
    retrieve=extend_schema(summary="A process definition", tags=["reference"]),
)
class ProcessDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ProcessDefinition.objects.prefetch_related(
        "states", "transitions__sources", "transitions__target"
    )
    serializer_class = ProcessDefinitionSerializer
    pagination_class = None
    filterset_class = ProcessDefinitionFilter

    @extend_schema(
        summary="A process template as JSON, to import in another unit or installation",
        tags=["reference"],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        return Response(export_definition(self.get_object()))

    @extend_schema(
        summary="Import a process template (administrators); it becomes the next, active version",
        tags=["reference"],
        request=OpenApiTypes.OBJECT,
        responses={201: ProcessDefinitionSerializer, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_template(self, request):
        if not isinstance(request.data, dict) or not request.data:
            raise ValidationError(_("Send the template as a JSON object."))
        definition = process_templates.save_template(user=request.user, spec=dict(request.data))
        return Response(self.get_serializer(definition).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Charges waiting to be billed by the user (finance, supervisors)",
        tags=["work orders"],
    ),
)
class ChargeToBillViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Charge.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = ChargeToBillSerializer
    pagination_class = None

    def get_queryset(self):
        return services.charges_to_bill(self.request.user).select_related("billed_by")
