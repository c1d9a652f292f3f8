"""REST API of contact records: list, register, read."""

from datetime import timedelta

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kefu.contacts.models import Contact
from kefu.contacts.serializers import ContactSerializer, ContactWriteSerializer
from kefu.contacts.services import register_contact, visible_contacts
from kefu.core.api import DayFilter, IdFilter, NewestFirstCursorPagination
from kefu.core.choices import Channel
from kefu.core.serializers import unit_for
from kefu.workorders.services import default_unit, start_of_day


class ContactFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    direction = django_filters.ChoiceFilter(choices=Contact.Direction.choices)
    customer = IdFilter(field_name="customer_id", label="Customer id")
    agent = IdFilter(field_name="agent_id", label="Agent (user) id")
    occurred_after = DayFilter(method="since_day", label="On or after this day")
    occurred_before = DayFilter(method="until_day", label="On or before this day")

    class Meta:
        model = Contact
        fields = []

    def since_day(self, queryset, name, day):
        return queryset.filter(occurred_at__gte=start_of_day(day))

    def until_day(self, queryset, name, day):
        return queryset.filter(occurred_at__lt=start_of_day(day + timedelta(days=1)))


class ContactPagination(NewestFirstCursorPagination):
    ordering = ("-occurred_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Contact records, newest first", tags=["contacts"]),
    retrieve=extend_schema(summary="A contact record", tags=["contacts"]),
    create=extend_schema(
        summary="Register a contact",
        tags=["contacts"],
        request=ContactWriteSerializer,
        responses={201: ContactSerializer},
    ),
)
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Contact.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = ContactSerializer
    pagination_class = ContactPagination
    filterset_class = ContactFilter

    def get_queryset(self):
        return visible_contacts(self.request.user).select_related(
            "unit", "customer", "agent", "work_order"
        )

    def get_serializer_class(self):
        return ContactWriteSerializer if self.action == "create" else ContactSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        unit = unit_for(
            request.user, fields, default=default_unit(request.user, fields.get("customer"))
        )
        contact = register_contact(
            user=request.user,
            unit=unit,
            channel=fields.pop("channel"),
            content=fields.pop("content"),
            customer=fields.pop("customer", None),
            **fields,
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
