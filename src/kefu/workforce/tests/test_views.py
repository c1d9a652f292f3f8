import datetime

import pytest
from django.urls import reverse

from kefu.workforce.models import Forecast, LeaveRequest, Roster, Shift

from .conftest import MONDAY
from .helpers import plan


@pytest.fixture
def planned(queue, team, templates):
    return plan(queue, 1, hours=range(9, 12))


def test_plan_page_builds_and_charts_a_forecast(client, users, queue, planned):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("workforce:plan"),
        {
            "queue": queue.pk,
            "starts_on": "2026-12-21",
            "days": 2,
            "interval_minutes": 60,
            "history_weeks": 2,
            "shrinkage": 0.3,
            "max_occupancy": 0.9,
        },
    )
    forecast = Forecast.objects.exclude(pk=planned.pk).get()
    assert response.status_code == 302 and f"forecast={forecast.pk}" in response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["chart"]["required"] == [i.required for i in forecast.intervals.all()]
    assert b"plan-chart" in page.content


def test_plan_page_refuses_agents_and_hides_other_units(client, users, org, planned):
    client.force_login(users["agent"])
    assert client.get(reverse("workforce:plan")).status_code == 403
    west = users["agent_west"].__class__.objects.create(
        username="sup_w", role="supervisor", unit=org["west"]
    )
    client.force_login(west)
    assert client.get(reverse("workforce:plan"), {"forecast": planned.pk}).status_code == 404


def test_roster_page_generates_edits_and_shows_gaps(client, users, org, team, templates, planned):
    client.force_login(users["supervisor"])
    url = reverse("workforce:roster")
    client.post(url, {"action": "generate", "unit": "east", "week": MONDAY.isoformat()})
    roster = Roster.objects.get()
    assert roster.shifts.exists()
    page = client.get(url, {"unit": "east", "week": MONDAY.isoformat()})
    assert page.status_code == 200 and page.context["coverage"][0]["short"] == 0
    shift = roster.shifts.first()
    client.post(
        url,
        {
            "action": "set",
            "unit": "east",
            "week": MONDAY.isoformat(),
            "agent": shift.agent_id,
            "day": shift.day.isoformat(),
            "template": "off",
        },
    )
    assert not Shift.objects.filter(pk=shift.pk).exists()
    page = client.get(url, {"unit": "east", "week": MONDAY.isoformat()})
    assert page.context["coverage"][0]["short"] > 0


def test_agents_see_only_their_own_shifts(client, users, team, templates, planned):
    client.force_login(users["supervisor"])
    client.post(
        reverse("workforce:roster"),
        {"action": "generate", "unit": "east", "week": MONDAY.isoformat()},
    )
    client.force_login(users["agent"])
    page = client.get(reverse("workforce:roster"), {"unit": "east", "week": MONDAY.isoformat()})
    assert [agent for agent, _cells in page.context["rows"]] in ([users["agent"]], [])
    assert "coverage" not in page.context
    response = client.post(
        reverse("workforce:roster"),
        {"action": "generate", "unit": "east", "week": MONDAY.isoformat()},
    )
    assert response.status_code == 403


def test_leave_page_flow(client, users):
    client.force_login(users["agent"])
    url = reverse("workforce:leave")
    client.post(
        url,
        {
            "action": "request",
            "kind": "annual",
            "starts_at": "2026-12-15T09:00",
            "ends_at": "2026-12-15T18:00",
            "reason": "家事",
        },
    )
    item = LeaveRequest.objects.get()
    client.post(url, {"action": "approve", "leave": item.pk})
    item.refresh_from_db()
    assert item.status == LeaveRequest.Status.PENDING  # agents cannot decide
    client.force_login(users["supervisor"])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "approve", "leave": item.pk, "note": "同意"})
    item.refresh_from_db()
    assert item.status == LeaveRequest.Status.APPROVED


def test_people_page(client, users):
    client.force_login(users["supervisor"])
    url = reverse("workforce:people")
    client.post(
        url,
        {
            "action": "exam",
            "agent": users["agent"].pk,
            "taken_on": "2026-12-01",
            "written": 90,
            "oral": 85,
            "system": 80,
            "conduct": 88,
        },
    )
    page = client.get(url, {"day": (MONDAY - datetime.timedelta(days=1)).isoformat()})
    assert page.status_code == 200 and len(page.context["exams"]) == 1
    client.force_login(users["agent"])
    assert client.get(url).status_code == 403
