"""API representation of complaints and the input of each handling step."""

from rest_framework import serializers

from kefu.core import scoping
from kefu.core.choices import Satisfaction
from kefu.core.models import Department
from kefu.core.serializers import (
    DepartmentBriefSerializer,
    ModelSerializer,
    ScopedPrimaryKeyRelatedField,
    UnitBriefSerializer,
    UnitField,
)
from kefu.customers.models import Customer
from kefu.workorders.models import WorkOrder

from .models import Category, Channel, Complaint, ResolutionPlan, Severity


def _customers(user):
    return scoping.scope_by_unit(Customer.objects.all(), user)


def _orders(user):
    return scoping.scope_by_unit(WorkOrder.objects.all(), user)


class PlanSerializer(ModelSerializer):
    department = DepartmentBriefSerializer(read_only=True)

    class Meta:
        model = ResolutionPlan
        fields = [
            "id",
            "department",
            "proposal",
            "compensation_kind",
            "compensation_amount",
            "status",
            "proposed_at",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class ComplaintSerializer(ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    responsible_department = DepartmentBriefSerializer(read_only=True)
    plans = PlanSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "unit",
            "customer",
            "complainant_name",
            "received_at",
            "channel",
            "category",
            "severity",
            "content",
            "accused_person",
            "expected_resolution",
            "work_order",
            "status",
            "due_at",
            "outside_reply_due_at",
            "outside_close_due_at",
            "justified",
            "explanation",
            "responsible_department",
            "responsible_person",
            "apology",
            "promised_days",
            "result",
            "callback_due_at",
            "satisfaction",
            "closed_at",
            "root_cause",
            "plans",
        ]
        read_only_fields = fields


class ComplaintCreateSerializer(serializers.Serializer):
    unit = UnitField()
    customer = ScopedPrimaryKeyRelatedField(_customers, required=False, allow_null=True)
    create_customer = serializers.BooleanField(required=False, default=False)
    complainant_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    complainant_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)
    channel = serializers.ChoiceField(Channel.choices)
    category = serializers.ChoiceField(Category.choices)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    content = serializers.CharField()
    accused_department = ScopedPrimaryKeyRelatedField(
        scoping.visible_departments, required=False, allow_null=True
    )
    accused_person = serializers.CharField(max_length=100, required=False, allow_blank=True)
    expected_resolution = serializers.CharField(required=False, allow_blank=True)
    work_order = ScopedPrimaryKeyRelatedField(_orders, required=False, allow_null=True)


class JudgeSerializer(serializers.Serializer):
    justified = serializers.BooleanField()
    explanation = serializers.CharField(required=False, allow_blank=True)
    responsible_department = ScopedPrimaryKeyRelatedField(
        scoping.visible_departments, required=False, allow_null=True
    )
    responsible_person = serializers.CharField(max_length=100, required=False, allow_blank=True)
    apology = serializers.CharField(required=False, allow_blank=True)
    promised_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=365
    )


class ProposeSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    proposal = serializers.CharField()
    compensation_kind = serializers.CharField(max_length=100, required=False, allow_blank=True)
    compensation_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True)


class ResultSerializer(serializers.Serializer):
    result = serializers.CharField()


class CallbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True)
