"""Business-time arithmetic: add N business hours to a moment, and measure
the business time between two moments, on a schedule of opening hours that
follows mainland China's public holidays and make-up working days (调休).

Written once here and used by every clock (SLA deadlines, dispatch
deadlines, callback windows). A ``Schedule`` is plain data; calendars stored
in the database build one with ``Schedule(...)``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

# An opening interval within one day, in minutes after midnight: (540, 1110)
# is 9:00–18:30; an end of 1440 means midnight at the end of the day.
Interval = tuple[int, int]

MAX_CLOSED_DAYS = 400


class DayKind:
    HOLIDAY = "holiday"  # a public holiday: closed whatever the weekday
    MAKEUP = "makeup"  # a weekend day worked instead of a holiday (调休)


@lru_cache(maxsize=4096)
def china_day_kind(day: date) -> str | None:
    """Holiday or make-up working day in mainland China, else None.

    Years the library does not cover yet fall back to the plain weekly
    hours; local closures on the calendar cover such gaps."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if on_holiday and name:
        return DayKind.HOLIDAY
    if not on_holiday and day.weekday() >= 5:
        return DayKind.MAKEUP
    return None


def no_holidays(day: date) -> str | None:
    return None


@dataclass(frozen=True)
class Schedule:
    """Opening hours by weekday (0 = Monday), public holidays by ``day_kind``,
    and per-date overrides (a closure is an empty list)."""

    weekly: dict[int, tuple[Interval, ...]]
    timezone: str = "Asia/Shanghai"
    day_kind: Callable[[date], str | None] = china_day_kind
    # Hours on a make-up working day; by default those of the first weekday
    # that has any.
    makeup_hours: tuple[Interval, ...] | None = None
    overrides: dict[date, tuple[Interval, ...]] = field(default_factory=dict)

    def __post_init__(self):
        for intervals in [*self.weekly.values(), *self.overrides.values()]:
            _check_intervals(intervals)

    @classmethod
    def always_open(cls, timezone="Asia/Shanghai"):
        return cls(
            weekly=dict.fromkeys(range(7), ((0, 1440),)), timezone=timezone, day_kind=no_holidays
        )

    @classmethod
    def office_hours(cls, start=(9, 0), end=(18, 0), weekdays=range(5), **kwargs):
        interval = (start[0] * 60 + start[1], end[0] * 60 + end[1])
        return cls(weekly=dict.fromkeys(weekdays, (interval,)), **kwargs)

    @property
    def tz(self):
        return ZoneInfo(self.timezone)

    def intervals(self, day: date) -> tuple[Interval, ...]:
        if day in self.overrides:
            return self.overrides[day]
        kind = self.day_kind(day)
        if kind == DayKind.HOLIDAY:
            return ()
        if kind == DayKind.MAKEUP:
            if self.makeup_hours is not None:
                return self.makeup_hours
            return next((self.weekly[d] for d in range(7) if self.weekly.get(d)), ())
        return self.weekly.get(day.weekday(), ())

    def _spans(self, day: date) -> Iterable[tuple[datetime, datetime]]:
        """Opening spans of ``day`` as naive local datetimes."""
        midnight = datetime.combine(day, time())
        for start, end in self.intervals(day):
            yield midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("business-time arithmetic needs aware datetimes")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.tz)

    def is_open(self, moment: datetime) -> bool:
        local = self._local(moment)
        return any(s <= local < e for s, e in self._spans(local.date()))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of business time has passed after ``start``.

        A deadline that uses up an opening span exactly falls at the span's
        end (18:30), not at the next opening."""
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        if duration == timedelta(0):
            return start
        local = self._local(start)
        remaining = duration
        day = local.date()
        closed_days = 0
        while True:
            any_span = False
            for span_start, span_end in self._spans(day):
                any_span = True
                if span_end <= local:
                    continue
                begin = max(local, span_start)
                available = span_end - begin
                if remaining <= available:
                    return self._aware(begin + remaining).astimezone(start.tzinfo)
                remaining -= available
            closed_days = 0 if any_span else closed_days + 1
            if closed_days > MAX_CLOSED_DAYS:
                raise ValueError("the schedule is never open")
            day += timedelta(days=1)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two moments (zero when ``end`` is not later)."""
        a, b = self._local(start), self._local(end)
        total = timedelta(0)
        if b <= a:
            return total
        day = a.date()
        while day <= b.date():
            for span_start, span_end in self._spans(day):
                lo, hi = max(a, span_start), min(b, span_end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` if open, else the next opening."""
        local = self._local(moment)
        day = local.date()
        for _ in range(MAX_CLOSED_DAYS + 1):
            for span_start, span_end in self._spans(day):
                if span_end > local:
                    return self._aware(max(local, span_start)).astimezone(moment.tzinfo)
            day += timedelta(days=1)
        raise ValueError("the schedule is never open")


def _check_intervals(intervals):
    previous_end = 0
    for start, end in intervals:
        if not (0 <= start < end <= 1440) or start < previous_end:
            raise ValueError(f"opening intervals must be ordered and within a day: {intervals!r}")
        previous_end = end
