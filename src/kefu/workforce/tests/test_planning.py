import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.core.models import TimelineEvent
from kefu.workforce import erlang, forecasting, planning
from kefu.workforce.models import Forecast, ForecastInterval

from .conftest import MONDAY
from .factories import make_calls, make_queue


def _pattern(day, hour):
    if day.weekday() < 5:
        return 12 if 9 <= hour < 17 else 0
    return 4 if 10 <= hour < 16 else 0


@pytest.fixture
def history(queue):
    first = MONDAY - datetime.timedelta(weeks=3 + planning.BACKTEST_WEEKS)
    days = [first + datetime.timedelta(days=i) for i in range((MONDAY - first).days)]
    return make_calls(queue, days=days, per_hour=_pattern)


def test_forecast_repeats_a_steady_week_and_staffs_it(users, queue, history):
    forecast = planning.build_forecast(
        user=users["supervisor"],
        unit=queue.unit,
        queue=queue,
        starts_on=MONDAY,
        days=7,
        interval_minutes=60,
        history_weeks=3,
        shrinkage=0.25,
    )
    rows = list(forecast.intervals.all())
    assert len(rows) == 7 * 24
    assert forecast.target_seconds == 10 and forecast.target_level == pytest.approx(0.9)
    assert forecast.mape == 0.0 and len(forecast.backtest) == planning.BACKTEST_WEEKS
    for row in rows:
        local = row.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        assert row.volume == pytest.approx(_pattern(local.date(), local.hour))
        if row.volume:
            assert row.aht_seconds == pytest.approx(180)
            want = erlang.required_agents(row.volume * 180 / 3600, 180, 10, 0.9, max_occupancy=0.9)
            assert row.agents == want.agents
            assert row.required == erlang.scheduled_agents(want.agents, 0.25)
        else:
            assert row.agents == row.required == 0
    event = TimelineEvent.objects.get(verb="forecast.created")
    assert event.after["mape"] == 0.0


def test_erlang_a_forecast_needs_no_more_agents(users, queue, history):
    common = {"user": users["supervisor"], "unit": queue.unit, "queue": queue, "starts_on": MONDAY}
    c = planning.build_forecast(**common, days=1, history_weeks=3)
    a = planning.build_forecast(**common, days=1, history_weeks=3, patience_seconds=60)
    pairs = zip(c.intervals.all(), a.intervals.all(), strict=True)
    assert all(x.agents >= y.agents for x, y in pairs)


def test_forecast_of_a_channel_uses_contacts(users, org):
    forecast = planning.build_forecast(
        user=users["supervisor"], unit=org["east"], channel="wechat", starts_on=MONDAY, days=1
    )
    assert forecast.intervals.count() == 48 and forecast.mape is None


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"interval_minutes": 20}, "interval_minutes"),
        ({"days": 0}, "days"),
        ({"shrinkage": 0.95}, "shrinkage"),
        ({"channel": "phone"}, "queue"),
    ],
)
def test_malformed_forecast_writes_nothing(users, queue, kwargs, field):
    with pytest.raises(ValidationError) as error:
        planning.build_forecast(
            user=users["supervisor"], unit=queue.unit, queue=queue, starts_on=MONDAY, **kwargs
        )
    assert field in error.value.message_dict
    assert not Forecast.objects.exists() and not ForecastInterval.objects.exists()


def test_only_planners_of_the_unit_forecast(users, org, queue):
    west_queue = make_queue(org["west"], code="west-q")
    with pytest.raises(PermissionDenied):
        planning.build_forecast(user=users["agent"], unit=queue.unit, queue=queue, starts_on=MONDAY)
    with pytest.raises(PermissionDenied):
        planning.build_forecast(
            user=users["supervisor"], unit=org["west"], queue=west_queue, starts_on=MONDAY
        )
    assert not Forecast.objects.exists()


def test_holidays_are_forecast_from_past_holidays():
    holiday = datetime.date(2026, 10, 1)
    kinds = {datetime.date(2026, 9, 24): "holiday"}

    def day_kind(day):
        return "holiday" if day in kinds or day == holiday else None

    events = [
        forecasting.Event(datetime.datetime(2026, 9, 24, 10, m), 100) for m in range(0, 60, 20)
    ] + [forecasting.Event(datetime.datetime(2026, 9, 30, 10, m), 100) for m in range(0, 60, 2)]
    history = forecasting.History.from_events(events, 60)
    rows = forecasting.forecast_days(
        history,
        [holiday],
        datetime.date(2026, 9, 1),
        holiday,
        default_aht=200,
        day_kind=day_kind,
    )
    assert rows[10][2] == pytest.approx(3)  # the past holiday's 3 calls, not Wednesday's 30
