"""Night shifts: a template that ends on the day after it starts (a
24-hour hotline's 夜班)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kefu.core.models import TimelineEvent
from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.telephony.models import AgentStateLog, AgentStatus
from kefu.workforce import attendance, rostering, rosters
from kefu.workforce.models import Roster, Shift, ShiftTemplate

from .conftest import MONDAY
from .helpers import TZ, plan

NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


@pytest.fixture
def night(org):
    return ShiftTemplate.objects.create(
        unit=org["east"],
        code="night",
        name="夜班",
        name_en="Night",
        start=datetime.time(22, 0),
        end=datetime.time(7, 0),
        break_minutes=60,
        break_after_minutes=240,
    )


def test_a_night_shift_ends_the_next_day(night):
    assert night.crosses_midnight
    assert night.span_minutes == 9 * 60 and night.paid_minutes == 8 * 60
    assert str(night) == "夜班 22:00–次日07:00"
    with translation.override("en"):
        assert night.hours == "22:00–07:00 next day"
    # The solver may move the break; this is the template's own.
    [spec] = [s for s in rosters.template_specs(night) if s.break_start == s.start + 240]
    assert (spec.start, spec.end) == (22 * 60, 31 * 60)
    # 22:00-02:00 worked, 02:00-03:00 break, 03:00-07:00 worked.
    assert spec.covers(44, 30) and spec.covers(49, 30) and not spec.covers(52, 30)
    assert spec.covers(48 + 6, 30) and not spec.covers(48 + 14, 30)


@pytest.mark.parametrize(
    "start, end, break_after, field",
    [
        (datetime.time(8), datetime.time(8), 120, "end"),
        (datetime.time(22), datetime.time(2), 240, "break_after_minutes"),
        (datetime.time(9), datetime.time(17), 0, "break_after_minutes"),
    ],
)
def test_a_template_that_cannot_be_worked_is_refused(org, start, end, break_after, field):
    template = ShiftTemplate(
        unit=org["east"],
        code="bad",
        name="坏班",
        start=start,
        end=end,
        break_minutes=60,
        break_after_minutes=break_after,
    )
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert field in caught.value.message_dict


def test_the_roster_covers_the_night_with_night_shifts(
    client, users, org, queue, team, templates, night
):
    # A 24-hour hotline's nights: two agents from 22:00 to 07:00, every
    # night, planned for two weeks.
    for week in (MONDAY, NEXT_MONDAY):
        plan(queue, 2, hours=[22, 23, 0, 1, 2, 3, 4, 5, 6], weekdays=range(7), week=week)
    roster = rosters.generate_roster(
        user=users["supervisor"], unit=org["east"], week_start=MONDAY, time_limit=10
    )
    nights = list(Shift.objects.filter(roster=roster, template=night))
    assert nights and all(s.template == night for s in roster.shifts.all())
    first = min(nights, key=lambda s: s.day)
    assert first.ends_at - first.starts_at == datetime.timedelta(hours=9)
    assert first.ends_at.astimezone(TZ).date() == first.day + datetime.timedelta(days=1)
    coverage = rosters.coverage(roster)[queue.id]
    # Monday's 00:00-07:00 has no night shift before it in this week:
    # every other night slot is covered, the breaks staggered.
    gaps = {(day, slot) for day, slot, _want, _have, gap in coverage if gap}
    assert all(day == 0 and slot < 14 for day, slot in gaps)
    tuesday_three = [have for day, slot, _w, have, _g in coverage if (day, slot) == (1, 6)]
    assert tuesday_three == [2]
    # The roster page's chart shows the whole night.
    client.force_login(users["supervisor"])
    page = client.get(reverse("workforce:roster"), {"unit": "east", "week": MONDAY.isoformat()})
    [chart] = page.context["coverage"]
    tuesday = (MONDAY + datetime.timedelta(days=1)).strftime("%m-%d")
    at_three = chart["labels"].index(f"{tuesday} 03:00")
    assert chart["scheduled"][at_three] == 2 and chart["gap"][at_three] == 0
    # The next week: Sunday's night shifts cover its Monday morning, and
    # their agents do not start that Monday before eight hours of rest.
    sunday = list(roster.shifts.filter(day=NEXT_MONDAY - datetime.timedelta(days=1)))
    assert len(sunday) >= 2
    after = rosters.generate_roster(
        user=users["supervisor"], unit=org["east"], week_start=NEXT_MONDAY, time_limit=10
    )
    assert not any(gap for _d, _s, _w, _h, gap in rosters.coverage(after)[queue.id])
    assert after.solver["short_slots"] == 0
    rested = Shift.objects.filter(
        roster=after, day=NEXT_MONDAY, agent__in=[s.agent for s in sunday]
    )
    assert all(s.template == night for s in rested)


def test_a_night_shift_is_not_followed_by_an_early_one(users, org, queue, team, templates, night):
    roster = Roster.objects.create(unit=org["east"], week_start=MONDAY)
    tuesday = MONDAY + datetime.timedelta(days=1)
    rosters.set_shift(
        user=users["supervisor"], roster=roster, agent=team[0], day=MONDAY, template=night
    )
    with pytest.raises(ValidationError) as caught:
        rosters.set_shift(
            user=users["supervisor"],
            roster=roster,
            agent=team[0],
            day=tuesday,
            template=templates["early"],
        )
    assert "template" in caught.value.message_dict
    rosters.set_shift(
        user=users["supervisor"], roster=roster, agent=team[0], day=tuesday, template=night
    )
    with pytest.raises(ValidationError):
        rosters.set_shift(
            user=users["supervisor"],
            roster=roster,
            agent=team[0],
            day=tuesday + datetime.timedelta(days=1),
            template=templates["middle"],
        )
    # A late shift (ending 22:00) leaves 10.5 hours before an early one.
    assert rostering.too_close(
        rosters.template_specs(night)[0], rosters.template_specs(templates["early"])[0]
    )
    assert not rostering.too_close(
        rosters.template_specs(templates["late"])[0], rosters.template_specs(templates["early"])[0]
    )


def test_adherence_over_midnight(users, org, queue, team, templates, night):
    roster = Roster.objects.create(unit=org["east"], week_start=MONDAY)
    shift = rosters.set_shift(
        user=users["supervisor"], roster=roster, agent=team[0], day=MONDAY, template=night
    )
    midnight = datetime.datetime.combine(MONDAY, datetime.time(), TZ)
    hours = datetime.timedelta(hours=1)
    AgentStateLog.objects.create(
        agent=team[0],
        status=AgentStatus.READY,
        started_at=midnight + 22 * hours,
        ended_at=midnight + 31 * hours,
    )
    [row] = attendance.adherence([shift], now=shift.ends_at)
    assert row["scheduled_minutes"] == 8 * 60
    assert row["adhering_minutes"] == 8 * 60 and row["late_minutes"] == 0


def test_operators_set_a_night_shift_in_the_admin(client, org, night):
    ops = UserFactory(
        username="ops", role=Role.ADMIN, unit=org["hq"], is_staff=True, is_superuser=True
    )
    client.force_login(ops)
    page = client.get("/admin/workforce/shifttemplate/", headers={"Accept-Language": "zh-hans"})
    assert "22:00–次日07:00" in page.content.decode()
    form = {
        "unit": org["east"].pk,
        "code": "overnight",
        "name": "通宵班",
        "start": "23:00",
        "end": "23:00",
        "break_minutes": 60,
        "break_after_minutes": 240,
        "colour": "blue",
        "segments": "[]",
        "is_active": "on",
    }
    refused = client.post("/admin/workforce/shifttemplate/add/", form)
    assert refused.status_code == 200
    assert not ShiftTemplate.objects.filter(code="overnight").exists()
    saved = client.post("/admin/workforce/shifttemplate/add/", dict(form, end="08:00"))
    assert saved.status_code == 302
    assert ShiftTemplate.objects.get(code="overnight").paid_minutes == 8 * 60


def test_planners_keep_their_units_shift_templates(client, users, org, templates):
    url = reverse("workforce:shift_templates")
    client.force_login(users["agent"])
    assert client.get(url).status_code == 403
    client.force_login(users["supervisor"])
    page = client.get(url, {"unit": "east"})
    assert page.status_code == 200 and list(page.context["own"]) == sorted(
        templates.values(), key=lambda t: (t.start, t.code)
    )
    form = {
        "unit": "east",
        "code": "night",
        "name": "夜班",
        "name_en": "Night",
        "start": "22:00",
        "end": "07:00",
        "break_minutes": 60,
        "break_after_minutes": 600,
        "colour": "indigo",
        "is_active": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "break_after_minutes" in refused.context["form"].errors
    taken = client.post(url, dict(form, code="early", break_after_minutes=240))
    assert "code" in taken.context["form"].errors
    assert client.post(url, dict(form, break_after_minutes=240)).status_code == 302
    night = ShiftTemplate.objects.get(unit=org["east"], code="night")
    assert night.crosses_midnight and night.paid_hours == 8
    changed = client.post(url, dict(form, template=night.pk, end="06:00", break_after_minutes=240))
    assert changed.status_code == 302
    night.refresh_from_db()
    assert night.end == datetime.time(6, 0)
    event = TimelineEvent.objects.filter(verb="shift_template.changed").get()
    assert event.before == {"end": "07:00"} and event.after == {"end": "06:00"}
    # Another unit's planner sees neither the page of this unit nor its templates.
    west = UserFactory(username="sup_west", role=Role.SUPERVISOR, unit=org["west"])
    client.force_login(west)
    page = client.get(url, {"unit": "east"})
    assert page.context["unit"] == org["west"] and night not in page.context["own"]
    client.post(url, dict(form, template=night.pk, end="05:00", break_after_minutes=240))
    night.refresh_from_db()
    assert night.end == datetime.time(6, 0)
    # What they posted went to their own unit.
    assert ShiftTemplate.objects.get(unit=org["west"], code="night").end == datetime.time(5, 0)
