import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.core.models import TimelineEvent
from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.workforce import leave, rosters
from kefu.workforce.models import LeaveRequest, Shift

from .conftest import MONDAY
from .helpers import TZ, plan


def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), TZ)


@pytest.fixture
def roster(users, org, queue, team, templates):
    plan(queue, 1, hours=range(9, 12))
    roster = rosters.Roster.objects.create(unit=org["east"], week_start=MONDAY)
    for agent, day in ((users["agent"], MONDAY), (team[1], MONDAY + datetime.timedelta(days=1))):
        rosters.set_shift(
            user=users["supervisor"],
            roster=roster,
            agent=agent,
            day=day,
            template=templates["early"],
            queue=queue,
        )
    return roster


def test_approved_leave_opens_a_gap_and_a_cover_closes_it(users, queue, team, roster):
    request = leave.request_leave(
        user=users["agent"],
        kind=LeaveRequest.Kind.SICK,
        starts_at=_at(MONDAY, 0),
        ends_at=_at(MONDAY, 23),
        reason="发烧",
    )
    assert request.number.startswith("QJ") and request.status == LeaveRequest.Status.PENDING
    leave.decide_leave(user=users["supervisor"], leave=request, approve=True, note="批准")
    shift = Shift.objects.get(agent=users["agent"], day=MONDAY)
    assert shift.leave == request
    assert sum(g for *_r, g in rosters.coverage(roster)[queue.id]) > 0

    candidates = leave.cover_candidates(shift)
    names = [c["agent"] for c in candidates]
    assert users["agent"] not in names and users["agent_west"] not in names
    assert set(names) == set(team[1:])
    leave.assign_cover(user=users["supervisor"], shift=shift, agent=team[2])
    covered = rosters.coverage(roster)[queue.id]
    assert all(gap == 0 for day, *_r, gap in covered if day == 0)
    assert Shift.objects.get(agent=team[2], day=MONDAY).source == Shift.Source.COVER
    verbs = list(TimelineEvent.objects.values_list("verb", flat=True))
    assert {"leave.requested", "leave.approved", "leave.cover_assigned"} <= set(verbs)


def test_cover_must_be_free_and_skilled(users, org, team, roster):
    request = leave.record_absence(
        user=users["supervisor"],
        agent=team[1],
        starts_at=_at(MONDAY + datetime.timedelta(days=1), 8),
        ends_at=_at(MONDAY + datetime.timedelta(days=1), 18),
    )
    assert request.status == LeaveRequest.Status.APPROVED
    shift = Shift.objects.get(agent=team[1])
    assert shift.leave == request
    unskilled = UserFactory(username="east_new", role=Role.AGENT, unit=org["east"])
    assert unskilled not in [c["agent"] for c in leave.cover_candidates(shift)]
    with pytest.raises(ValidationError):
        leave.assign_cover(user=users["supervisor"], shift=shift, agent=unskilled)


def test_rejection_needs_a_reason_and_keeps_the_shift(users, roster):
    request = leave.request_leave(
        user=users["agent"],
        kind=LeaveRequest.Kind.PERSONAL,
        starts_at=_at(MONDAY, 9),
        ends_at=_at(MONDAY, 12),
    )
    with pytest.raises(ValidationError):
        leave.decide_leave(user=users["supervisor"], leave=request, approve=False)
    leave.decide_leave(user=users["supervisor"], leave=request, approve=False, note="当日人手不足")
    request.refresh_from_db()
    assert request.status == LeaveRequest.Status.REJECTED
    assert not Shift.objects.filter(leave__isnull=False).exists()
    with pytest.raises(ValidationError):
        leave.decide_leave(user=users["supervisor"], leave=request, approve=True)


def test_malformed_requests_write_nothing(users):
    for kwargs, field in [
        ({"kind": "holiday", "starts_at": _at(MONDAY, 9), "ends_at": _at(MONDAY, 10)}, "kind"),
        ({"kind": "annual", "starts_at": _at(MONDAY, 9), "ends_at": _at(MONDAY, 8)}, "ends_at"),
        ({"kind": "absence", "starts_at": _at(MONDAY, 9), "ends_at": _at(MONDAY, 10)}, "kind"),
    ]:
        with pytest.raises(ValidationError) as error:
            leave.request_leave(user=users["agent"], **kwargs)
        assert field in error.value.message_dict
    leave.request_leave(
        user=users["agent"], kind="annual", starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 18)
    )
    with pytest.raises(ValidationError) as error:
        leave.request_leave(
            user=users["agent"], kind="annual", starts_at=_at(MONDAY, 12), ends_at=_at(MONDAY, 20)
        )
    assert "starts_at" in error.value.message_dict
    assert LeaveRequest.objects.count() == 1


def test_who_may_decide(users, org):
    request = leave.request_leave(
        user=users["agent"], kind="annual", starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 18)
    )
    west_supervisor = UserFactory(username="sup_west", role=Role.SUPERVISOR, unit=org["west"])
    for user in (users["agent"], users["callback"], west_supervisor):
        with pytest.raises(PermissionDenied):
            leave.decide_leave(user=user, leave=request, approve=True)
    own = leave.request_leave(
        user=users["supervisor"], kind="annual", starts_at=_at(MONDAY, 9), ends_at=_at(MONDAY, 18)
    )
    with pytest.raises(PermissionDenied):
        leave.decide_leave(user=users["supervisor"], leave=own, approve=True)
    with pytest.raises(PermissionDenied):
        leave.request_leave(
            user=users["agent"],
            agent=users["agent_west"],
            kind="annual",
            starts_at=_at(MONDAY, 9),
            ends_at=_at(MONDAY, 18),
        )
    # The manager of headquarters decides for every unit below it.
    leave.decide_leave(user=users["manager"], leave=own, approve=True)
    assert LeaveRequest.objects.filter(status=LeaveRequest.Status.PENDING).count() == 1


def test_cancel_returns_the_shift(users, roster):
    request = leave.request_leave(
        user=users["agent"], kind="annual", starts_at=_at(MONDAY, 0), ends_at=_at(MONDAY, 23)
    )
    leave.decide_leave(user=users["supervisor"], leave=request, approve=True)
    with pytest.raises(PermissionDenied):
        leave.cancel_leave(user=users["agent"], leave=request)
    leave.cancel_leave(user=users["supervisor"], leave=request)
    assert not Shift.objects.filter(leave__isnull=False).exists()
