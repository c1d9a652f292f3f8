"""What the call center knows about its telephony: the PBXs that report to
it, queues (skill groups) and their members, each agent's state and its
history, and a record of every call (CDR) built from the PBX's events.

Other modules read these tables (the wallboard, forecasts, adherence,
assessment); the field names below are what they rely on."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.models import OrgUnit
from kefu.processes.models import LabelledMixin


class Pbx(models.Model):
    """A telephone switch that posts call events, authenticated by its token."""

    class Protocol(models.TextChoices):
        KEFU = "kefu", _("Kefu CTI events")
        ZAMMAD = "zammad", _("Zammad Generic CTI")

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    token = models.CharField(_("token"), max_length=64, unique=True)
    protocol = models.CharField(
        _("protocol"), max_length=10, choices=Protocol.choices, default=Protocol.KEFU
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Opt-in: a PBX that runs its own ACD must not have Kefu ring agents.
    route_url = models.URLField(
        _("routing push URL"),
        blank=True,
        help_text=_(
            "Leave empty if the PBX asks Kefu where to send each call. "
            "Filled in, Kefu posts its routing decisions to this URL as soon as it takes them."
        ),
    )

    class Meta:
        verbose_name = _("PBX")
        verbose_name_plural = _("PBXs")

    def __str__(self):
        return self.name


class ClosedAction(models.TextChoices):
    VOICEMAIL = "voicemail", _("Voicemail")
    MESSAGE = "message", _("IVR message, then hang up")


class Queue(LabelledMixin, models.Model):
    """An ACD queue (skill group). Service-level figures follow the seeds'
    default of 90% of calls answered within 10 seconds."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    service_level_seconds = models.PositiveIntegerField(_("answer target (seconds)"), default=10)
    service_level_target = models.DecimalField(
        _("service level target"), max_digits=4, decimal_places=3, default=0.9
    )
    # Calls abandoned sooner than this are left out of the service level.
    short_abandon_seconds = models.PositiveIntegerField(_("short abandon (seconds)"), default=5)
    wrapup_limit_seconds = models.PositiveIntegerField(_("wrap-up limit (seconds)"), default=60)
    # Opening hours; without one the queue follows its unit's calendar.
    calendar = models.ForeignKey(
        "core.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_action = models.CharField(
        _("when closed"),
        max_length=10,
        choices=ClosedAction.choices,
        default=ClosedAction.VOICEMAIL,
    )
    closed_message = models.CharField(_("closed message"), max_length=300, blank=True)
    overflow_queue = models.ForeignKey(
        "self",
        verbose_name=_("overflow queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overflow_after_seconds = models.PositiveIntegerField(
        _("overflow after (seconds)"), null=True, blank=True
    )
    # Members below this level are not offered the queue's calls.
    min_skill_level = models.PositiveSmallIntegerField(_("minimum skill level"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self):
        return self.label


class QueueMember(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="members")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memberships"
    )
    # 1 (learning) .. 5 (expert); routing prefers higher levels.
    skill_level = models.PositiveSmallIntegerField(_("skill level"), default=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "agent"], name="queue_member_unique")
        ]
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")

    def __str__(self):
        return f"{self.queue} · {self.agent} ({self.skill_level})"


class AgentStatus(models.TextChoices):
    LOGGED_OUT = "logged_out", _("Logged out")
    READY = "ready", _("Ready")
    RINGING = "ringing", _("Ringing")
    ON_CALL = "on_call", _("On call")
    WRAP_UP = "wrap_up", _("After-call work")
    NOT_READY = "not_ready", _("Not ready")


class NotReadyReason(models.TextChoices):
    BREAK = "break", _("Short break")
    MEAL = "meal", _("Meal")
    MEETING = "meeting", _("Meeting")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class AgentState(models.Model):
    """An agent's state now; one row per agent that ever logged in."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_state"
    )
    status = models.CharField(
        _("state"), max_length=12, choices=AgentStatus.choices, default=AgentStatus.LOGGED_OUT
    )
    reason = models.CharField(
        _("reason"), max_length=12, choices=NotReadyReason.choices, blank=True
    )
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    since = models.DateTimeField(_("since"), default=timezone.now)
    # When the agent last became ready: routing picks the longest idle.
    idle_since = models.DateTimeField(null=True, blank=True)
    # After-call work ends by itself at this time (the queue's wrap-up limit).
    wrapup_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A row a logged-in agent, changed by every call: no index on what
        # changes (status, idle and wrap-up times), so PostgreSQL updates
        # it in place (HOT) and the table stays small without vacuuming.
        # Routing reaches the states through the queue's members.
        indexes = [models.Index(fields=["extension"], name="agent_state_extension")]
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self):
        return f"{self.agent}: {self.get_status_display()}"


class AgentStateLog(models.Model):
    """Every state an agent was in, with its start and end: adherence,
    occupancy and assessment are computed from these rows."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_state_log"
    )
    status = models.CharField(_("state"), max_length=12, choices=AgentStatus.choices)
    reason = models.CharField(
        _("reason"), max_length=12, choices=NotReadyReason.choices, blank=True
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["agent", "started_at"]
        indexes = [
            models.Index(fields=["agent", "started_at"]),
            models.Index(fields=["started_at"]),
        ]
        verbose_name = _("agent state record")
        verbose_name_plural = _("agent state records")

    def __str__(self):
        return f"{self.agent}: {self.get_status_display()} {self.started_at:%Y-%m-%d %H:%M:%S}"


class HangupSide(models.TextChoices):
    """Who ended the call, as the PBX reports it (the customer should)."""

    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Call(models.Model):
    """A call record (CDR). Times are stamped from the PBX's events; the
    durations the reports use are derived from them."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        QUEUED = "queued", _("Queued")
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", pgettext_lazy("call state", "Answered")
        HELD = "held", _("On hold")
        ENDED = "ended", _("Ended")

    # Offered or queued: waiting for an agent.
    WAITING = (Status.OFFERED, Status.QUEUED)

    class Disposition(models.TextChoices):
        ANSWERED = "answered", pgettext_lazy("call state", "Answered")
        ABANDONED = "abandoned", _("Abandoned")
        VOICEMAIL = "voicemail", _("Voicemail")
        CLOSED = "closed", _("Outside business hours")
        REJECTED = "rejected", _("Rejected (blocked caller)")
        NO_ANSWER = "no_answer", _("Not answered")
        BUSY = "busy", _("Busy")
        FAILED = "failed", _("Failed")

    pbx = models.ForeignKey(Pbx, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(_("call id"), max_length=100)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    caller = models.CharField(_("caller"), max_length=40, blank=True)
    called = models.CharField(_("called number"), max_length=40, blank=True)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), null=True, blank=True, on_delete=models.SET_NULL
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    disposition = models.CharField(
        _("disposition"), max_length=10, choices=Disposition.choices, blank=True
    )
    end_cause = models.CharField(_("end cause"), max_length=40, blank=True)
    offered_at = models.DateTimeField(_("offered"), db_index=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wrapup_ended_at = models.DateTimeField(_("wrap-up ended"), null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(_("hold time (s)"), default=0)
    # The longest single hold: a customer is never left over a minute (the
    # seeds' rule), however short the holds add up to.
    longest_hold_seconds = models.PositiveIntegerField(_("longest hold (s)"), default=0)
    hung_up_by = models.CharField(
        _("hung up by"), max_length=10, choices=HangupSide.choices, blank=True
    )
    held_since = models.DateTimeField(null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    # Higher is served first: key customers get 10.
    priority = models.SmallIntegerField(_("priority"), default=0)
    overflowed = models.BooleanField(_("overflowed"), default=False)
    # Reached the center while the queue was closed: left out of the service level.
    after_hours = models.BooleanField(_("outside business hours"), default=False)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    # When the current ringing attempt started (the ring time of the CDR).
    ringing_at = models.DateTimeField(_("ringing"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pbx", "call_id"], name="call_pbx_call_id_unique")
        ]
        indexes = [
            models.Index(fields=["queue", "offered_at"]),
            models.Index(fields=["unit", "offered_at"]),
            models.Index(fields=["agent", "offered_at"]),
            # The calls waiting in a queue, for routing's "who goes first".
            models.Index(
                fields=["queue", "priority", "offered_at"],
                condition=models.Q(status__in=["offered", "queued"]),
                name="call_waiting",
            ),
        ]
        ordering = ["-offered_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self):
        return f"{self.caller} → {self.called} ({self.call_id})"

    @property
    def wait_seconds(self):
        """Offered to answered, or to the end for a call nobody answered."""
        end = self.answered_at or self.ended_at
        return (end - self.offered_at).total_seconds() if end else None

    @property
    def ring_seconds(self):
        if self.ringing_at and self.answered_at:
            return max(0.0, (self.answered_at - self.ringing_at).total_seconds())
        return None

    @property
    def handle_seconds(self):
        """Talk, hold and wrap-up: what AHT averages."""
        if self.answered_at and self.ended_at:
            talk_and_hold = (self.ended_at - self.answered_at).total_seconds()
            return talk_and_hold + (self.wrapup_seconds or 0)
        return None

    @property
    def talk_seconds(self):
        if self.answered_at and self.ended_at:
            return max(0.0, (self.ended_at - self.answered_at).total_seconds() - self.hold_seconds)
        return None

    @property
    def wrapup_seconds(self):
        if self.ended_at and self.wrapup_ended_at:
            return (self.wrapup_ended_at - self.ended_at).total_seconds()
        return None


class CallEvent(models.Model):
    """Every event a PBX sent, kept as received. ``key`` makes a repeated
    event a no-op."""

    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=200)
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=30)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pbx", "key"], name="call_event_key_unique")]
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.key}"


class RoutePush(models.Model):
    """A routing decision Kefu posts to a PBX (push routing), kept until it
    is delivered, no longer current, or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("routing push", "Pending")
        SENT = "sent", pgettext_lazy("routing push", "Sent")
        STALE = "stale", pgettext_lazy("routing push", "No longer current")
        FAILED = "failed", pgettext_lazy("routing push", "Failed")
        # Left undelivered by a process that stopped.
        LOST = "lost", pgettext_lazy("routing push", "Lost")

    pbx = models.ForeignKey(Pbx, on_delete=models.CASCADE, related_name="pushes")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="pushes")
    # The agent the decision rang, so a failed delivery can free them.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pbx", "status", "finished_at"])]
        ordering = ["-created_at"]
        verbose_name = _("routing push")
        verbose_name_plural = _("routing pushes")

    def __str__(self):
        return f"{self.decision.get('action', '')} {self.call_id}"


class BlockedNumber(models.Model):
    """A caller the center refuses (黑名单): rejected before routing."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    number = models.CharField(_("number"), max_length=40, help_text=_("Stored in E.164."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="blocked_number_unique")
        ]
        indexes = [models.Index(fields=["number"])]
        verbose_name = _("blocked number")
        verbose_name_plural = _("blocked numbers")

    def __str__(self):
        return self.number


class IvrMenu(models.Model):
    """One level of a voice menu: a prompt and what each key leads to."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    prompt = models.TextField(_("prompt"))
    is_root = models.BooleanField(_("entry menu"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("IVR menu")
        verbose_name_plural = _("IVR menus")

    def __str__(self):
        return self.name


class IvrOption(models.Model):
    class Target(models.TextChoices):
        QUEUE = "queue", _("Queue")
        MENU = "menu", _("Sub-menu")
        VOICEMAIL = "voicemail", _("Voicemail")
        MESSAGE = "message", _("Message, then hang up")
        REPEAT = "repeat", _("Repeat the menu")

    menu = models.ForeignKey(IvrMenu, on_delete=models.CASCADE, related_name="options")
    key = models.CharField(_("key"), max_length=1)
    label = models.CharField(_("label"), max_length=60)
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), null=True, blank=True, on_delete=models.PROTECT
    )
    submenu = models.ForeignKey(
        IvrMenu,
        verbose_name=_("sub-menu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["menu", "key"]
        constraints = [models.UniqueConstraint(fields=["menu", "key"], name="ivr_option_key")]
        verbose_name = _("IVR option")
        verbose_name_plural = _("IVR options")

    def __str__(self):
        return f"{self.menu} {self.key}: {self.label}"
