"""Events in batches: one transaction, an answer per event, in order."""

import pytest

from kefu.core.models import TimelineEvent
from kefu.telephony.models import AgentState, AgentStatus, Call, CallEvent
from kefu.telephony.tests.conftest import at

URL = "/api/cti/east-pbx-token-0001/"
BATCH = URL + "batch/"


def call_events(call_id="b1"):
    return [
        {
            "event": "offered",
            "call_id": call_id,
            "caller": "13812345678",
            "queue": "service",
            "at": at(0),
        },
        {"event": "queued", "call_id": call_id, "queue": "service", "at": at(2)},
        {"event": "ringing", "call_id": call_id, "extension": "8001", "at": at(4)},
        {"event": "answered", "call_id": call_id, "extension": "8001", "at": at(7)},
        {"event": "held", "call_id": call_id, "at": at(30)},
        {"event": "unheld", "call_id": call_id, "at": at(45)},
        {"event": "ended", "call_id": call_id, "cause": "normal", "at": at(127)},
    ]


def post_batch(client, events, **headers):
    return client.post(BATCH, events, format="json", **headers)


def test_a_batch_gives_the_record_the_single_events_give(pbx_client, pbx, queue, ready_agents):
    response = post_batch(pbx_client, call_events("b1"))
    assert response.status_code == 200, response.content
    answers = response.json()
    assert [a["result"] for a in answers] == ["applied"] * 7
    assert [a["status"] for a in answers] == [
        "offered",
        "queued",
        "ringing",
        "answered",
        "held",
        "answered",
        "ended",
    ]
    for event in call_events("s1"):
        assert pbx_client.post(URL, event, format="json").status_code == 200
    fields = ["status", "disposition", "agent", "queue", "hold_seconds", "offered_at", "ended_at"]
    batched = Call.objects.values(*fields).get(call_id="b1")
    assert batched == Call.objects.values(*fields).get(call_id="s1")
    assert batched["hold_seconds"] == 15
    verbs = TimelineEvent.objects.filter(verb__startswith="call.").values_list("verb", flat=True)
    once = ["offered", "queued", "ringing", "answered", "held", "unheld", "ended"]
    assert sorted(verbs) == sorted(f"call.{verb}" for verb in once * 2)


def test_a_batch_sent_again_is_all_duplicates(pbx_client, pbx, queue, ready_agents):
    post_batch(pbx_client, call_events())
    events, timeline = CallEvent.objects.count(), TimelineEvent.objects.count()
    before = Call.objects.values().get(call_id="b1")
    state = AgentState.objects.values().get(agent=ready_agents[0])
    answers = post_batch(pbx_client, call_events()).json()
    assert {a["result"] for a in answers} == {"duplicate"}
    assert all(a["duplicate"] for a in answers)
    assert (CallEvent.objects.count(), TimelineEvent.objects.count()) == (events, timeline)
    assert Call.objects.values().get(call_id="b1") == before
    assert AgentState.objects.values().get(agent=ready_agents[0]) == state


def test_a_malformed_event_gets_its_errors_and_the_others_go_on(
    pbx_client, pbx, queue, ready_agents
):
    events = call_events()
    events.insert(1, {"event": "exploded", "call_id": "b1"})
    events.insert(3, "not an object")
    answers = post_batch(pbx_client, events, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [a["result"] for a in answers] == ["applied", "error", "applied", "error"] + [
        "applied"
    ] * 5
    assert "event" in answers[1]["errors"]
    assert "exploded" in answers[1]["errors"]["event"][0]
    assert answers[3]["errors"] == {"event": ["请发送 JSON 对象。"]}
    call = Call.objects.get(call_id="b1")
    assert (call.status, call.disposition) == (Call.Status.ENDED, Call.Disposition.ANSWERED)
    assert CallEvent.objects.count() == 7
    assert AgentState.objects.get(agent=ready_agents[0]).status == AgentStatus.WRAP_UP


@pytest.mark.parametrize("body", [[], {"event": "offered"}, "events", [{}] * 501])
def test_not_a_list_of_1_to_500_events_is_refused(pbx_client, pbx, body):
    response = post_batch(pbx_client, body)
    assert response.status_code == 400
    assert "events" in response.json()
    assert not CallEvent.objects.exists()


def test_a_batch_needs_the_pbx_token(pbx_client, pbx):
    response = pbx_client.post("/api/cti/wrong-token/batch/", call_events(), format="json")
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_an_event_id_reused_for_another_call_is_refused(pbx_client, pbx, queue):
    first = {"event": "offered", "call_id": "a", "caller": "13800000000", "event_id": "e-1"}
    assert pbx_client.post(URL, first, format="json").json()["duplicate"] is False
    assert pbx_client.post(URL, first, format="json").json()["duplicate"] is True
    reused = dict(first, call_id="b")
    response = pbx_client.post(URL, reused, format="json")
    assert response.status_code == 400
    assert "event_id" in response.json()
    answers = post_batch(pbx_client, [reused, dict(first, event_id="e-2", call_id="c")]).json()
    assert [a["result"] for a in answers] == ["error", "applied"]
    assert "event_id" in answers[0]["errors"]
    assert sorted(Call.objects.values_list("call_id", flat=True)) == ["a", "c"]
    assert CallEvent.objects.count() == 2
