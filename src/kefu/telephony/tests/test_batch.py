"""Events in batches: one transaction, an answer per event, in order."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from kefu.core.models import TimelineEvent
from kefu.core.tests.threads import run_threads
from kefu.telephony import cti, rows
from kefu.telephony.models import AgentState, AgentStateLog, AgentStatus, Call, CallEvent
from kefu.telephony.tests.conftest import T0, at
from kefu.telephony.tests.factories import PbxFactory

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


def two_calls(extension, prefix):
    """Two calls one after the other at one agent: ring, answer, end, and
    the second rings while the agent is in after-call work."""
    events = []
    for n, start in ((1, 0), (2, 200)):
        call_id = f"{prefix}{n}"
        events += [
            {"event": "offered", "call_id": call_id, "caller": "13812345678", "at": at(start)},
            {"event": "queued", "call_id": call_id, "queue": "service", "at": at(start + 1)},
            {"event": "ringing", "call_id": call_id, "extension": extension, "at": at(start + 3)},
            {"event": "answered", "call_id": call_id, "extension": extension, "at": at(start + 6)},
            {"event": "ended", "call_id": call_id, "cause": "normal", "at": at(start + 150)},
        ]
    return events


def log_since_t0(agent):
    return [
        (row.status, row.started_at - T0, row.ended_at and row.ended_at - T0)
        for row in AgentStateLog.objects.filter(agent=agent, started_at__gte=T0).order_by(
            "started_at", "id"
        )
    ]


def test_an_agents_moves_in_one_batch_are_logged_as_one_by_one(
    pbx_client, pbx, queue, ready_agents
):
    batched, single = ready_agents
    assert post_batch(pbx_client, two_calls("8001", "b")).status_code == 200
    for event in two_calls("8002", "s"):
        assert pbx_client.post(URL, event, format="json").status_code == 200
    assert log_since_t0(batched) == log_since_t0(single)
    assert [status for status, _start, _end in log_since_t0(batched)] == [
        AgentStatus.RINGING,
        AgentStatus.ON_CALL,
        AgentStatus.WRAP_UP,
        AgentStatus.RINGING,
        AgentStatus.ON_CALL,
        AgentStatus.WRAP_UP,
    ]
    # The row open before the batch (ready) was closed by its first move.
    assert AgentStateLog.objects.filter(agent=batched, ended_at=None).count() == 1
    fields = ["wrapup_ended_at", "ringing_at", "answered_at", "ended_at", "status", "disposition"]
    for n in (1, 2):
        b = Call.objects.values(*fields).get(call_id=f"b{n}")
        assert b == Call.objects.values(*fields).get(call_id=f"s{n}")
    # The first call's after-call work ended when the second rang.
    assert Call.objects.get(call_id="b1").wrapup_ended_at == T0 + timedelta(seconds=203)
    state = {f: getattr(AgentState.objects.get(agent=batched), f) for f in ("status", "since")}
    other = {f: getattr(AgentState.objects.get(agent=single), f) for f in ("status", "since")}
    assert state == other == {"status": AgentStatus.WRAP_UP, "since": T0 + timedelta(seconds=350)}


def test_an_event_twice_in_one_batch_is_applied_once(pbx_client, pbx, queue, ready_agents):
    transfer = {
        "event": "transferred",
        "call_id": "t1",
        "target_queue": "service",
        "at": at(20),
    }
    events = call_events("t1")[:4] + [transfer, transfer]
    answers = post_batch(pbx_client, events).json()
    assert [a["result"] for a in answers] == ["applied"] * 5 + ["duplicate"]
    assert Call.objects.get(call_id="t1").transfers == 1
    assert CallEvent.objects.filter(kind="transferred").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time"
)
def test_batches_racing_on_a_new_call_apply_each_event_once(transactional_db, org, monkeypatch):
    """Two PBX listeners post overlapping batches of a call Kefu has not
    seen yet at the same moment: both find no call, one makes it, the
    other waits for it and finds the events it stored."""
    pbx = PbxFactory(unit=org["east"], token="race-pbx-token-0001")
    events = call_events("race")[:2] + [
        {"event": "transferred", "call_id": "race", "target_queue": "service", "at": at(20)}
    ]
    both_looked = threading.Barrier(2, timeout=30)
    create_calls = rows._Unit._create_calls

    def create_after_both_looked(unit, events):
        both_looked.wait()
        return create_calls(unit, events)

    monkeypatch.setattr(rows._Unit, "_create_calls", create_after_both_looked)
    answers = []

    def post(index):
        try:
            answers.append(cti.receive_batch(pbx, events))
        finally:
            connection.close()

    run_threads(2, post)
    results = sorted(tuple(a["result"] for a in batch) for batch in answers)
    assert results == [("applied",) * 3, ("duplicate",) * 3]
    call = Call.objects.get(call_id="race")
    assert call.transfers == 1
    assert CallEvent.objects.filter(call=call).count() == 3
