"""API representations of customer files. Phone numbers only ever leave
masked; the full number is a separate, logged request (reveal)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.core.serializers import (
    IdField,
    ModelSerializer,
    NaturalKeyField,
    ScopedPrimaryKeyRelatedField,
    UnitBriefSerializer,
    UnitField,
    UserBriefSerializer,
)
from kefu.customers import phones
from kefu.customers.models import Address, Customer, Phone, Product, Segment, Tag
from kefu.customers.services import ADDRESS_FIELDS, PRODUCT_FIELDS, visible_customers


@extend_schema_field(serializers.CharField())
class MaskedPhoneField(serializers.ReadOnlyField):
    """A phone number with its middle digits hidden (138****5678); text that
    is not a phone number (a name, an address) is shown as it is."""

    def to_representation(self, value):
        if not value:
            return ""
        e164 = phones.try_normalize(value)
        return phones.mask(e164) if e164 else value


def _visible_with_unit(user):
    return visible_customers(user).select_related("unit")


class CustomerField(ScopedPrimaryKeyRelatedField):
    """A customer by id, among those the user may see; fetched with its unit,
    which a new record's unit defaults to."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(_visible_with_unit, queryset=Customer.objects.all(), **kwargs)


class PhoneSerializer(ModelSerializer):
    masked = serializers.CharField(read_only=True)

    class Meta:
        model = Phone
        fields = ["id", "masked", "kind", "label", "is_primary"]


class AddressSerializer(ModelSerializer):
    id = IdField(
        required=False, help_text="Set to change an existing address; leave out to add one."
    )
    text = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS, "text"]


class ProductSerializer(ModelSerializer):
    id = IdField(
        required=False, help_text="Set to change an existing product; leave out to add one."
    )

    class Meta:
        model = Product
        fields = ["id", *PRODUCT_FIELDS]


class TagSerializer(ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class CustomerBriefSerializer(ModelSerializer):
    """A customer as other records show it."""

    segment_display = serializers.CharField(source="get_segment_display", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "kind", "segment", "segment_display"]


class CustomerSerializer(ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    segment_display = serializers.CharField(source="get_segment_display", read_only=True)
    is_key = serializers.BooleanField(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    products = ProductSerializer(many=True, read_only=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "unit",
            "kind",
            "kind_display",
            "name",
            "contact_person",
            "segment",
            "segment_display",
            "is_key",
            "tags",
            "email",
            "notes",
            "phones",
            "addresses",
            "products",
            "created_at",
            "created_by",
        ]


class CustomerLookupSerializer(serializers.Serializer):
    """What a screen pop shows about a caller. Kept to the customer row and
    its unit (one query; the caller's number is the one looked up): the
    lookup answers within a few milliseconds."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Customer.Kind.choices)
    contact_person = serializers.CharField()
    segment = serializers.ChoiceField(choices=Segment.choices)
    segment_display = serializers.CharField(source="get_segment_display")
    is_key = serializers.BooleanField()
    unit = UnitBriefSerializer()


class CustomerWriteSerializer(ModelSerializer):
    """Creating or changing a customer file. ``phones``, ``addresses`` and
    ``products``, when given, replace the customer's lists."""

    unit = UnitField(help_text="Unit of the customer file; default: the user's unit.")
    tags = NaturalKeyField(
        slug_field="name",
        many=True,
        required=False,
        queryset=Tag.objects.all(),
        help_text="Tag names.",
    )
    phones = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=40),
        required=False,
        help_text="Phone numbers in any usual form; the first one is the primary number.",
    )
    addresses = AddressSerializer(many=True, required=False)
    products = ProductSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "unit",
            "kind",
            "name",
            "contact_person",
            "segment",
            "tags",
            "email",
            "notes",
            "phones",
            "addresses",
            "products",
        ]

    def service_arguments(self):
        """The validated data as ``create_customer``/``update_customer`` take it."""
        data = dict(self.validated_data)
        if "phones" in data:
            data["phone_numbers"] = data.pop("phones")
        for key in ("addresses", "products"):
            if key in data:
                data[key] = [dict(row) for row in data[key]]
        return data


class RevealedPhoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The number as people write it.")
    e164 = serializers.CharField(
        help_text="The number in international (E.164) form, for dialling."
    )


class LookupSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The caller's number in E.164 form.")
    results = CustomerLookupSerializer(many=True)
