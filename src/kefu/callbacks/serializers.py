from rest_framework import serializers

from kefu.callbacks.models import CallbackTask
from kefu.core.choices import Satisfaction


class CallbackTaskSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    policy = serializers.SlugRelatedField(slug_field="code", read_only=True)
    work_order = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = CallbackTask
        fields = [
            "id", "number", "unit", "customer", "customer_name", "policy", "trigger", "method",
            "priority", "mandatory", "status", "assignee", "triggered_at", "due_at", "attempts",
            "executed_by", "executed_at", "content", "satisfaction", "suggestions", "problem",
            "problem_due_at", "problem_solved_at", "work_order", "faked", "sample",
        ]  # fmt: skip
        read_only_fields = fields


class ResultSerializer(serializers.Serializer):
    reached = serializers.BooleanField(default=True)
    content = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    suggestions = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    problem = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    problem_solved = serializers.BooleanField(default=False)
