"""Workforce data: forecasts and their staffing plan, shift templates,
weekly rosters, leave, training, entry examinations and probation."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Channel
from kefu.core.models import OrgUnit
from kefu.telephony.models import Queue

PASS_MARK = 80  # the seeds: every part of the entry examination passes at 80


class Forecast(models.Model):
    """Interval volumes and handle times for a queue (calls) or a channel
    (contacts) over the days ahead, with the staffing each interval needs."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), null=True, blank=True, on_delete=models.CASCADE
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    starts_on = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=7)
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"), default=30)
    history_weeks = models.PositiveSmallIntegerField(_("weeks of history"), default=8)
    method = models.TextField(_("method"), blank=True)
    mape = models.FloatField(_("MAPE on past weeks"), null=True, blank=True)
    backtest = models.JSONField(default=list, blank=True)
    target_seconds = models.PositiveIntegerField(_("answer target (seconds)"), default=10)
    target_level = models.FloatField(_("service level target"), default=0.9)
    shrinkage = models.FloatField(_("shrinkage"), default=0.3)
    max_occupancy = models.FloatField(_("maximum occupancy"), default=0.9)
    patience_seconds = models.PositiveIntegerField(
        _("caller patience (seconds)"),
        null=True,
        blank=True,
        help_text=_("Empty: Erlang C; otherwise Erlang A with this mean patience."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")

    def __str__(self):
        return f"{self.queue or self.get_channel_display()} {self.starts_on}"

    @property
    def ends_on(self):
        return self.starts_on + datetime.timedelta(days=self.days)

    @property
    def method_text(self):
        """The method in the reader's language."""
        return gettext(self.method) if self.method else ""


class ForecastInterval(models.Model):
    forecast = models.ForeignKey(Forecast, on_delete=models.CASCADE, related_name="intervals")
    starts_at = models.DateTimeField()
    volume = models.FloatField(_("volume"))
    aht_seconds = models.FloatField(_("handle time (s)"))
    agents = models.PositiveIntegerField(_("agents on the phones"))
    required = models.PositiveIntegerField(_("agents required (with shrinkage)"))

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "starts_at"], name="forecast_interval_unique"
            )
        ]

    def __str__(self):
        return f"{self.forecast} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftTemplate(models.Model):
    """A shift as data: its hours, break and what the work is in each part of
    the day (the seeds' e-commerce day)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=60)
    # The break starts this long after the shift; the roster may move it.
    break_after_minutes = models.PositiveSmallIntegerField(_("break after (minutes)"), default=240)
    segments = models.JSONField(
        _("work by time of day"),
        default=list,
        blank=True,
    )
    colour = models.CharField(_("colour"), max_length=20, default="blue")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="shift_template_unique")
        ]
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")

    def __str__(self):
        return f"{self.name} {self.hours}"

    @property
    @admin.display(description=_("hours"))
    def hours(self):
        if self.crosses_midnight:
            return gettext("%(start)s–%(end)s next day") % {
                "start": f"{self.start:%H:%M}",
                "end": f"{self.end:%H:%M}",
            }
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def crosses_midnight(self):
        """A night shift (22:00–07:00) ends on the day after it starts."""
        return self.end <= self.start

    @property
    def span_minutes(self):
        span = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return span + 24 * 60 if self.crosses_midnight else span

    @property
    def paid_minutes(self):
        return self.span_minutes - self.break_minutes

    @property
    def paid_hours(self):
        return round(self.paid_minutes / 60, 1)

    def clean(self):
        errors = {}
        if self.start is None or self.end is None:
            return
        if self.start == self.end:
            errors["end"] = [_("A shift cannot end when it starts.")]
        elif self.break_minutes and (
            self.break_after_minutes <= 0
            or self.break_after_minutes + self.break_minutes >= self.span_minutes
        ):
            errors["break_after_minutes"] = [_("The break must fall within the shift.")]
        if errors:
            raise ValidationError(errors)


class WorkProfile(models.Model):
    """An agent's contract as the roster sees it."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_profile"
    )
    weekly_hours = models.DecimalField(
        _("contracted hours a week"), max_digits=4, decimal_places=1, default=40
    )
    rest_days = models.PositiveSmallIntegerField(_("rest days a week"), default=2)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)

    class Meta:
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")

    def __str__(self):
        return str(self.agent)


class Roster(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    week_start = models.DateField(_("week starting"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    solver = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "week_start"], name="roster_unit_week_unique")
        ]
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self):
        return f"{self.unit} {self.week_start}"

    @property
    def days(self):
        return [self.week_start + datetime.timedelta(days=i) for i in range(7)]


class Shift(models.Model):
    """One agent's shift on one day of a roster."""

    class Source(models.TextChoices):
        SOLVER = "solver", _("Generated")
        MANUAL = "manual", _("By hand")
        COVER = "cover", _("Cover for leave")

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts"
    )
    day = models.DateField(_("day"))
    template = models.ForeignKey(
        ShiftTemplate, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="+"
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), null=True, blank=True, on_delete=models.SET_NULL
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    break_starts_at = models.DateTimeField(null=True, blank=True)
    break_ends_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SOLVER)
    leave = models.ForeignKey(
        "LeaveRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )

    class Meta:
        ordering = ["day", "starts_at", "agent"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "agent", "day"], name="shift_agent_day_unique"
            )
        ]
        indexes = [models.Index(fields=["agent", "starts_at"])]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")

    def __str__(self):
        return f"{self.agent} {self.day} {self.template}"

    @property
    def on_leave(self):
        return self.leave_id is not None


class LeaveRequest(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual leave")
        PERSONAL = "personal", _("Personal leave")
        SICK = "sick", _("Sick leave")
        ABSENCE = "absence", _("Absence")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")

    def __str__(self):
        return self.number


class TrainingSession(models.Model):
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=120)
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    trainer = models.CharField(_("trainer"), max_length=60, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return self.title


class TrainingRecord(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="records")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    attended = models.BooleanField(_("attended"), default=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "agent"], name="training_record_unique")
        ]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self):
        return f"{self.session} · {self.agent}"


class EntryExam(models.Model):
    """The seeds' 上岗考核: written, oral, system operation and conduct during
    training, each passed at ``pass_mark``."""

    PARTS = ("written", "oral", "system", "conduct")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entry_exams"
    )
    taken_on = models.DateField(_("taken on"))
    written = models.PositiveSmallIntegerField(_("written"))
    oral = models.PositiveSmallIntegerField(_("oral"))
    system = models.PositiveSmallIntegerField(_("system operation"))
    conduct = models.PositiveSmallIntegerField(_("conduct in training"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"), default=PASS_MARK)
    passed = models.BooleanField(_("passed"))
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-taken_on"]
        verbose_name = _("entry examination")
        verbose_name_plural = _("entry examinations")

    def __str__(self):
        return f"{self.agent} {self.taken_on}"

    @property
    def scores(self):
        return [getattr(self, part) for part in self.PARTS]


class Probation(models.Model):
    class Status(models.TextChoices):
        ON_PROBATION = "on_probation", _("On probation")
        CONFIRMED = "confirmed", _("Confirmed")
        EXTENDED = "extended", _("Extended")
        ENDED = "ended", _("Not confirmed")

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="probation"
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.ON_PROBATION
    )
    review_note = models.TextField(_("review"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ends_on"]
        verbose_name = _("probation")
        verbose_name_plural = _("probations")

    def __str__(self):
        return f"{self.agent} {self.starts_on}–{self.ends_on}"
