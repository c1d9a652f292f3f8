"""REST API of customer files: list/search, create, change, caller-ID
lookup, revealing a number, the customer's timeline, tags."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from kefu.core.api import NaturalKeyFilter, PageNumberPagination
from kefu.core.serializers import TimelineEventSerializer, unit_for
from kefu.customers import phones, services
from kefu.customers.models import Customer, Segment, Tag
from kefu.customers.serializers import (
    CustomerLookupSerializer,
    CustomerSerializer,
    CustomerWriteSerializer,
    LookupSerializer,
    RevealedPhoneSerializer,
    TagSerializer,
)


class CustomerFilter(django_filters.FilterSet):
    """Validates the list's query parameters; the filtering itself is the
    customer service's (``filter_customers``)."""

    q = django_filters.CharFilter(label="Phone number (any form), name or product serial number")
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    kind = django_filters.ChoiceFilter(choices=Customer.Kind.choices)
    tag = NaturalKeyFilter(queryset=Tag.objects.all(), to_field_name="name", label="Tag name")

    class Meta:
        model = Customer
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return services.filter_customers(
            self.request.user,
            query=data.get("q") or "",
            segment=data.get("segment") or "",
            kind=data.get("kind") or "",
            tag=data.get("tag"),
        )


@extend_schema_view(
    list=extend_schema(summary="Customers (phone numbers masked)", tags=["customers"]),
    retrieve=extend_schema(summary="A customer file (phone numbers masked)", tags=["customers"]),
    create=extend_schema(
        summary="Create a customer file",
        tags=["customers"],
        request=CustomerWriteSerializer,
        responses={201: CustomerSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a customer file",
        tags=["customers"],
        request=CustomerWriteSerializer,
        responses=CustomerSerializer,
    ),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Customer.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = CustomerSerializer
    pagination_class = PageNumberPagination
    filterset_class = CustomerFilter

    def get_queryset(self):
        return services.visible_customers(self.request.user)

    @staticmethod
    def _with_details(queryset):
        return queryset.select_related("unit", "created_by").prefetch_related(
            "phones", "tags", "addresses", "products"
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action in ("list", "retrieve"):
            queryset = self._with_details(queryset)
        return queryset

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CustomerWriteSerializer
        return CustomerSerializer

    def _output(self, customer):
        customer = self._with_details(self.get_queryset()).get(pk=customer.pk)
        return CustomerSerializer(customer, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = serializer.service_arguments()
        unit = unit_for(request.user, arguments)
        customer = services.create_customer(user=request.user, unit=unit, **arguments)
        return Response(self._output(customer), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_customer(customer, user=request.user, **serializer.service_arguments())
        return Response(self._output(customer))

    @extend_schema(
        summary="Caller-ID lookup (screen pop)",
        description="The customers visible to the user who have this number, key customers "
        "first. The number may be written in any usual form (138 1234 5678, +86…, 0086…, "
        "010-12345678).",
        tags=["customers"],
        parameters=[
            OpenApiParameter(
                "phone",
                OpenApiTypes.STR,
                required=True,
                description="The caller's number as the PBX or the agent has it.",
            )
        ],
        responses=LookupSerializer,
    )
    @action(detail=False, filter_backends=[], pagination_class=None)
    def lookup(self, request):
        raw = request.query_params.get("phone", "")
        try:
            number = phones.normalize(raw)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"phone": exc.messages}) from None
        customers = services.lookup_by_phone(number, request.user).select_related("unit")
        results = CustomerLookupSerializer(customers, many=True).data
        return Response({"number": number, "results": results})

    @extend_schema(
        summary="Reveal a full phone number (logged)",
        description="Returns the unmasked number and records who viewed it in the access log.",
        tags=["customers"],
        request=None,
        parameters=[OpenApiParameter("phone_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=RevealedPhoneSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"phones/(?P<phone_id>[0-9]+)/reveal",
        filter_backends=[],
    )
    def reveal(self, request, pk=None, phone_id=None):
        customer = self.get_object()
        phone = get_object_or_404(customer.phones.all(), pk=phone_id)
        phone.customer = customer
        number = services.reveal_phone(
            phone, user=request.user, ip_address=request.META.get("REMOTE_ADDR")
        )
        return Response({"id": phone.pk, "number": number, "e164": phone.number})

    @extend_schema(
        summary="The customer's timeline: contacts, orders, changes",
        tags=["customers"],
        responses=TimelineEventSerializer(many=True),
    )
    @action(detail=True, filter_backends=[])
    def timeline(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(services.customer_timeline(customer, request.user))
        return self.get_paginated_response(TimelineEventSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Customer tags", tags=["reference"]),
    retrieve=extend_schema(summary="A customer tag", tags=["reference"]),
)
class TagViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    pagination_class = None
