"""Complaints (投诉处理, SPEC §2.4): the registration form, the judgement,
resolution plans with the supervisor's (and for severe cases the center
manager's) approval, compensation, the mandatory callback and the root
cause with its corrective actions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.choices import Satisfaction
from kefu.core.models import Department, OrgUnit


class ComplaintCategory(models.Model):
    """What a complaint is about (service attitude, quality, delivery …);
    rows, so a center adds its own and the analytics group by them."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self):
        return self.name


class Complaint(models.Model):
    class Channel(models.TextChoices):
        CALL = "call", _("Call")
        LETTER = "letter", _("Letter")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("Email")
        WEB = "web", _("Web")
        AUTHORITY = "authority", _("Higher authority")
        PRESS = "press", _("Press")

    class Severity(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        SERIOUS = "serious", _("Serious")
        AUTHORITY = "authority", _("Escalated to a higher authority")
        PRESS = "press", _("Published in the press")

    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("complaint status", "Registered")
        HANDLING = "handling", pgettext_lazy("complaint status", "Handling")
        AWAITING_MANAGER = (
            "awaiting_manager",
            pgettext_lazy("complaint status", "Awaiting center manager"),
        )
        EXECUTING = "executing", pgettext_lazy("complaint status", "Executing")
        RESULT_RETURNED = "result_returned", pgettext_lazy("complaint status", "Result returned")
        AWAITING_CALLBACK = (
            "awaiting_callback",
            pgettext_lazy("complaint status", "Awaiting callback"),
        )
        CLOSED = "closed", pgettext_lazy("complaint status", "Closed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    complainant_name = models.CharField(_("complainant"), max_length=100)
    complainant_phone = models.CharField(_("phone"), max_length=40, blank=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    content = models.TextField(_("content"))
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    against_department = models.ForeignKey(
        Department,
        verbose_name=_("department complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    against_person = models.CharField(_("person complained about"), max_length=100, blank=True)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.ORDINARY
    )
    expected_resolution = models.TextField(_("expected resolution"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )

    justified = models.BooleanField(_("justified"), null=True, blank=True)
    judged_at = models.DateTimeField(_("judged"), null=True, blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explanation = models.TextField(_("explanation to the customer"), blank=True)
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    apology = models.TextField(_("apology"), blank=True)
    investigation_days = models.PositiveSmallIntegerField(
        _("investigation time (days)"), null=True, blank=True
    )

    result = models.TextField(_("result"), blank=True)
    result_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    informed_at = models.DateTimeField(_("customer informed"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("callback due"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField(_("callback note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    root_cause = models.TextField(_("root cause"), blank=True)

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_severe(self):
        return self.severity != self.Severity.ORDINARY


class ResolutionPlan(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="plans")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField(_("proposal"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("supervisor's comment"), blank=True)
    manager_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    manager_approved_at = models.DateTimeField(null=True, blank=True)
    manager_comment = models.TextField(_("center manager's comment"), blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("resolution plan")
        verbose_name_plural = _("resolution plans")

    def __str__(self):
        return f"{self.complaint} #{self.pk}"


class Compensation(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        VOUCHER = "voucher", _("Voucher")
        GIFT = "gift", _("Gift")
        FREE_SERVICE = "free_service", _("Free service")
        REPLACEMENT = "replacement", _("Replacement")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="compensations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class CorrectiveAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("corrective action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self):
        return self.description[:40]
