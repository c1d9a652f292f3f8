"""Zammad's Generic CTI, field by field, as its documentation shows the
PBX sending it (JSON and form data)."""

import pytest

from kefu.telephony.models import BlockedNumber, Call, Pbx
from kefu.telephony.tests.factories import PbxFactory

TOKEN = "zammad-pbx-token-0001"


@pytest.fixture
def zammad_pbx(org):
    return PbxFactory(unit=org["east"], token=TOKEN, protocol=Pbx.Protocol.ZAMMAD)


@pytest.fixture(params=[f"/api/cti/{TOKEN}/", f"/api/cti/{TOKEN}/zammad/"])
def url(request, zammad_pbx):
    return request.param


def test_new_call_answer_hangup_as_json(pbx_client, url, desk_agents, customer):
    agent = desk_agents[0]
    agent.phone = "8001"
    agent.save()
    new_call = {
        "event": "newCall",
        "from": "8613812345678",
        "to": "864008001234",
        "direction": "in",
        "callId": "307fa962-de8d-4ffc-817b-7f6993204159",
        "user": ["Christopher Miller", "Emma Taylor"],
        "queue": "service",
    }
    response = pbx_client.post(url, new_call, format="json")
    assert response.status_code == 200
    assert response.json() == {}
    call = Call.objects.get(call_id=new_call["callId"])
    assert call.caller == "8613812345678"
    assert call.called == "864008001234"
    assert call.direction == Call.Direction.INBOUND
    assert call.queue.code == "service"
    assert call.customer == customer

    answer = {**new_call, "event": "answer", "user": "Emma Taylor", "answeringNumber": "8001"}
    assert pbx_client.post(url, answer, format="json").json() == {}
    hangup = {**answer, "event": "hangup", "cause": "normalClearing"}
    assert pbx_client.post(url, hangup, format="json").json() == {}
    call.refresh_from_db()
    assert call.agent == agent
    assert call.answered_at is not None
    assert call.end_cause == "normal"
    assert call.disposition == Call.Disposition.ANSWERED


def test_form_data_with_user_array(pbx_client, url):
    form = {
        "event": "newCall",
        "from": "493023125741",
        "to": "492214710334",
        "direction": "in",
        "callId": "25641e3f-3317-4c48-80b3-fc573c7ffe2b",
        "user[]": ["Christopher Miller", "Emma Taylor"],
    }
    response = pbx_client.post(url, form)
    assert response.status_code == 200
    call = Call.objects.get(call_id=form["callId"])
    assert call.caller == "493023125741"
    stored = call.events.get().payload
    assert stored["users"] == ["Christopher Miller", "Emma Taylor"]


@pytest.mark.parametrize(
    ("cause", "disposition"),
    [
        ("cancel", Call.Disposition.ABANDONED),
        ("busy", Call.Disposition.BUSY),
        ("noAnswer", Call.Disposition.NO_ANSWER),
        ("congestion", Call.Disposition.FAILED),
        ("notFound", Call.Disposition.FAILED),
    ],
)
def test_hangup_causes_of_unanswered_calls(pbx_client, url, cause, disposition):
    base = {"from": "493023125741", "to": "492214710334", "direction": "in", "callId": "z-" + cause}
    pbx_client.post(url, {**base, "event": "newCall"}, format="json")
    pbx_client.post(url, {**base, "event": "hangup", "cause": cause}, format="json")
    assert Call.objects.get(call_id=base["callId"]).disposition == disposition


def test_outbound_call_is_recorded_out(pbx_client, url):
    payload = {
        "event": "newCall",
        "from": "493023125741",
        "to": "492214710334",
        "direction": "out",
        "callId": "f4ebd2be-7b9a-4d58-94c2-eb06a3c2ce76",
        "user": "Christopher Miller",
    }
    assert pbx_client.post(url, payload, format="json").json() == {}
    assert Call.objects.get(call_id=payload["callId"]).direction == Call.Direction.OUTBOUND


def test_blocked_caller_gets_reject_busy(pbx_client, url, org):
    BlockedNumber.objects.create(unit=org["hq"], number="+8613900000001")
    payload = {
        "event": "newCall",
        "from": "13900000001",
        "to": "4008001234",
        "direction": "in",
        "callId": "blocked-1",
    }
    response = pbx_client.post(url, payload, format="json")
    assert response.json() == {"action": "reject", "reason": "busy"}
    # The PBX still sends the hangup; the call stays rejected.
    pbx_client.post(url, {**payload, "event": "hangup", "cause": "busy"}, format="json")
    assert Call.objects.get(call_id="blocked-1").disposition == Call.Disposition.REJECTED


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"event": "ring", "callId": "a", "direction": "in"}, "event"),
        ({"event": "newCall", "direction": "in", "from": "1"}, "callId"),
        ({"event": "newCall", "callId": "a", "direction": "sideways"}, "direction"),
    ],
)
def test_malformed_zammad_events(pbx_client, url, payload, field):
    response = pbx_client.post(url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Call.objects.exists()


def test_wrong_token(pbx_client, zammad_pbx):
    payload = {"event": "newCall", "callId": "a", "direction": "in", "from": "1"}
    assert pbx_client.post("/api/cti/nope/zammad/", payload, format="json").status_code == 403
