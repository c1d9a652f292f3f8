"""Forecasts and the staffing plan built from them."""

import datetime
import zoneinfo

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.contacts.models import Contact
from kefu.core import timeline
from kefu.core.calendars import schedule_for_unit
from kefu.telephony.models import Call

from . import erlang, forecasting
from .models import Forecast, ForecastInterval
from .permissions import check_planner

INTERVALS = (15, 30, 60)
BACKTEST_WEEKS = 4
# Contacts carry no handle time; planners set the channel's typical one.
DEFAULT_AHT = 240


def _call_events(queue, start, end, tz):
    calls = Call.objects.filter(
        queue=queue, direction=Call.Direction.INBOUND, offered_at__gte=start, offered_at__lt=end
    ).only("offered_at", "answered_at", "ended_at", "wrapup_ended_at", "hold_seconds")
    for call in calls.iterator():
        handle = None
        if call.answered_at and call.ended_at:
            handle = (call.ended_at - call.answered_at).total_seconds() + (call.wrapup_seconds or 0)
        yield forecasting.Event(call.offered_at.astimezone(tz), handle)


def _contact_events(unit, channel, start, end, tz):
    rows = Contact.objects.filter(
        unit__path__startswith=unit.path,
        channel=channel,
        direction=Contact.Direction.INBOUND,
        occurred_at__gte=start,
        occurred_at__lt=end,
    ).values_list("occurred_at", flat=True)
    for at in rows.iterator():
        yield forecasting.Event(at.astimezone(tz), None)


def _validate(
    queue, channel, interval_minutes, days, history_weeks, target_level, shrinkage, max_occupancy
):
    errors = {}
    if (queue is None) == (not channel):
        errors["queue"] = [_("Choose either a queue or a channel.")]
    if interval_minutes not in INTERVALS:
        errors["interval_minutes"] = [_("The interval must be 15, 30 or 60 minutes.")]
    if not 1 <= days <= 31:
        errors["days"] = [_("Forecast between 1 and 31 days.")]
    if not 1 <= history_weeks <= 52:
        errors["history_weeks"] = [_("Use between 1 and 52 weeks of history.")]
    if not 0 < target_level < 1:
        errors["target_level"] = [_("The service level target must be between 0 and 1.")]
    if not 0 <= shrinkage < 0.9:
        errors["shrinkage"] = [_("Shrinkage must be between 0 and 0.9.")]
    if not 0 < max_occupancy <= 1:
        errors["max_occupancy"] = [_("Maximum occupancy must be between 0 and 1.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def build_forecast(
    *,
    user,
    unit,
    starts_on,
    queue=None,
    channel="",
    days=7,
    interval_minutes=30,
    history_weeks=8,
    shrinkage=0.3,
    max_occupancy=0.9,
    patience_seconds=None,
    target_seconds=None,
    target_level=None,
    default_aht=DEFAULT_AHT,
):
    """Forecast a queue's calls (or a channel's contacts) from the history,
    back-test the method and store the staffing each interval needs: the
    queue's own answer target unless one is given."""
    if queue is not None:
        unit = queue.unit
        target_seconds = target_seconds or queue.service_level_seconds
        target_level = float(target_level or queue.service_level_target)
    target_seconds = target_seconds or 10
    target_level = target_level or 0.9
    _validate(
        queue,
        channel,
        interval_minutes,
        days,
        history_weeks,
        target_level,
        shrinkage,
        max_occupancy,
    )
    check_planner(user, unit)
    schedule = schedule_for_unit(unit)
    tz = zoneinfo.ZoneInfo(schedule.timezone)
    history_end = starts_on
    history_start = starts_on - datetime.timedelta(weeks=history_weeks + BACKTEST_WEEKS)
    start_at = datetime.datetime.combine(history_start, datetime.time(), tz)
    end_at = datetime.datetime.combine(history_end, datetime.time(), tz)
    events = (
        _call_events(queue, start_at, end_at, tz)
        if queue is not None
        else _contact_events(unit, channel, start_at, end_at, tz)
    )
    history = forecasting.History.from_events(events, interval_minutes)
    target_days = [starts_on + datetime.timedelta(days=i) for i in range(days)]
    recent_start = starts_on - datetime.timedelta(weeks=history_weeks)
    rows = forecasting.forecast_days(
        history,
        target_days,
        recent_start,
        history_end,
        default_aht=default_aht,
        day_kind=schedule.day_kind,
    )
    mape, weeks = forecasting.backtest(
        history,
        history_start,
        history_end,
        weeks=BACKTEST_WEEKS,
        history_weeks=history_weeks,
        default_aht=default_aht,
        day_kind=schedule.day_kind,
    )
    forecast = Forecast.objects.create(
        unit=unit,
        queue=queue,
        channel=channel if queue is None else "",
        starts_on=starts_on,
        days=days,
        interval_minutes=interval_minutes,
        history_weeks=history_weeks,
        method=forecasting.METHOD,
        mape=mape,
        backtest=weeks,
        target_seconds=target_seconds,
        target_level=target_level,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience_seconds=patience_seconds,
        created_by=user,
    )
    seconds = interval_minutes * 60
    traffic = np.array([volume * aht / seconds for _d, _s, volume, aht in rows])
    aht = np.array([max(aht, 1.0) for _d, _s, _v, aht in rows])
    agents = staffing_for(traffic, aht, forecast)
    ForecastInterval.objects.bulk_create(
        ForecastInterval(
            forecast=forecast,
            starts_at=datetime.datetime.combine(day, datetime.time(), tz)
            + datetime.timedelta(minutes=slot * interval_minutes),
            volume=round(volume, 2),
            aht_seconds=round(handle, 1),
            agents=int(n),
            required=erlang.scheduled_agents(int(n), shrinkage),
        )
        for (day, slot, volume, handle), n in zip(rows, agents, strict=True)
    )
    timeline.record(
        forecast,
        "forecast.created",
        actor=user,
        message=str(forecast),
        after={"days": days, "interval_minutes": interval_minutes, "mape": mape},
    )
    return forecast


def staffing_for(traffic, aht, forecast):
    """Agents on the phones per interval for the forecast's target."""
    if forecast.patience_seconds is None:
        return erlang.required_agents_many(
            traffic,
            aht,
            forecast.target_seconds,
            forecast.target_level,
            max_occupancy=forecast.max_occupancy,
        )
    cache = {}
    result = []
    for a, h in zip(traffic.tolist(), aht.tolist(), strict=True):
        key = (round(a, 3), round(h))
        if key not in cache:
            cache[key] = erlang.required_agents(
                a,
                h,
                forecast.target_seconds,
                forecast.target_level,
                max_occupancy=forecast.max_occupancy,
                patience_seconds=forecast.patience_seconds,
            ).agents
        result.append(cache[key])
    return result
