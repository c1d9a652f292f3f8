import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.core.models import TimelineEvent
from kefu.workforce import presets, rosters
from kefu.workforce.models import Roster, Shift, ShiftTemplate, WorkProfile

from .conftest import MONDAY
from .factories import make_queue
from .helpers import plan


def _gaps(roster):
    return sum(gap for rows in rosters.coverage(roster).values() for *_r, gap in rows)


def test_seed_templates_follow_the_ecommerce_day(users, org, templates):
    assert set(templates) == {code for code, *_rest in presets.SHIFT_TEMPLATES}
    evening = templates["evening"]
    assert (evening.start, evening.end) == (datetime.time(19, 30), datetime.time(22, 0))
    assert evening.segments[0]["work"].startswith("晚班")
    assert rosters.install_templates(user=users["manager"], unit=org["east"]) == []


def test_generated_roster_covers_the_plan_within_contracts(users, org, queue, team, templates):
    plan(queue, 2)
    WorkProfile.objects.create(agent=team[0], weekly_hours=20, rest_days=3)
    roster = rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    assert roster.solver["status"] == "OPTIMAL" and roster.solver["short_slots"] == 0
    assert _gaps(roster) == 0
    for agent in team:
        shifts = list(Shift.objects.filter(roster=roster, agent=agent))
        contract = 20 if agent == team[0] else 40
        rest = 3 if agent == team[0] else 2
        assert sum(s.template.paid_minutes for s in shifts) <= contract * 60
        assert len({s.day for s in shifts}) <= 7 - rest
    # 16 agent-hours a day need three 7.5-hour shifts, their breaks staggered.
    assert Shift.objects.filter(roster=roster).count() == 15
    assert all(s.queue == queue for s in roster.shifts.all())
    assert TimelineEvent.objects.filter(verb="roster.generated").count() == 1


def test_shortage_shows_as_gaps(users, org, queue, team, templates):
    plan(queue, 9)
    roster = rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    coverage = rosters.coverage(roster)[queue.id]
    assert roster.solver["short_slots"] == _gaps(roster) > 0
    assert all(have <= 6 for _d, _s, _w, have, _g in coverage)


def test_hand_edits(users, org, queue, team, templates):
    plan(queue, 1)
    roster = rosters.generate_roster(
        user=users["supervisor"], unit=org["east"], week_start=MONDAY, time_limit=3
    )
    saturday = MONDAY + datetime.timedelta(days=5)
    shift = rosters.set_shift(
        user=users["supervisor"],
        roster=roster,
        agent=team[1],
        day=saturday,
        template=templates["late"],
        queue=queue,
    )
    assert shift.source == Shift.Source.MANUAL
    assert shift.break_starts_at - shift.starts_at == datetime.timedelta(hours=4)
    monday_shift = roster.shifts.filter(day=MONDAY).first()
    rosters.remove_shift(user=users["supervisor"], shift=monday_shift)
    assert _gaps(roster) > 0
    verbs = set(TimelineEvent.objects.values_list("verb", flat=True))
    assert {"roster.shift_set", "roster.shift_removed"} <= verbs


def test_hand_edits_are_checked(users, org, queue, team, templates):
    roster = Roster.objects.create(unit=org["east"], week_start=MONDAY)
    other = make_queue(org["east"], code="east-sales")
    cases = [
        ({"agent": team[1], "day": MONDAY - datetime.timedelta(days=1)}, "day"),
        ({"agent": users["agent_west"], "day": MONDAY}, "agent"),
        ({"agent": team[1], "day": MONDAY, "queue": other}, "queue"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as error:
            rosters.set_shift(
                user=users["supervisor"], roster=roster, template=templates["day"], **kwargs
            )
        assert field in error.value.message_dict
    with pytest.raises(PermissionDenied):
        rosters.set_shift(
            user=users["agent"], roster=roster, agent=team[1], day=MONDAY, template=templates["day"]
        )
    assert not Shift.objects.exists()


def test_roster_permissions_and_rules(users, org, queue, team, templates):
    with pytest.raises(PermissionDenied):
        rosters.generate_roster(user=users["agent"], unit=org["east"], week_start=MONDAY)
    west_supervisor = users["supervisor"].__class__.objects.create(
        username="sup_west", role="supervisor", unit=org["west"]
    )
    with pytest.raises(PermissionDenied):
        rosters.generate_roster(user=west_supervisor, unit=org["east"], week_start=MONDAY)
    with pytest.raises(ValidationError):
        rosters.generate_roster(
            user=users["supervisor"], unit=org["east"], week_start=MONDAY + datetime.timedelta(1)
        )
    roster = rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    rosters.publish_roster(user=users["supervisor"], roster=roster)
    with pytest.raises(ValidationError):
        rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)


def test_no_templates_no_roster(users, org, team):
    with pytest.raises(ValidationError) as error:
        rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    assert "templates" in error.value.message_dict
    assert not Roster.objects.exists() and not ShiftTemplate.objects.exists()
