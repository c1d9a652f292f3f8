"""The staff's read API of call records: who sees which calls."""

import pytest
from rest_framework.test import APIClient

from kefu.factories import UserFactory
from kefu.telephony import cti
from kefu.telephony.tests.conftest import T0
from kefu.telephony.tests.factories import PbxFactory

pytestmark = pytest.mark.django_db


def post(pbx, kind, call_id, **fields):
    fields.setdefault("at", T0.isoformat())
    return cti.receive(pbx, cti.parse_event({"event": kind, "call_id": call_id, **fields}))


@pytest.fixture
def calls(pbx, queue, ready_agents, org):
    post(pbx, "offered", "a1", caller="13812345678", queue="service")
    post(pbx, "answered", "a1", extension="8001")
    post(pbx, "ended", "a1", hangup_by="customer", at="2026-12-02T10:03:00+08:00")
    post(pbx, "offered", "a2", caller="13912345678", queue="service")
    post(pbx, "answered", "a2", extension="8002")
    post(PbxFactory(unit=org["west"], token="west-pbx-token-0002"), "offered", "w1", caller="1")


def listed(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/calls/")
    assert response.status_code == 200
    return {row["call_id"]: row for row in response.json()["results"]}


def test_calls_are_scoped_by_unit_and_agent(users, calls, ready_agents, org):
    mine = listed(ready_agents[0])
    assert set(mine) == {"a1"}
    assert mine["a1"]["hung_up_by"] == "customer"
    assert mine["a1"]["longest_hold_seconds"] == 0
    assert set(listed(users["supervisor"])) == {"a1", "a2"}
    assert set(listed(users["manager"])) == {"a1", "a2", "w1"}
    west = UserFactory(username="sup_west_api", role="supervisor", unit=org["west"])
    assert set(listed(west)) == {"w1"}
    assert listed(users["agent_west"]) == {}
    assert listed(users["handler"]) == {}

    client = APIClient()
    client.force_authenticate(west)
    (a1,) = [row["id"] for row in listed(users["supervisor"]).values() if row["call_id"] == "a1"]
    assert client.get(f"/api/calls/{a1}/").status_code == 404
