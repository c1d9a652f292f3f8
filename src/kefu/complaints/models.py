"""Complaints (投诉处理, SPEC §2.4): the registration form, the judgement, the
departments' resolution plans with the supervisor's approval, the callback
before closure, and the root cause with corrective actions."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.choices import Satisfaction
from kefu.core.models import Department, OrgUnit


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
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


# Severities whose plans the center manager approves and that leadership hears of.
SEVERE = frozenset({Severity.SERIOUS, Severity.AUTHORITY, Severity.PRESS})


class Category(models.TextChoices):
    ATTITUDE = "attitude", _("Service attitude")
    PRODUCT = "product", _("Product quality")
    REPAIR = "repair", _("Repair quality")
    DELAY = "delay", _("Slow response")
    BILLING = "billing", _("Charges and billing")
    DELIVERY = "delivery", _("Delivery and installation")
    MANAGEMENT = "management", _("Property management")
    OTHER = "other", _("Other")


class Complaint(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("complaint status", "Registered")
        HANDLING = "handling", pgettext_lazy("complaint status", "Handling")
        EXECUTING = "executing", pgettext_lazy("complaint status", "Executing plan")
        AWAITING_CALLBACK = (
            "awaiting_callback",
            pgettext_lazy("complaint status", "Awaiting callback"),
        )
        CLOSED = "closed", pgettext_lazy("complaint status", "Closed")

    number = models.CharField(pgettext_lazy("complaint", "number"), max_length=20, unique=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant_name = models.CharField(_("complainant"), max_length=100)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    content = models.TextField(_("content"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    accused_department = models.ForeignKey(
        Department,
        verbose_name=_("department complained about"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accused_person = models.CharField(_("person complained about"), max_length=100, blank=True)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.ORDINARY
    )
    expected_resolution = models.TextField(_("expected resolution"), blank=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Targets (SPEC §2.4): handled within 48 hours; an outside party replies
    # within 3 days and closes within 10.
    due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    outside_reply_due_at = models.DateTimeField(_("outside reply due"), null=True, blank=True)
    outside_close_due_at = models.DateTimeField(_("outside closure due"), null=True, blank=True)

    justified = models.BooleanField(_("justified"), null=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    judged_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField(_("explanation to the customer"), blank=True)
    responsible_department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    apology = models.TextField(_("apology"), blank=True)
    promised_days = models.PositiveIntegerField(_("investigation time (days)"), null=True)

    result = models.TextField(_("result"), blank=True)
    informed_at = models.DateTimeField(_("customer informed at"), null=True, blank=True)
    callback_due_at = models.DateTimeField(_("callback due"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField(_("callback note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)

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
        return self.severity in SEVERE

    @property
    def is_overdue(self):
        return (
            self.due_at is not None
            and self.status != self.Status.CLOSED
            and timezone.now() > self.due_at
        )


class ResolutionPlan(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="plans")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.TextField(_("proposal"))
    compensation_kind = models.CharField(_("compensation"), max_length=100, blank=True)
    compensation_amount = models.DecimalField(
        _("compensation amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("instruction"), blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("resolution plan")
        verbose_name_plural = _("resolution plans")

    def __str__(self):
        return f"{self.complaint} / {self.department}"


class CorrectiveAction(models.Model):
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    description = models.TextField(_("corrective action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    verification = models.TextField(_("verification"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self):
        return self.description[:50]
