from rest_framework import serializers

from kefu.sla.models import SlaClock


class SlaClockSerializer(serializers.ModelSerializer):
    """One promise as the API shows it on the order or complaint it belongs to."""

    status = serializers.CharField(read_only=True)

    class Meta:
        model = SlaClock
        fields = [
            "metric",
            "status",
            "target_minutes",
            "business_time",
            "started_at",
            "due_at",
            "stopped_at",
            "breached_at",
            "escalation_level",
        ]
