"""Business-time arithmetic against a brute-force minute-by-minute reference,
and against the 2025 and 2026 holiday calendars of mainland China."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.core.businesstime import DayKind, Schedule, china_day_kind

SH = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)

OFFICE = Schedule(weekly=dict.fromkeys(range(5), ((540, 720), (780, 1110))))  # 9–12, 13–18:30
SEVEN_DAYS = Schedule(weekly=dict.fromkeys(range(7), ((480, 1320),)))  # 8–22 every day
ALWAYS = Schedule.always_open()
SCHEDULES = [OFFICE, SEVEN_DAYS, ALWAYS]


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def reference_add(schedule, start, minutes):
    """Walk minute by minute, counting the open ones."""
    moment = start
    while minutes:
        if schedule.is_open(moment):
            minutes -= 1
        moment += MINUTE
    return moment


def reference_elapsed(schedule, start, end):
    count, moment = 0, start
    while moment < end:
        count += schedule.is_open(moment)
        moment += MINUTE
    return timedelta(minutes=count)


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=SH)
)


@settings(max_examples=60, deadline=None)
@given(schedule=st.sampled_from(SCHEDULES), start=moments, minutes=st.integers(1, 3 * 24 * 60))
def test_add_matches_minute_by_minute_reference(schedule, start, minutes):
    result = schedule.add(start, timedelta(minutes=minutes))
    expected = reference_add(schedule, start, minutes)
    # The reference stops right after the last open minute; when that minute
    # ends a span, the reference and add() agree on the span's end.
    assert result == expected


@settings(max_examples=60, deadline=None)
@given(schedule=st.sampled_from(SCHEDULES), start=moments, minutes=st.integers(0, 4 * 24 * 60))
def test_elapsed_matches_reference(schedule, start, minutes):
    end = start + timedelta(minutes=minutes)
    assert schedule.elapsed(start, end) == reference_elapsed(schedule, start, end)


@settings(max_examples=100, deadline=None)
@given(schedule=st.sampled_from(SCHEDULES), start=moments, minutes=st.integers(0, 30 * 24 * 60))
def test_elapsed_inverts_add(schedule, start, minutes):
    duration = timedelta(minutes=minutes)
    assert schedule.elapsed(start, schedule.add(start, duration)) == duration


def test_deadline_ending_a_span_falls_at_its_end():
    # Monday 2026-11-23 17:30 + 1 h → 18:30 the same day, not 9:00 next day.
    assert OFFICE.add(at(2026, 11, 23, 17, 30), timedelta(hours=1)) == at(2026, 11, 23, 18, 30)
    assert OFFICE.add(at(2026, 11, 23, 17, 30), timedelta(hours=1, minutes=1)) == at(
        2026, 11, 24, 9, 1
    )


def test_lunch_break_is_skipped():
    assert OFFICE.add(at(2026, 11, 23, 11, 30), timedelta(hours=1)) == at(2026, 11, 23, 13, 30)


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2025, 1, 26), DayKind.MAKEUP),  # Sunday worked before Spring Festival 2025
        (date(2025, 1, 28), DayKind.HOLIDAY),  # 除夕 2025
        (date(2025, 10, 1), DayKind.HOLIDAY),
        (date(2025, 10, 11), DayKind.MAKEUP),
        (date(2026, 1, 4), DayKind.MAKEUP),
        (date(2026, 2, 14), DayKind.MAKEUP),
        (date(2026, 2, 17), DayKind.HOLIDAY),  # Spring Festival 2026
        (date(2026, 10, 1), DayKind.HOLIDAY),
        (date(2026, 10, 3), DayKind.HOLIDAY),  # a Saturday inside the National Day break
        (date(2026, 11, 24), None),  # an ordinary Tuesday
        (date(2026, 11, 28), None),  # an ordinary Saturday
    ],
)
def test_china_calendar_2025_2026(day, kind):
    assert china_day_kind(day) == kind


def test_national_day_week_2026_is_skipped_and_makeup_saturday_worked():
    # Wed 2026-09-30 18:00 + 1 h: Oct 1–7 closed (holiday), Oct 8 Thursday opens.
    assert OFFICE.add(at(2026, 9, 30, 18, 0), timedelta(hours=1)) == at(2026, 10, 8, 9, 30)
    # Friday 2026-10-09 18:30 + 1 h lands on make-up Saturday 2026-10-10.
    assert OFFICE.add(at(2026, 10, 9, 18, 30), timedelta(hours=1)) == at(2026, 10, 10, 10, 0)


def test_seven_day_center_closes_on_public_holidays_falling_on_weekends():
    assert not SEVEN_DAYS.is_open(at(2026, 10, 3, 10, 0))
    assert SEVEN_DAYS.is_open(at(2026, 11, 28, 10, 0))


def test_overrides_close_or_open_a_date():
    closed = Schedule(weekly=OFFICE.weekly, overrides={date(2026, 11, 24): ()})
    assert closed.add(at(2026, 11, 23, 18, 0), timedelta(hours=1)) == at(2026, 11, 25, 9, 30)
    opened = Schedule(weekly=OFFICE.weekly, overrides={date(2026, 11, 28): ((600, 720),)})
    assert opened.is_open(at(2026, 11, 28, 11, 0))


def test_always_open_is_calendar_time():
    start = at(2026, 10, 1, 8, 0)
    assert ALWAYS.add(start, timedelta(hours=48)) == start + timedelta(hours=48)


def test_next_open_and_bad_input():
    assert OFFICE.next_open(at(2026, 11, 28, 12, 0)) == at(2026, 11, 30, 9, 0)
    with pytest.raises(ValueError):
        OFFICE.add(datetime(2026, 1, 1), timedelta(hours=1))
    with pytest.raises(ValueError):
        OFFICE.add(at(2026, 1, 5), timedelta(hours=-1))
    with pytest.raises(ValueError):
        Schedule(weekly={0: ((600, 500),)})
    with pytest.raises(ValueError):
        Schedule(weekly={}).add(at(2026, 1, 5), timedelta(hours=1))


def test_result_keeps_callers_timezone():
    utc_start = at(2026, 11, 23, 9, 0).astimezone(ZoneInfo("UTC"))
    result = OFFICE.add(utc_start, timedelta(hours=2))
    assert result.tzinfo == ZoneInfo("UTC") and result == at(2026, 11, 23, 11, 0)
