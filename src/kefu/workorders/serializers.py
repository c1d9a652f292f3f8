"""API representations of work orders, their notes, charges, attachments,
the actions a user may take on them, and the reference data they use
(types, categories, process definitions)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.contacts.serializers import ContactFieldsSerializer, WorkOrderRefSerializer
from kefu.core.serializers import (
    DateTimeField,
    DepartmentBriefSerializer,
    FormFieldSerializer,
    ModelSerializer,
    NaturalKeyField,
    UnitBriefSerializer,
    UnitField,
    UserBriefSerializer,
    reject_null_characters,
)
from kefu.customers.serializers import CustomerBriefSerializer, CustomerField, MaskedPhoneField
from kefu.processes.engine import available_transitions
from kefu.processes.models import ProcessDefinition, State, Transition
from kefu.workorders.models import (
    Attachment,
    Category,
    Charge,
    Note,
    Priority,
    WorkOrder,
    WorkOrderType,
)
from kefu.workorders.services import EDITABLE_FIELDS, can_edit

# Related rows every work-order representation shows: fetched with the order.
ORDER_RELATED = (
    "order_type",
    "category",
    "state",
    "customer",
    "unit",
    "department",
    "assignee",
    "created_by",
)


class StateSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = State
        fields = ["code", "name", "kind", "color"]


class OrderTypeBriefSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = WorkOrderType
        fields = ["code", "name"]


class CategoryBriefSerializer(ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class ActionBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label")
    style = serializers.CharField()


class WorkOrderListSerializer(ModelSerializer):
    order_type = OrderTypeBriefSerializer(read_only=True)
    category = CategoryBriefSerializer(read_only=True, allow_null=True)
    state = StateSerializer(read_only=True)
    customer = CustomerBriefSerializer(read_only=True, allow_null=True)
    unit = UnitBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    assignee = UserBriefSerializer(read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "title",
            "order_type",
            "category",
            "priority",
            "priority_display",
            "channel",
            "channel_display",
            "state",
            "customer",
            "unit",
            "department",
            "assignee",
            "created_by",
            "created_at",
            "dispatched_at",
            "due_at",
            "is_overdue",
            "resolved_at",
            "closed_at",
            "is_closed",
        ]


class ProcessBriefSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = ProcessDefinition
        fields = ["id", "code", "version", "name"]


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    process = ProcessBriefSerializer(read_only=True)
    contact_phone = MaskedPhoneField()
    satisfaction_display = serializers.CharField(source="get_satisfaction_display", read_only=True)
    callback_by = UserBriefSerializer(read_only=True, allow_null=True)
    actions = serializers.SerializerMethodField(
        help_text="What the requesting user may do now (see the transitions endpoint for the fields)."
    )
    can_edit = serializers.SerializerMethodField()

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "description",
            "location",
            "appointment_at",
            "contact_name",
            "contact_phone",
            "process",
            "updated_at",
            "result",
            "reply_note",
            "satisfaction",
            "satisfaction_display",
            "callback_note",
            "callback_at",
            "callback_by",
            "reopen_count",
            "data",
            "actions",
            "can_edit",
        ]

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(ActionBriefSerializer(many=True))
    def get_actions(self, order):
        return ActionBriefSerializer(available_transitions(order, self._user()), many=True).data

    def get_can_edit(self, order) -> bool:
        return can_edit(self._user(), order)


class ContactInlineSerializer(ContactFieldsSerializer):
    """The contact a work order comes from, registered with it in one step."""


class WorkOrderCreateSerializer(ModelSerializer):
    unit = UnitField(help_text="Unit of the order; default: the customer's unit, else the user's.")
    order_type = NaturalKeyField(
        slug_field="code",
        queryset=WorkOrderType.objects.filter(is_active=True),
        help_text="Work-order type code (inquiry, complaint, repair, ...).",
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    customer = CustomerField()
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        help_text="Default: the type's default priority.",
    )
    contact_phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Any usual form; stored normalised.",
    )
    appointment_at = DateTimeField(required=False, allow_null=True)
    data = serializers.DictField(
        required=False,
        validators=[reject_null_characters],
        help_text="Extra fields of the order's process.",
    )
    contact = ContactInlineSerializer(
        required=False,
        help_text="Register the contact this order comes from in the same step.",
    )

    class Meta:
        model = WorkOrder
        fields = [
            "unit",
            "order_type",
            "category",
            "customer",
            "channel",
            "priority",
            "title",
            "description",
            "location",
            "appointment_at",
            "contact_name",
            "contact_phone",
            "data",
            "contact",
        ]


class WorkOrderUpdateSerializer(ModelSerializer):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    appointment_at = DateTimeField(required=False, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = list(EDITABLE_FIELDS)


class TransitionDescriptionSerializer(serializers.Serializer):
    """An action the user may take now and the form it asks for."""

    code = serializers.CharField()
    name = serializers.CharField()
    style = serializers.CharField()
    target = StateSerializer()
    fields = FormFieldSerializer(many=True)


class NoteSerializer(ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Note
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["created_at"]


class ChargeSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    created_by = UserBriefSerializer(read_only=True)
    billed_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Charge
        fields = [
            "id",
            "item",
            "amount",
            "status",
            "status_display",
            "created_by",
            "created_at",
            "billed_at",
            "billed_by",
        ]
        read_only_fields = ["status", "created_at", "billed_at"]


class ChargeToBillSerializer(ChargeSerializer):
    work_order = WorkOrderRefSerializer(read_only=True)

    class Meta(ChargeSerializer.Meta):
        fields = [*ChargeSerializer.Meta.fields, "work_order"]


class AttachmentSerializer(ModelSerializer):
    uploaded_by = UserBriefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "uploaded_by", "uploaded_at", "download_url"]

    def get_download_url(self, attachment) -> str:
        path = reverse(
            "workorder-attachment-download", args=[attachment.work_order_id, attachment.pk]
        )
        return self.context["request"].build_absolute_uri(path)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class OrderTypeSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = WorkOrderType
        fields = ["id", "code", "name", "process_code", "default_priority", "position", "is_active"]


class CategorySerializer(ModelSerializer):
    order_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Category
        fields = ["id", "order_type", "parent", "name", "position"]


class TransitionDefinitionSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)
    sources = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    target = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Transition
        fields = [
            "code",
            "name",
            "sources",
            "target",
            "allowed_roles",
            "allowed_departments",
            "fields",
            "conditions",
            "effects",
            "style",
            "position",
        ]


class ProcessDefinitionSerializer(ModelSerializer):
    name = serializers.CharField(source="label", read_only=True)
    states = StateSerializer(many=True, read_only=True)
    transitions = TransitionDefinitionSerializer(many=True, read_only=True)

    class Meta:
        model = ProcessDefinition
        fields = [
            "id",
            "code",
            "version",
            "name",
            "description",
            "is_active",
            "created_at",
            "custom_fields",
            "forms",
            "states",
            "transitions",
        ]
