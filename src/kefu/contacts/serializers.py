"""API representations of contact records (来电/接待记录)."""

from rest_framework import serializers

from kefu.contacts.models import Contact
from kefu.core.serializers import (
    DateTimeField,
    ModelSerializer,
    UnitBriefSerializer,
    UnitField,
    UserBriefSerializer,
)
from kefu.customers.serializers import CustomerBriefSerializer, CustomerField, MaskedPhoneField
from kefu.workorders.models import WorkOrder


class WorkOrderRefSerializer(ModelSerializer):
    class Meta:
        model = WorkOrder
        fields = ["id", "number", "title"]


class ContactSerializer(ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    direction_display = serializers.CharField(source="get_direction_display", read_only=True)
    customer = CustomerBriefSerializer(read_only=True, allow_null=True)
    caller = MaskedPhoneField()
    agent = UserBriefSerializer(read_only=True, allow_null=True)
    work_order = WorkOrderRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "unit",
            "channel",
            "channel_display",
            "direction",
            "direction_display",
            "customer",
            "caller",
            "region",
            "occurred_at",
            "agent",
            "content",
            "work_order",
        ]


class ContactFieldsSerializer(ModelSerializer):
    """The fields of a contact besides unit, channel and customer (also used
    inline when a work order is registered together with its contact)."""

    occurred_at = DateTimeField(required=False)

    class Meta:
        model = Contact
        fields = ["direction", "caller", "region", "occurred_at", "content"]


class ContactWriteSerializer(ContactFieldsSerializer):
    unit = UnitField(help_text="Unit the contact belongs to; default: the user's unit.")
    customer = CustomerField()

    class Meta(ContactFieldsSerializer.Meta):
        fields = ["unit", "channel", "customer", *ContactFieldsSerializer.Meta.fields]
