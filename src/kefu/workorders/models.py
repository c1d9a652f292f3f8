from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.choices import Channel, Satisfaction
from kefu.core.models import Department, OrgUnit
from kefu.customers import phones
from kefu.processes.models import LabelledMixin, ProcessDefinition, State
from kefu.workorders.effects import PROCESS_EFFECTS
from kefu.workorders.permissions import can_act_on
from kefu.workorders.process_fields import PROCESS_FIELDS


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class WorkOrderType(LabelledMixin, models.Model):
    """Inquiry, complaint, repair, ...: each runs the process named by ``process_code``."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    process_code = models.SlugField(_("process"), max_length=60, default="closed_loop")
    default_priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("work order type")
        verbose_name_plural = _("work order types")

    def __str__(self):
        return self.label


class Category(models.Model):
    order_type = models.ForeignKey(
        WorkOrderType,
        verbose_name=_("type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="categories",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order_type", "parent_id", "position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class WorkOrder(models.Model):
    number = models.CharField(pgettext_lazy("work order", "number"), max_length=20, unique=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    order_type = models.ForeignKey(
        WorkOrderType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="orders"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    contact_name = models.CharField(_("contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)

    process = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_orders",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="registered_orders",
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    result = models.TextField(_("handling result"), blank=True)
    reply_note = models.TextField(_("reply to customer"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField(_("callback record"), blank=True)
    callback_at = models.DateTimeField(_("called back"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called back by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    data = models.JSONField(_("extra fields"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-created_at"], name="wo_unit_created"),
            models.Index(fields=["state", "-created_at"], name="wo_state_created"),
            models.Index(fields=["department", "state"], name="wo_dept_state"),
            models.Index(fields=["customer", "-created_at"], name="wo_customer_created"),
            models.Index(fields=["-created_at", "-id"], name="wo_created"),
            models.Index(fields=["due_at"], name="wo_due"),
            # The order list filtered by type, department or state, newest
            # first, on a million orders (see docs/benchmarks.md).
            models.Index(fields=["order_type", "-created_at"], name="wo_type_created"),
            models.Index(fields=["department", "-created_at"], name="wo_dept_created"),
            models.Index(fields=["unit", "state", "-created_at"], name="wo_unit_state_created"),
        ]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_closed(self):
        return self.closed_at is not None

    @property
    def contact_phone_display(self):
        return phones.display(self.contact_phone) if self.contact_phone else ""

    @property
    def is_overdue(self):
        return bool(
            self.due_at
            and self.resolved_at is None
            and self.closed_at is None
            and timezone.now() > self.due_at
        )

    # Process-engine protocol (see kefu.processes.engine).
    PROCESS_FIELDS = PROCESS_FIELDS
    PROCESS_EFFECTS = PROCESS_EFFECTS

    def user_may_act(self, user, transition):
        return can_act_on(user, self)

    def condition_value(self, name):
        if self.process.custom_field(name) is not None:
            return self.data.get(name)
        if name == "type":
            return self.order_type.code
        if name == "segment":
            return self.customer.segment if self.customer_id else None
        if hasattr(self, name):
            return getattr(self, name)
        return self.data.get(name)

    def timeline_customer(self):
        return self.customer


class Note(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return self.body[:50]


def attachment_path(instance, filename):
    return f"attachments/{timezone.now():%Y/%m}/{instance.work_order_id}/{filename}"


class Attachment(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(pgettext_lazy("attachment", "file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class Charge(models.Model):
    """A fee for a repair or paid service; finance bills it (交财务部入帐)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To be billed")
        BILLED = "billed", _("Billed by finance")
        WAIVED = "waived", _("Waived")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="charges")
    item = models.CharField(_("item"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    billed_at = models.DateTimeField(null=True, blank=True)
    billed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")

    def __str__(self):
        return f"{self.item} ¥{self.amount}"
