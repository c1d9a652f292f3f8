import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.workforce import rosters
from kefu.workforce.models import LeaveRequest, Roster, Shift

from .conftest import MONDAY
from .helpers import plan


@pytest.fixture
def api():
    return APIClient()


def test_forecasts_and_shifts_are_scoped(api, users, org, queue, team, templates):
    forecast = plan(queue, 1, hours=range(9, 12))
    rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    api.force_authenticate(users["supervisor"])
    body = api.get("/api/workforce/forecasts/").json()
    assert [f["id"] for f in body["results"]] == [forecast.pk]
    assert len(body["results"][0]["intervals"]) == 7 * 24
    shifts = api.get("/api/workforce/shifts/", {"week": MONDAY.isoformat()}).json()["results"]
    assert shifts and all(s["week_start"] == MONDAY.isoformat() for s in shifts)
    assert api.get("/api/workforce/shifts/", {"week": "junk"}).status_code == 400

    west = UserFactory(username="sup_w", role=Role.SUPERVISOR, unit=org["west"])
    api.force_authenticate(west)
    assert api.get("/api/workforce/forecasts/").json()["results"] == []
    assert api.get(f"/api/workforce/forecasts/{forecast.pk}/").status_code == 404
    assert api.get("/api/workforce/shifts/").json()["results"] == []

    api.force_authenticate(users["agent"])
    assert api.get("/api/workforce/forecasts/").status_code == 403
    own = api.get("/api/workforce/shifts/").json()["results"]
    assert all(s["agent"] == users["agent"].pk for s in own)


def test_planner_sets_and_removes_shifts(api, users, org, queue, team, templates):
    rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    agent = team[1]
    body = {
        "week_start": MONDAY.isoformat(),
        "unit": org["east"].pk,
        "agent": agent.pk,
        "day": MONDAY.isoformat(),
        "template": "late",
        "queue": queue.pk,
    }
    api.force_authenticate(users["supervisor"])
    created = api.post("/api/workforce/shifts/", body, format="json")
    assert created.status_code == 201, created.json()
    shift = Shift.objects.get(pk=created.json()["id"])
    assert (shift.agent, shift.template.code, shift.source) == (agent, "late", "manual")
    assert Shift.objects.filter(roster=shift.roster, agent=agent, day=MONDAY).count() == 1

    # Malformed or foreign input: a field error, nothing written.
    for change, field in [
        ({"template": "night"}, "template"),
        ({"agent": 999999}, "agent"),
        ({"unit": 2**70}, "unit"),
        ({"queue": -1}, "queue"),
        ({"day": "2026-13-01"}, "day"),
        ({"day": (MONDAY - datetime.timedelta(days=1)).isoformat()}, "day"),
    ]:
        response = api.post("/api/workforce/shifts/", {**body, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    shift.refresh_from_db()
    assert shift.template.code == "late"
    assert api.post("/api/workforce/shifts/", {**body, "week_start": "2020-01-06"}).status_code == (
        404
    )

    assert api.delete(f"/api/workforce/shifts/{shift.pk}/").status_code == 204
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_agents_and_other_units_cannot_edit_rosters(api, users, org, queue, team, templates):
    rosters.generate_roster(user=users["supervisor"], unit=org["east"], week_start=MONDAY)
    body = {
        "week_start": MONDAY.isoformat(),
        "unit": org["east"].pk,
        "agent": team[1].pk,
        "day": MONDAY.isoformat(),
        "template": "day",
    }
    own = rosters.set_shift(
        user=users["supervisor"],
        roster=Roster.objects.get(unit=org["east"], week_start=MONDAY),
        agent=users["agent"],
        day=MONDAY,
        template=templates["day"],
    )
    api.force_authenticate(users["agent"])
    assert api.post("/api/workforce/shifts/", body, format="json").status_code == 403
    assert api.delete(f"/api/workforce/shifts/{own.pk}/").status_code == 403
    west = UserFactory(username="sup_w2", role=Role.SUPERVISOR, unit=org["west"])
    api.force_authenticate(west)
    assert api.post("/api/workforce/shifts/", body, format="json").status_code == 404
    assert api.delete(f"/api/workforce/shifts/{own.pk}/").status_code == 404
    assert Shift.objects.filter(pk=own.pk).exists()


def test_leave_request_decision_and_cancel(api, users, org):
    start = timezone.now() + datetime.timedelta(days=3)
    body = {
        "kind": "annual",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=8)).isoformat(),
        "reason": "回老家",
    }
    api.force_authenticate(users["agent"])
    created = api.post("/api/workforce/leave/", body, format="json")
    assert created.status_code == 201, created.json()
    leave = created.json()
    assert (leave["status"], leave["agent"]) == ("pending", users["agent"].pk)
    # The same time again overlaps; the agent cannot approve.
    assert "starts_at" in api.post("/api/workforce/leave/", body, format="json").json()
    assert api.post(f"/api/workforce/leave/{leave['id']}/approve/").status_code == 403

    api.force_authenticate(users["supervisor"])
    rejected = api.post(f"/api/workforce/leave/{leave['id']}/reject/", {}, format="json")
    assert rejected.status_code == 400 and "note" in rejected.json()  # say why
    approved = api.post(f"/api/workforce/leave/{leave['id']}/approve/", {"note": "同意"})
    assert approved.json()["status"] == "approved"
    again = api.post(f"/api/workforce/leave/{leave['id']}/approve/")
    assert again.status_code == 400 and "status" in again.json()
    cancelled = api.post(f"/api/workforce/leave/{leave['id']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"

    west = UserFactory(username="sup_w3", role=Role.SUPERVISOR, unit=org["west"])
    api.force_authenticate(west)
    assert api.post(f"/api/workforce/leave/{leave['id']}/cancel/").status_code == 404


def test_leave_malformed_and_absence(api, users, org):
    api.force_authenticate(users["agent"])
    for body, field in [
        (
            {"kind": "holiday", "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T18:00"},
            "kind",
        ),
        ({"kind": "annual", "starts_at": "yesterday", "ends_at": "2026-12-20T18:00"}, "starts_at"),
        (
            {"kind": "annual", "starts_at": "2026-12-20T18:00", "ends_at": "2026-12-20T09:00"},
            "ends_at",
        ),
        (
            {"kind": "annual", "starts_at": "0264-11-30T15:34", "ends_at": "2026-12-20T18:00"},
            "starts_at",
        ),
        (
            {"kind": "sick", "starts_at": "2026-12-20T09:00", "ends_at": "2028-12-20T18:00"},
            "ends_at",
        ),
        ({"kind": "absence", "starts_at": "2026-12-20T09:00", "ends_at": "2026-12-20T18:00"}, None),
    ]:
        response = api.post("/api/workforce/leave/", body, format="json")
        assert response.status_code in (400, 403), response.json()
        if field:
            assert field in response.json()
    assert not LeaveRequest.objects.exists()

    api.force_authenticate(users["supervisor"])
    absence = api.post(
        "/api/workforce/leave/",
        {
            "kind": "absence",
            "agent": users["agent"].pk,
            "starts_at": "2026-12-20T09:00+08:00",
            "ends_at": "2026-12-20T18:00+08:00",
            "reason": "未到岗",
        },
        format="json",
    )
    assert absence.status_code == 201 and absence.json()["status"] == "approved"
    foreign = UserFactory(username="agent_w9", role=Role.AGENT, unit=org["west"])
    response = api.post(
        "/api/workforce/leave/",
        {
            "kind": "absence",
            "agent": foreign.pk,
            "starts_at": "2026-12-21T09:00+08:00",
            "ends_at": "2026-12-21T18:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 400 and "agent" in response.json()
