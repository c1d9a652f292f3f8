"""Callback policies, the tasks they generate, scripts and spot checks."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Satisfaction
from kefu.core.models import OrgUnit
from kefu.customers.models import Customer, Segment


class Trigger(models.TextChoices):
    REPAIR_COMPLETED = "repair_completed", _("Repair completed")
    PURCHASE = "purchase", _("Purchase")
    ORDER_ARCHIVED = "order_archived", _("Work order archived")
    COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint resolved")
    VISIT_NO_PURCHASE = "visit_no_purchase", _("Visit without purchase")
    CALL_MISSED = "call_missed", _("Abandoned call or voicemail")
    PERIODIC = "periodic", _("Periodic (no event)")


class Method(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    MAIL = "mail", _("Mail")
    VISIT = "visit", _("Home visit")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class CallbackPolicy(models.Model):
    """Which customers are called back after which event, how many of them
    (``ratio``), how soon and how. Policies are data: the seeds' rules are
    installed as defaults and edited in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: every unit."),
    )
    segment = models.CharField(
        _("segment"), max_length=20, choices=Segment.choices, blank=True, help_text=_("Empty: any.")
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    ratio = models.DecimalField(_("sample ratio"), max_digits=4, decimal_places=3)
    delay_days = models.PositiveSmallIntegerField(
        _("days after the trigger"), default=0, help_text=_("When the task is created.")
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days after the trigger)"))
    spread_days = models.PositiveSmallIntegerField(
        _("spread over (days)"),
        default=1,
        help_text=_("Periodic policies: the sample is spread evenly over this many days."),
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    mandatory = models.BooleanField(_("mandatory"), default=False)
    address_without_phone = models.BooleanField(
        _("only customers with an address and no phone"), default=False
    )
    sms_template = models.SlugField(_("SMS template"), max_length=40, blank=True)
    script = models.ForeignKey(
        "CallbackScript", verbose_name=_("script"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("callback policy")
        verbose_name_plural = _("callback policies")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CallbackScript(models.Model):
    """A phone script: opening, questions with branches by satisfaction, and
    closing phrases, as data (``steps``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    opening = models.TextField(_("opening"))
    question = models.TextField(_("question"))
    branches = models.JSONField(
        _("branches"),
        default=dict,
        help_text=_('{"satisfied": {"ask": "...", "closing": "..."}, "dissatisfied": {...}}'),
    )

    class Meta:
        verbose_name = _("callback script")
        verbose_name_plural = _("callback scripts")

    def __str__(self):
        return self.name

    def branch_for(self, satisfaction: str) -> dict:
        key = "satisfied" if satisfaction in SATISFIED else "dissatisfied"
        return self.branches.get(key, {})


SATISFIED = frozenset({Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED})


class QuietPeriod(models.Model):
    """A time of day when customers rest and are not called (一个避免)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("quiet period")
        verbose_name_plural = _("quiet periods")

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class CallbackTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Done")
        UNREACHABLE = "unreachable", _("Unreachable")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=20, unique=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(
        CallbackPolicy,
        verbose_name=_("policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    trigger = models.CharField(_("trigger"), max_length=30, choices=Trigger.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # Identifies the occasion, so generating twice never makes a second task.
    occasion = models.CharField(max_length=80)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    mandatory = models.BooleanField(_("mandatory"), default=False)
    sample = models.JSONField(_("why selected"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("callback agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callback_tasks",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    triggered_at = models.DateTimeField(_("trigger time"))
    due_at = models.DateTimeField(_("deadline"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    content = models.TextField(_("content"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    suggestions = models.TextField(_("suggestions"), blank=True)
    problem = models.TextField(_("problem raised"), blank=True)
    problem_due_at = models.DateTimeField(_("problem due"), null=True, blank=True)
    problem_solved_at = models.DateTimeField(_("problem solved"), null=True, blank=True)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    faked = models.BooleanField(_("found faked"), default=False)

    class Meta:
        verbose_name = _("callback task")
        verbose_name_plural = _("callback tasks")
        ordering = ["due_at", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occasion"], name="callback_task_occasion"),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="cb_unit_status_due"),
            models.Index(fields=["assignee", "status"], name="cb_assignee_status"),
            models.Index(fields=["customer", "-created_at"], name="cb_customer_created"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_closed(self):
        return self.status in (self.Status.DONE, self.Status.UNREACHABLE, self.Status.CANCELLED)

    @property
    def problem_open(self):
        return bool(self.problem) and self.problem_solved_at is None and self.work_order_id is None


class SpotCheck(models.Model):
    """A supervisor re-contacts the customer of a completed callback (抽查)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        FAKED = "faked", _("Faked")
        UNREACHABLE = "unreachable", _("Customer unreachable")

    task = models.OneToOneField(
        CallbackTask,
        verbose_name=_("callback"),
        on_delete=models.CASCADE,
        related_name="spot_check",
    )
    picked_at = models.DateTimeField(_("picked"), default=timezone.now)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-picked_at"]

    def __str__(self):
        return f"{self.task} ({self.get_outcome_display()})"


class CallbackSkill(models.Model):
    """How a callback agent is used when lists are distributed: a skill level
    (urgent and mandatory callbacks go to the experienced first) and the
    methods the agent works (empty: all)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="callback_skill",
    )
    level = models.PositiveSmallIntegerField(_("skill level"), default=3)
    methods = models.JSONField(_("methods"), default=list, blank=True)

    class Meta:
        verbose_name = _("callback skill")
        verbose_name_plural = _("callback skills")

    def __str__(self):
        return f"{self.agent} ({self.level})"
