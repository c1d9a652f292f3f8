"""Business calendars: the opening hours of a unit, its public holidays
(mainland China's, with make-up working days) and local closures. A unit
without a calendar uses its parent's; the root falls back to the default
calendar. ``schedule_for_unit`` turns them into a ``businesstime.Schedule``.
"""

import time as time_module
from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.businesstime import Schedule, china_day_kind, no_holidays


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=60)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    timezone = models.CharField(_("time zone"), max_length=40, default="Asia/Shanghai")
    always_open = models.BooleanField(
        _("open 24×7"), default=False, help_text=_("Business time equals calendar time.")
    )
    follows_china_holidays = models.BooleanField(
        _("mainland China public holidays"),
        default=True,
        help_text=_("Closed on public holidays, open on make-up working days (调休)."),
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Used by units that have no calendar of their own."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return self.name

    def schedule(self) -> Schedule:
        key = (self.pk, self.updated_at)
        cached = _SCHEDULES.get(self.pk)
        if cached and cached[0] == key:
            return cached[1]
        schedule = self._build_schedule()
        _SCHEDULES[self.pk] = (key, schedule)
        return schedule

    def _build_schedule(self) -> Schedule:
        if self.always_open:
            return Schedule.always_open(self.timezone)
        weekly: dict[int, list] = {}
        for row in self.hours.order_by("weekday", "opens"):
            weekly.setdefault(row.weekday, []).append(row.interval)
        overrides: dict = {}
        for row in self.days.order_by("date", "opens"):
            day = overrides.setdefault(row.date, [])
            if row.is_open:
                day.append(row.interval)
        return Schedule(
            weekly={d: tuple(v) for d, v in weekly.items()},
            timezone=self.timezone,
            day_kind=china_day_kind if self.follows_china_holidays else no_holidays,
            overrides={d: tuple(v) for d, v in overrides.items()},
        )


# Built schedules by calendar id, with the key they were built from; a sweep
# over many orders then reads each calendar's rows once. Saving or deleting
# a row of hours or days touches the calendar, which changes the key.
_SCHEDULES: dict[int, tuple] = {}


def touch_calendar(sender, instance, **kwargs):
    BusinessCalendar.objects.filter(pk=instance.calendar_id).update(updated_at=timezone.now())
    forget_schedules()


def _minutes(t: time, *, end=False) -> int:
    minutes = t.hour * 60 + t.minute
    return 1440 if end and minutes == 0 else minutes


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening span on a weekday; a closing time of 00:00 means midnight."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def interval(self):
        return (_minutes(self.opens), _minutes(self.closes, end=True))

    def clean(self):
        start, end = self.interval
        if end <= start:
            raise ValidationError(_("The closing time must be after the opening time."))


class CalendarDay(models.Model):
    """A date that differs from the weekly hours: a local closure, or special
    opening hours (several rows for several spans)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_open = models.BooleanField(_("open"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "date", "opens"]
        verbose_name = _("special day")
        verbose_name_plural = _("special days")

    def __str__(self):
        return f"{self.date} {self.note}".strip()

    @property
    def interval(self):
        return (_minutes(self.opens), _minutes(self.closes, end=True))

    def clean(self):
        if self.is_open:
            if self.opens is None or self.closes is None:
                raise ValidationError(_("An open day needs opening and closing times."))
            start, end = self.interval
            if end <= start:
                raise ValidationError(_("The closing time must be after the opening time."))


for _model in (OpeningHours, CalendarDay):
    post_save.connect(touch_calendar, sender=_model)
    post_delete.connect(touch_calendar, sender=_model)


def calendar_for_unit(unit) -> BusinessCalendar | None:
    """The unit's own calendar, else the nearest ancestor's, else the default."""
    from kefu.core.models import OrgUnit

    if unit is not None:
        if unit.calendar_id:
            return unit.calendar
        codes = [c for c in unit.path.strip("/").split("/") if c]
        ancestors = {
            u.code: u for u in OrgUnit.objects.filter(code__in=codes).select_related("calendar")
        }
        for code in reversed(codes):
            ancestor = ancestors.get(code)
            if ancestor is not None and ancestor.calendar_id:
                return ancestor.calendar
    return BusinessCalendar.objects.filter(is_default=True).first()


# Every order registered or moved asks for its unit's schedule, so the
# answer is kept per unit for SCHEDULE_TTL seconds; a change to a calendar,
# its rows or a unit in this process clears it at once, other processes see
# it within the TTL.
SCHEDULE_TTL = 60
_unit_schedules: dict[str, tuple[float, Schedule]] = {}


def forget_schedules(**kwargs):
    _unit_schedules.clear()


for _model in (BusinessCalendar, "core.OrgUnit"):
    post_save.connect(forget_schedules, sender=_model)
    post_delete.connect(forget_schedules, sender=_model)


def schedule_for_unit(unit) -> Schedule:
    key = unit.path if unit is not None else ""
    cached = _unit_schedules.get(key)
    if cached and cached[0] > time_module.monotonic():
        return cached[1]
    calendar = calendar_for_unit(unit)
    if calendar is None:
        schedule = Schedule.office_hours(start=(9, 0), end=(18, 30))
    else:
        schedule = calendar.schedule()
    _unit_schedules[key] = (time_module.monotonic() + SCHEDULE_TTL, schedule)
    return schedule


def install_default_calendars(**kwargs):
    """A weekday office calendar (the default) and a 24×7 one, once."""
    if BusinessCalendar.objects.exists():
        return
    office = BusinessCalendar.objects.create(
        name="工作日 9:00–18:30", code="office", is_default=True, updated_at=timezone.now()
    )
    for weekday in range(5):
        OpeningHours.objects.create(
            calendar=office, weekday=weekday, opens=time(9), closes=time(18, 30)
        )
    BusinessCalendar.objects.create(name="7×24 小时", code="always", always_open=True)
