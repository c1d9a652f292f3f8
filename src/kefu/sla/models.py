"""Service-level agreements: which promise applies to a work order or a
complaint (a policy), the clocks that keep it, and the ladder of people told
when it is about to break or has broken."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Channel
from kefu.core.models import Department, OrgUnit
from kefu.core.roles import Role
from kefu.customers.models import Segment
from kefu.workorders.models import Category, Priority, WorkOrder, WorkOrderType


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_UPDATE = "next_update", _("Next update")
    RESOLUTION = "resolution", _("Resolution")
    STEP = "step", _("Step deadline")
    OUTSIDE_REPLY = "outside_reply", _("Outside party reply")
    OUTSIDE_CLOSE = "outside_close", _("Outside party close")


# Metrics whose target comes from the policy; a step's comes from its state.
POLICY_METRICS = (Metric.FIRST_RESPONSE, Metric.NEXT_UPDATE, Metric.RESOLUTION)


class Subject(models.TextChoices):
    """What a policy and its clocks are about."""

    WORK_ORDER = "work_order", _("Work orders")
    COMPLAINT = "complaint", _("Complaints")


# Conditions that only make sense for one subject; the policy form refuses
# them on the other.
SUBJECT_CONDITIONS = {
    Subject.WORK_ORDER: ("order_types", "categories", "priorities", "channels"),
    Subject.COMPLAINT: ("severities",),
}


DEFAULT_WARN_PERCENT = 80


class SlaPolicy(models.Model):
    """Policies are tried in ``position`` order; the first whose conditions
    all hold applies. An empty condition matches anything."""

    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(
        _("applies to"), max_length=20, choices=Subject.choices, default=Subject.WORK_ORDER
    )
    position = models.PositiveSmallIntegerField(_("order of evaluation"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    order_types = models.ManyToManyField(
        WorkOrderType, verbose_name=_("work-order types"), blank=True
    )
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True)
    units = models.ManyToManyField(
        OrgUnit, verbose_name=_("units (with their children)"), blank=True, related_name="+"
    )
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    segments = models.JSONField(_("customer segments"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    severities = models.JSONField(_("complaint severities"), default=list, blank=True)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_update_minutes = models.PositiveIntegerField(
        _("next update (minutes)"),
        null=True,
        blank=True,
        help_text=_("Longest time without a step or a note while the order is open."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )
    outside_reply_minutes = models.PositiveIntegerField(
        _("outside party reply (minutes)"),
        null=True,
        blank=True,
        help_text=_("Complaints handled by an outside party: time for its first reply."),
    )
    outside_close_minutes = models.PositiveIntegerField(
        _("outside party close (minutes)"),
        null=True,
        blank=True,
        help_text=_("Complaints handled by an outside party: time to close its part."),
    )
    business_time = models.BooleanField(
        _("count business time only"),
        default=True,
        help_text=_("Off: the clock runs around the clock, holidays included."),
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warning threshold (percent of the target)"),
        default=DEFAULT_WARN_PERCENT,
        help_text=_("Early warning (预警) when this share of the time is used."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self):
        return self.name

    def target_minutes(self, metric):
        return {
            Metric.FIRST_RESPONSE: self.first_response_minutes,
            Metric.NEXT_UPDATE: self.next_update_minutes,
            Metric.RESOLUTION: self.resolution_minutes,
            Metric.OUTSIDE_REPLY: self.outside_reply_minutes,
            Metric.OUTSIDE_CLOSE: self.outside_close_minutes,
        }[metric]

    @staticmethod
    def choices_for(field):
        from kefu.complaints.models import Complaint

        return {
            "priorities": Priority.choices,
            "segments": Segment.choices,
            "channels": Channel.choices,
            "severities": Complaint.Severity.choices,
        }[field]


class EscalationLevel(models.Model):
    """After a breach, the people of ``role`` in the subject's unit and above
    are told, ``delay_minutes`` after the breach (升级)."""

    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="escalation_levels"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    delay_minutes = models.PositiveIntegerField(_("minutes after the breach"), default=0)

    class Meta:
        ordering = ["policy", "level"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="escalation_level_unique")
        ]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")

    def __str__(self):
        return f"{self.level}: {self.get_role_display()} +{self.delay_minutes}min"


class SlaClock(models.Model):
    """One promise on one work order or one complaint. While running, ``due_at``/``warn_at`` are
    the moments of breach/warning; business time used before the current
    running stretch is kept in ``consumed_seconds`` so pauses stop the clock."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        BREACHED = "breached", _("Breached")

    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="sla_clocks"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_clocks",
    )
    # The policy matched at registration: its warning threshold and escalation
    # ladder apply (step clocks of an order that matched none have neither).
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    state = models.ForeignKey(
        "processes.State",
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    business_time = models.BooleanField(default=True)
    started_at = models.DateTimeField(_("started"))
    running_since = models.DateTimeField(null=True, blank=True)
    consumed_seconds = models.PositiveIntegerField(default=0)
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work_order", "complaint", "metric"]
        constraints = [
            # Steps and updates recur, so an order keeps their past clocks;
            # only one of each metric runs at a time.
            models.UniqueConstraint(
                fields=["work_order", "metric"],
                condition=models.Q(stopped_at__isnull=True),
                name="sla_clock_one_open",
            ),
            models.UniqueConstraint(
                fields=["complaint", "metric"],
                condition=models.Q(stopped_at__isnull=True),
                name="sla_clock_one_open_complaint",
            ),
            models.CheckConstraint(
                condition=models.Q(work_order__isnull=False, complaint__isnull=True)
                | models.Q(work_order__isnull=True, complaint__isnull=False),
                name="sla_clock_one_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["stopped_at", "warn_at"], name="sla_clock_warn"),
            models.Index(fields=["stopped_at", "due_at"], name="sla_clock_due"),
            models.Index(fields=["breached_at", "escalation_level"], name="sla_clock_escalation"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")

    def __str__(self):
        return f"{self.work_order_id or self.complaint_id} {self.metric}"

    @property
    def subject(self):
        """The work order or complaint this promise is about."""
        return self.work_order if self.work_order_id else self.complaint

    @property
    def status(self):
        if self.stopped_at is not None:
            return self.Status.BREACHED if self.breached_at else self.Status.MET
        if self.running_since is None:
            return self.Status.PAUSED
        return self.Status.BREACHED if self.breached_at else self.Status.RUNNING

    @property
    def warn_percent(self):
        return self.policy.warn_percent if self.policy_id else DEFAULT_WARN_PERCENT

    @property
    def label(self):
        if self.metric == Metric.STEP and self.state_id:
            return f"{self.get_metric_display()}（{self.state.label}）"
        return self.get_metric_display()

    def remaining(self, now=None):
        """Calendar time until the breach (negative once breached), or None when paused/stopped."""
        if self.stopped_at is not None or self.due_at is None:
            return None
        return self.due_at - (now or timezone.now())


class RectificationNotice(models.Model):
    """整改通知: sent to a department whose dispatched order is overdue; the
    department answers with what it will change."""

    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.CASCADE, related_name="rectification_notices"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="rectification_notices"
    )
    clock = models.ForeignKey(
        SlaClock, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    reason = models.TextField(_("reason"))
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")

    def __str__(self):
        return f"{self.work_order.number} → {self.department}"
