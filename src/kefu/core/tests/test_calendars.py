from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kefu.core.calendars import (
    BusinessCalendar,
    CalendarDay,
    OpeningHours,
    calendar_for_unit,
    schedule_for_unit,
)

SH = ZoneInfo("Asia/Shanghai")


def test_default_calendars_are_installed(db):
    office = BusinessCalendar.objects.get(is_default=True)
    assert office.hours.count() == 5
    assert BusinessCalendar.objects.get(code="always").always_open


def test_unit_inherits_nearest_calendar(org):
    always = BusinessCalendar.objects.get(code="always")
    assert calendar_for_unit(org["east"]).is_default
    org["hq"].calendar = always
    org["hq"].save()
    assert calendar_for_unit(org["east"]) == always
    office = BusinessCalendar.objects.get(code="office")
    org["east"].calendar = office
    org["east"].save()
    assert calendar_for_unit(org["east"]) == office
    assert calendar_for_unit(org["west"]) == always


def test_schedule_follows_rows_and_is_rebuilt_after_changes(org):
    schedule = schedule_for_unit(org["east"])
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=SH)
    assert not schedule.is_open(saturday)
    office = BusinessCalendar.objects.get(code="office")
    OpeningHours.objects.create(calendar=office, weekday=5, opens=time(9), closes=time(12))
    assert schedule_for_unit(org["east"]).is_open(saturday)
    CalendarDay.objects.create(calendar=office, date=date(2026, 11, 28), note="停电检修")
    assert not schedule_for_unit(org["east"]).is_open(saturday)


def test_closing_at_midnight_means_end_of_day(db):
    cal = BusinessCalendar.objects.create(name="夜班", code="night", follows_china_holidays=False)
    for d in range(7):
        OpeningHours.objects.create(calendar=cal, weekday=d, opens=time(20), closes=time(0))
    start = datetime(2026, 11, 23, 23, 0, tzinfo=SH)
    assert cal.schedule().add(start, timedelta(hours=2)) == datetime(2026, 11, 24, 21, 0, tzinfo=SH)


def test_bad_rows_are_refused_with_a_message(db):
    cal = BusinessCalendar.objects.get(code="office")
    with pytest.raises(ValidationError):
        OpeningHours(calendar=cal, weekday=0, opens=time(18), closes=time(9)).full_clean()
    with pytest.raises(ValidationError):
        CalendarDay(calendar=cal, date=date(2026, 12, 1), is_open=True).full_clean()
