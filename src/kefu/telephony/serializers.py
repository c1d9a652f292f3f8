from rest_framework import serializers

from kefu.core.serializers import IdField
from kefu.telephony.models import AgentState, AgentStatus, Call, NotReadyReason, Queue


class CtiEventSerializer(serializers.Serializer):
    """Documentation of the event body; the CTI module validates it itself
    (so that Zammad's form data and Kefu's JSON share one endpoint)."""

    event = serializers.ChoiceField(
        choices=[
            "offered",
            "queued",
            "ringing",
            "answered",
            "held",
            "unheld",
            "transferred",
            "ended",
            "recording",
            "newCall",
            "answer",
            "hangup",
        ]
    )
    call_id = serializers.CharField(max_length=100, required=False)
    event_id = serializers.CharField(max_length=200, required=False)
    at = serializers.DateTimeField(required=False)
    caller = serializers.CharField(required=False)
    called = serializers.CharField(required=False)
    direction = serializers.ChoiceField(choices=["in", "out"], required=False)
    queue = serializers.CharField(required=False)
    agent = serializers.CharField(required=False)
    extension = serializers.CharField(required=False)
    cause = serializers.CharField(required=False)
    url = serializers.URLField(required=False)
    target_queue = serializers.CharField(required=False)
    target_agent = serializers.CharField(required=False)


class CtiAnswerSerializer(serializers.Serializer):
    duplicate = serializers.BooleanField(required=False)
    call = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    disposition = serializers.CharField(required=False, allow_blank=True)
    action = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)


class CtiBatchAnswerSerializer(CtiAnswerSerializer):
    result = serializers.ChoiceField(choices=["applied", "duplicate", "error"])
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="An event in error: {field: [message]}, nothing of it stored.",
    )


class RouteRequestSerializer(serializers.Serializer):
    call_id = serializers.CharField(max_length=100)
    caller = serializers.CharField(required=False)
    called = serializers.CharField(required=False)
    queue = serializers.CharField(required=False)
    at = serializers.DateTimeField(required=False)
    no_answer = serializers.BooleanField(
        required=False, help_text="The agent it rang at did not answer: route again."
    )


class RouteAnswerSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["agent", "queue", "voicemail", "message", "reject", "hangup"]
    )
    queue = serializers.CharField(required=False)
    extension = serializers.CharField(required=False)
    agent = serializers.CharField(required=False)
    priority = serializers.IntegerField(required=False)
    position = serializers.IntegerField(required=False)
    retry_after = serializers.IntegerField(required=False)
    message = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False)


class CallSerializer(serializers.ModelSerializer):
    queue = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    disposition = serializers.CharField(read_only=True)
    end_cause = serializers.CharField(read_only=True)
    wait_seconds = serializers.FloatField(read_only=True, allow_null=True)
    ring_seconds = serializers.FloatField(read_only=True, allow_null=True)
    talk_seconds = serializers.FloatField(read_only=True, allow_null=True)
    wrapup_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "call_id",
            "direction",
            "caller",
            "called",
            "queue",
            "agent",
            "extension",
            "customer",
            "contact",
            "work_order",
            "status",
            "disposition",
            "end_cause",
            "priority",
            "overflowed",
            "after_hours",
            "transfers",
            "offered_at",
            "queued_at",
            "ringing_at",
            "answered_at",
            "ended_at",
            "wrapup_ended_at",
            "hold_seconds",
            "longest_hold_seconds",
            "hung_up_by",
            "wait_seconds",
            "ring_seconds",
            "talk_seconds",
            "wrapup_seconds",
            "recording_url",
        ]
        read_only_fields = fields


class QueueSerializer(serializers.ModelSerializer):
    overflow_queue = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Queue
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "unit",
            "service_level_seconds",
            "service_level_target",
            "short_abandon_seconds",
            "wrapup_limit_seconds",
            "overflow_queue",
            "overflow_after_seconds",
            "min_skill_level",
            "closed_action",
        ]
        read_only_fields = fields


class AgentStateSerializer(serializers.ModelSerializer):
    agent_name = serializers.CharField(source="agent.display_name", read_only=True)
    # Blank unless not ready: a plain string, not the reason enum.
    reason = serializers.CharField(read_only=True)

    class Meta:
        model = AgentState
        fields = ["agent", "agent_name", "status", "reason", "extension", "since", "idle_since"]
        read_only_fields = fields


class StateChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[AgentStatus.READY, AgentStatus.NOT_READY, AgentStatus.LOGGED_OUT]
    )
    reason = serializers.ChoiceField(choices=NotReadyReason.choices, required=False)
    extension = serializers.CharField(max_length=20, required=False)
    agent = IdField(required=False, help_text="Another agent's user id (supervisors).")
