from rest_framework import serializers

from kefu.complaints.models import (
    Compensation,
    Complaint,
    ComplaintCategory,
    CorrectiveAction,
    ResolutionPlan,
)
from kefu.core.models import Department
from kefu.customers.models import Customer
from kefu.sla.serializers import SlaClockSerializer
from kefu.workorders.models import WorkOrder


class ComplaintPlanSerializer(serializers.ModelSerializer):
    department = serializers.StringRelatedField()

    class Meta:
        model = ResolutionPlan
        fields = [
            "id",
            "department",
            "content",
            "status",
            "proposed_at",
            "comment",
            "decided_at",
            "manager_approved_at",
        ]


class ComplaintCompensationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compensation
        fields = ["id", "kind", "amount", "note", "approved_by", "created_at"]


class ComplaintCorrectiveActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_date", "status", "verification"]


class ComplaintSerializer(serializers.ModelSerializer):
    category = serializers.StringRelatedField()
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    responsible_department = serializers.StringRelatedField()
    work_order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    sla_clocks = SlaClockSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "unit",
            "status",
            "customer",
            "complainant_name",
            "received_at",
            "channel",
            "category",
            "severity",
            "content",
            "against_person",
            "expected_resolution",
            "work_order",
            "sla_clocks",
            "justified",
            "responsible_department",
            "responsible_person",
            "investigation_days",
            "result",
            "satisfaction",
            "closed_at",
            "root_cause",
        ]


class ComplaintDetailSerializer(ComplaintSerializer):
    plans = ComplaintPlanSerializer(many=True, read_only=True)
    compensations = ComplaintCompensationSerializer(many=True, read_only=True)
    actions = ComplaintCorrectiveActionSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "plans", "compensations", "actions"]


class ComplaintRegisterSerializer(serializers.Serializer):
    """The registration form; querysets are narrowed to the user's scope by the view."""

    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), required=False, allow_null=True
    )
    complainant_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    complainant_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    create_customer_file = serializers.BooleanField(required=False, default=False)
    received_at = serializers.DateTimeField(required=False)
    channel = serializers.ChoiceField(choices=Complaint.Channel.choices)
    category = serializers.SlugRelatedField(
        slug_field="name", queryset=ComplaintCategory.objects.filter(is_active=True)
    )
    severity = serializers.ChoiceField(
        choices=Complaint.Severity.choices, default=Complaint.Severity.ORDINARY
    )
    content = serializers.CharField(max_length=5000)
    against_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.none(), required=False, allow_null=True
    )
    against_person = serializers.CharField(required=False, allow_blank=True, max_length=100)
    expected_resolution = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    work_order = serializers.SlugRelatedField(
        slug_field="number", queryset=WorkOrder.objects.none(), required=False, allow_null=True
    )


class ComplaintDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, allow_blank=True)


class ComplaintCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintCategory
        fields = ["id", "name"]
