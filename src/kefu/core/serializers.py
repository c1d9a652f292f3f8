"""API representations shared by every app: units, departments, users,
timeline events, fields scoped to what the requesting user may see, and the
description of a Django form (the fields a process action asks for)."""

import copy
from datetime import UTC, datetime

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.core import scoping
from kefu.core.models import Department, OrgUnit, TimelineEvent, User


class ModelSerializer(serializers.ModelSerializer):
    """DRF's model serializer with its fields built once per class: building
    them (introspecting the model on every instance) costs more than
    rendering a small record. Each instance works on a copy, as DRF copies
    declared fields."""

    def get_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_built_fields")
        if fields is None:
            fields = super().get_fields()
            cls._built_fields = fields
        return copy.deepcopy(fields)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only finds the objects ``scope(user)`` returns
    for the requesting user: an id outside the user's scope reads as unknown,
    so the error does not reveal that the object exists."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


def visible_units(user):
    return scoping.scope_by_unit(OrgUnit.objects.all(), user, field="id")


class UnitField(ScopedPrimaryKeyRelatedField):
    """The unit a new record belongs to (default: the user's own unit)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(visible_units, queryset=OrgUnit.objects.all(), **kwargs)


def unit_for(user, validated_data, default=None):
    """The unit a record is created in: the one asked for, else ``default``,
    else the user's own."""
    unit = validated_data.pop("unit", None) or default or user.unit
    if unit is None:
        raise serializers.ValidationError(
            {"unit": [serializers.Field.default_error_messages["required"]]}
        )
    return unit


class UnitBriefSerializer(ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name"]


class OrgUnitSerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "parent",
            "path",
            "depth",
            "is_active",
        ]


class DepartmentBriefSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class DepartmentSerializer(ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    function_display = serializers.CharField(source="get_function_display", read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "kind",
            "kind_display",
            "function",
            "function_display",
            "deadline_hours",
            "phone",
            "is_active",
        ]


class UserBriefSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "agent_no"]


class MeSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = UnitBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    is_center_staff = serializers.BooleanField(read_only=True)
    is_supervising = serializers.BooleanField(read_only=True)
    is_handler = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "agent_no",
            "email",
            "phone",
            "role",
            "role_display",
            "unit",
            "department",
            "is_center_staff",
            "is_supervising",
            "is_handler",
            "is_superuser",
        ]


class TimelineEventSerializer(ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    subject_type = serializers.SerializerMethodField()
    subject_id = serializers.IntegerField(source="object_id", read_only=True)

    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "at",
            "verb",
            "message",
            "actor",
            "subject_type",
            "subject_id",
            "before",
            "after",
        ]

    def get_subject_type(self, event) -> str:
        # get_for_id is served from ContentType's cache: no query per row.
        return ContentType.objects.get_for_id(event.content_type_id).model


class FormFieldSerializer(serializers.Serializer):
    """One field of a form, described for API clients that build the form."""

    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    type = serializers.ChoiceField(
        choices=["string", "text", "integer", "decimal", "boolean", "date", "datetime", "choice"]
    )
    choices = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {}, "label": {"type": "string"}},
                "required": ["value", "label"],
            },
        }
    )
    def get_choices(self, field):
        return field["choices"]


def _field_type(field):
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return "choice"
    if isinstance(field, forms.DateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.BooleanField):
        return "boolean"
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return "decimal"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field.widget, forms.Textarea):
        return "text"
    return "string"


def describe_form(form) -> list[dict]:
    """The fields of ``form`` as plain data: name, label, required, type and,
    for choice fields, the choices (value and label; "no choice" left out)."""
    described = []
    for name, field in form.fields.items():
        choices = []
        if _field_type(field) == "choice":
            for value, label in field.choices:
                value = getattr(value, "value", value)
                if value not in ("", None):
                    choices.append({"value": value, "label": str(label)})
        described.append(
            {
                "name": name,
                "label": str(field.label or name),
                "required": field.required,
                "type": _field_type(field),
                "choices": choices,
            }
        )
    return described


@extend_schema_field(OpenApiTypes.OBJECT)
class FormDataField(serializers.Field):
    """A JSON object of form values: strings, numbers, booleans or null.

    A process action reads its values through a Django form, which expects
    text as browsers send it, so values are passed on as text."""

    default_error_messages = {
        "not_a_dict": serializers.DictField.default_error_messages["not_a_dict"],
        "invalid": serializers.CharField.default_error_messages["invalid"],
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        values, errors = {}, {}
        for key, value in data.items():
            if value is None:
                values[key] = ""
            elif isinstance(value, bool):
                values[key] = "true" if value else "false"
            elif isinstance(value, str | int | float):
                values[key] = str(value)
            else:
                errors[key] = [self.error_messages["invalid"]]
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def to_representation(self, value):
        return value


class NaturalKeyField(serializers.SlugRelatedField):
    """A reference by a text key (a type's code, a tag's name). Text with a
    NUL character names nothing, and PostgreSQL refuses to even look it up."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


def _contains_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def reject_null_characters(value):
    """Validator for free-form JSON: PostgreSQL cannot store NUL in text."""
    if _contains_nul(value):
        raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
    return value


# Both databases store ids as 64-bit integers; a larger number is a clear 400,
# not an overflow inside the database driver.
LARGEST_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A record referred to by its id, in the database's range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(**kwargs)


# A service center means dates of this century; year 489, say, is a typo
# (and its local-time offset, +08:05:43, is not even valid in JSON dates).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class DateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        kwargs["validators"] = [
            *kwargs.get("validators", []),
            MinValueValidator(EARLIEST),
            MaxValueValidator(LATEST),
        ]
        super().__init__(**kwargs)
