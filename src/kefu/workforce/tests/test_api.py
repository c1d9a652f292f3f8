import pytest
from rest_framework.test import APIClient

from kefu.core.roles import Role
from kefu.factories import UserFactory
from kefu.workforce import rosters

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
