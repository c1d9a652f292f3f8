"""API plumbing shared by every app (errors as JSON with field messages,
pagination, the token endpoint) and the API of core: the requesting user,
organisation units and departments."""

from datetime import timedelta

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, pagination, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from kefu.core import scoping
from kefu.core.models import Department, OrgUnit, User
from kefu.core.serializers import (
    EARLIEST,
    LARGEST_ID,
    LATEST,
    DepartmentSerializer,
    MeSerializer,
    OrgUnitSerializer,
    visible_units,
)
from kefu.processes.engine import TransitionError


def validation_payload(exc: DjangoValidationError):
    """A validation error as the API answers it."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    """Turn the domain's exceptions into the API's JSON errors:
    ``{"field": ["message"]}`` for invalid fields, ``{"detail": "..."}`` otherwise."""
    if isinstance(exc, TransitionError):
        status_code = {
            "forbidden": status.HTTP_403_FORBIDDEN,
            "unknown": status.HTTP_404_NOT_FOUND,
            "state": status.HTTP_409_CONFLICT,
        }.get(exc.code, status.HTTP_400_BAD_REQUEST)
        payload = {"detail": exc.message, "code": exc.code}
        payload.update(exc.field_errors)
        return Response(payload, status=status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_payload(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages for tables that stay small enough to count."""

    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstCursorPagination(pagination.CursorPagination):
    """Newer/older pages by position for the tables that grow without bound
    (work orders, contacts): a page is one index range scan from the last row
    seen, whatever its depth, where page numbers would COUNT(*) the filtered
    table and OFFSET past every earlier row — both linear in the table size."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A filter on a record id: a whole number in the database's range (a
    decimal or a 30-digit number is a clear 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


class NaturalKeyChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value):
        # PostgreSQL refuses to look up text with a NUL; nothing is named so.
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.STR)
class NaturalKeyFilter(django_filters.ModelChoiceFilter):
    """A filter on a row named by a text field (``to_field_name``: a code, a
    tag name); an unknown name is a 400 that lists nothing."""

    field_class = NaturalKeyChoiceField


class FlagField(forms.NullBooleanField):
    # A text input hands the raw value to to_python; the select widget would
    # read anything unknown as "no filter".
    widget = forms.TextInput
    default_error_messages = {"invalid": forms.ChoiceField.default_error_messages["invalid_choice"]}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None


@extend_schema_field(OpenApiTypes.BOOL)
class FlagFilter(django_filters.BooleanFilter):
    """``true``/``false`` (or 1/0); anything else is a 400 rather than ignored."""

    field_class = FlagField


class DayField(forms.DateField):
    default_validators = [
        MinValueValidator(EARLIEST.date()),
        MaxValueValidator(LATEST.date() - timedelta(days=1)),
    ]


@extend_schema_field(OpenApiTypes.DATE)
class DayFilter(django_filters.DateFilter):
    """A day of this century, like every date the API takes (the first or
    last day a computer knows has no midnight in Beijing time to filter by)."""

    field_class = DayField


class OrgUnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgUnit.Kind.choices)
    parent = IdFilter(label="Parent unit id")

    class Meta:
        model = OrgUnit
        fields = []


class DepartmentFilter(django_filters.FilterSet):
    unit = IdFilter(label="Unit id")
    kind = django_filters.ChoiceFilter(choices=Department.Kind.choices)
    function = django_filters.ChoiceFilter(choices=Department.Function.choices)
    is_active = FlagFilter()

    class Meta:
        model = Department
        fields = []


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


@extend_schema_view(
    post=extend_schema(
        summary="Obtain an API token",
        description=(
            "Exchange a username and password for the user's API token; send it as "
            "`Authorization: Token <token>` with every other request."
        ),
        tags=["auth"],
        auth=[],
        responses={200: TokenResponseSerializer},
    )
)
class TokenView(ObtainAuthToken):
    # Credentials are in the body; a browser session must not demand a CSRF token here.
    authentication_classes = ()


class MeView(APIView):
    @extend_schema(summary="The requesting user", tags=["reference"], responses=MeSerializer)
    def get(self, request):
        user = User.objects.select_related("unit", "department").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


@extend_schema_view(
    list=extend_schema(summary="Organisation units the user may see", tags=["reference"]),
    retrieve=extend_schema(summary="An organisation unit", tags=["reference"]),
)
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = OrgUnit.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = OrgUnitSerializer
    pagination_class = PageNumberPagination
    filterset_class = OrgUnitFilter

    def get_queryset(self):
        return visible_units(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Departments the user may see", tags=["reference"]),
    retrieve=extend_schema(summary="A department", tags=["reference"]),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.none()  # the model, for the schema; get_queryset scopes
    serializer_class = DepartmentSerializer
    pagination_class = PageNumberPagination
    filterset_class = DepartmentFilter

    def get_queryset(self):
        return scoping.visible_departments(self.request.user)
