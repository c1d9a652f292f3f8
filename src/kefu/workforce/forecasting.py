"""Interval forecasts from the center's own history; ``METHOD`` says how,
in the words the planner reads on the forecast page."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from kefu.core.businesstime import DayKind, china_day_kind

# Stored with each forecast in English and shown translated.
METHOD = gettext_noop(
    "Every interval of a day ahead is the weighted mean of the same interval on "
    "comparable days of the past weeks: the same weekday, or past public holidays for "
    "a holiday (Sundays when the history holds none), a make-up working day (调休) "
    "being forecast like a Monday. Recent weeks weigh more (each week back counts 0.8 "
    "times the one after it). Handle time per interval is the handled seconds over the "
    "handled contacts of the same days, falling back to the day's and then the whole "
    "history's mean.\n\n"
    "Its error is measured by forecasting each of the last weeks of history from the "
    "weeks before it and comparing with what happened (MAPE over the intervals that "
    "had traffic)."
)

DECAY = 0.8
HOLIDAY = "holiday"


@dataclass(frozen=True)
class Event:
    at: datetime.datetime  # local time
    handle_seconds: float | None


@dataclass
class History:
    """Counts and handle times bucketed by local day and interval."""

    interval_minutes: int
    counts: dict
    handled: dict
    handle_seconds: dict

    @classmethod
    def from_events(cls, events, interval_minutes):
        counts, handled, seconds = defaultdict(int), defaultdict(int), defaultdict(float)
        for event in events:
            minutes = event.at.hour * 60 + event.at.minute
            key = (event.at.date(), minutes // interval_minutes)
            counts[key] += 1
            if event.handle_seconds is not None:
                handled[key] += 1
                seconds[key] += event.handle_seconds
        return cls(interval_minutes, counts, handled, seconds)

    @property
    def slots(self):
        return 24 * 60 // self.interval_minutes


def profile(day, day_kind=china_day_kind):
    kind = day_kind(day)
    if kind == DayKind.HOLIDAY:
        return HOLIDAY
    if kind == DayKind.MAKEUP:
        return 0
    return day.weekday()


def _comparable_days(day, history_start, history_end, day_kind):
    """Past days forecasting ``day``, newest first, with their weights."""
    wanted = profile(day, day_kind)
    past = []
    current = history_end - datetime.timedelta(days=1)
    while current >= history_start:
        if profile(current, day_kind) == wanted:
            past.append(current)
        current -= datetime.timedelta(days=1)
    if not past and wanted == HOLIDAY:
        past = [
            d
            for d in (
                history_end - datetime.timedelta(days=i + 1)
                for i in range((history_end - history_start).days)
            )
            if d.weekday() == 6 and profile(d, day_kind) != HOLIDAY
        ]
    return [(d, DECAY ** ((history_end - d).days // 7)) for d in past]


def forecast_days(
    history, days, history_start, history_end, *, default_aht, day_kind=china_day_kind
):
    """[(day, slot, volume, aht)] for every interval of ``days``."""
    all_handled = sum(history.handled.values())
    overall_aht = sum(history.handle_seconds.values()) / all_handled if all_handled else default_aht
    rows = []
    for day in days:
        comparable = _comparable_days(day, history_start, history_end, day_kind)
        total_weight = sum(w for _, w in comparable)
        day_handled = sum(
            history.handled.get((d, s), 0) for d, _ in comparable for s in range(history.slots)
        )
        day_seconds = sum(
            history.handle_seconds.get((d, s), 0.0)
            for d, _ in comparable
            for s in range(history.slots)
        )
        day_aht = day_seconds / day_handled if day_handled else overall_aht
        for slot in range(history.slots):
            volume = (
                sum(history.counts.get((d, slot), 0) * w for d, w in comparable) / total_weight
                if total_weight
                else 0.0
            )
            handled = sum(history.handled.get((d, slot), 0) for d, _ in comparable)
            seconds = sum(history.handle_seconds.get((d, slot), 0.0) for d, _ in comparable)
            rows.append((day, slot, volume, seconds / handled if handled else day_aht))
    return rows


def backtest(
    history,
    history_start,
    history_end,
    *,
    weeks,
    history_weeks,
    default_aht,
    day_kind=china_day_kind,
):
    """MAPE of forecasting each of the last ``weeks`` weeks from the weeks
    before it: (overall MAPE or None, [{week, mape, actual, forecast}])."""
    results, errors = [], []
    for back in range(weeks, 0, -1):
        week_start = history_end - datetime.timedelta(weeks=back)
        earliest = max(history_start, week_start - datetime.timedelta(weeks=history_weeks))
        if week_start - earliest < datetime.timedelta(weeks=1):
            continue
        days = [week_start + datetime.timedelta(days=i) for i in range(7)]
        rows = forecast_days(
            history, days, earliest, week_start, default_aht=default_aht, day_kind=day_kind
        )
        week_errors, actual_total, forecast_total = [], 0, 0.0
        for day, slot, volume, _aht in rows:
            actual = history.counts.get((day, slot), 0)
            actual_total += actual
            forecast_total += volume
            if actual:
                week_errors.append(abs(volume - actual) / actual)
        if week_errors:
            errors.extend(week_errors)
            results.append(
                {
                    "week": week_start.isoformat(),
                    "mape": round(100 * sum(week_errors) / len(week_errors), 1),
                    "actual": actual_total,
                    "forecast": round(forecast_total, 1),
                }
            )
    overall = round(100 * sum(errors) / len(errors), 1) if errors else None
    return overall, results
