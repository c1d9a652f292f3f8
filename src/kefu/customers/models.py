from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import OrgUnit
from kefu.customers import phones


class Segment(models.TextChoices):
    NEW = "new", _("New user")
    REPAIR = "repair", _("Repair user")
    ORDINARY = "ordinary", _("Ordinary user")
    KEY = "key", _("Key customer")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    color = models.CharField(_("colour"), max_length=20, default="blue")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="customers"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    contact_person = models.CharField(
        _("contact person"),
        max_length=60,
        blank=True,
        help_text=_("For companies: the person to speak to."),
    )
    segment = models.CharField(
        _("segment"),
        max_length=20,
        choices=Segment.choices,
        default=Segment.ORDINARY,
        db_index=True,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.name

    @property
    def is_key(self):
        return self.segment == Segment.KEY

    @property
    def primary_phone(self):
        phones_ = list(self.phones.all())
        for p in phones_:
            if p.is_primary:
                return p
        return phones_[0] if phones_ else None


class Phone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number (E.164)"), max_length=20, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    label = models.CharField(_("label"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="phone_unique_per_customer")
        ]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self):
        return self.masked

    @property
    def masked(self):
        return phones.mask(self.number)

    @property
    def display(self):
        return phones.display(self.number)


class Address(models.Model):
    """A postal address, or a property unit (房号) in a managed community."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=40, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    detail = models.CharField(_("address"), max_length=255, blank=True)
    project = models.CharField(_("property project"), max_length=100, blank=True)
    building = models.CharField(_("building"), max_length=40, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self):
        unit = "".join(p for p in (self.project, self.building, self.room) if p)
        return " ".join(p for p in (self.region, self.detail, unit) if p)


class Product(models.Model):
    """A purchased product, from the purchase receipt (回执单)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="products")
    model = models.CharField(_("model"), max_length=100)
    serial = models.CharField(_("serial number"), max_length=100, blank=True, db_index=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    dealer = models.CharField(_("dealer"), max_length=100, blank=True)
    receipt_no = models.CharField(_("receipt number"), max_length=60, blank=True)

    class Meta:
        ordering = ["-purchase_date", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.model} {self.serial}".strip()
