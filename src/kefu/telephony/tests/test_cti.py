"""The CTI interface: a call's events become its record, once, in any order."""

import pytest

from kefu.core.models import TimelineEvent
from kefu.core.timeline import events_for_customer
from kefu.telephony import signals
from kefu.telephony.models import AgentState, AgentStatus, Call, CallEvent
from kefu.telephony.tests.conftest import T0, at

URL = "/api/cti/east-pbx-token-0001/"


def post(client, **payload):
    return client.post(URL, payload, format="json")


@pytest.fixture
def received():
    """The signals sent, as (name, call status, disposition)."""
    seen = []

    def listener(name):
        def receive(sender, call=None, **kwargs):
            seen.append((name, call.status if call else None, call.disposition if call else None))

        return receive

    handlers = {name: listener(name) for name in ("offered", "ringing", "answered", "ended")}
    for name, handler in handlers.items():
        getattr(signals, f"call_{name}").connect(handler)
    yield seen
    for name, handler in handlers.items():
        getattr(signals, f"call_{name}").disconnect(handler)


def full_call(client, call_id="c1", caller="13812345678"):
    post(
        client,
        event="offered",
        call_id=call_id,
        caller=caller,
        called="4008001234",
        at=at(0),
        queue="service",
    )
    post(client, event="queued", call_id=call_id, queue="service", at=at(2))
    post(client, event="ringing", call_id=call_id, extension="8001", at=at(4))
    post(client, event="answered", call_id=call_id, extension="8001", at=at(7))
    post(client, event="held", call_id=call_id, at=at(30))
    post(client, event="unheld", call_id=call_id, at=at(45))
    post(client, event="ended", call_id=call_id, cause="normal", at=at(127))
    return post(client, event="recording", call_id=call_id, url="https://rec.example.com/c1.wav")


def test_a_call_from_offer_to_recording(
    pbx_client, pbx, queue, ready_agents, customer, django_capture_on_commit_callbacks, received
):
    with django_capture_on_commit_callbacks(execute=True):
        response = full_call(pbx_client)
    assert response.status_code == 200, response.content
    call = Call.objects.get(call_id="c1")
    assert call.customer == customer
    assert call.queue == queue
    assert call.agent == ready_agents[0]
    assert call.status == Call.Status.ENDED
    assert call.disposition == Call.Disposition.ANSWERED
    assert call.wait_seconds == 7
    assert call.ring_seconds == 3
    assert call.hold_seconds == 15
    assert call.talk_seconds == 120 - 15
    assert call.recording_url == "https://rec.example.com/c1.wav"
    state = AgentState.objects.get(agent=ready_agents[0])
    assert state.status == AgentStatus.WRAP_UP
    verbs = [e.verb for e in events_for_customer(customer)]
    assert {"call.offered", "call.answered", "call.ended", "call.recording"} <= set(verbs)
    assert [name for name, *_ in received] == ["offered", "ringing", "answered", "ended"]
    assert received[-1] == ("ended", "ended", "answered")


def test_the_same_event_twice_changes_nothing(pbx_client, pbx, queue, ready_agents):
    full_call(pbx_client)
    events = CallEvent.objects.count()
    timeline = TimelineEvent.objects.count()
    before = Call.objects.values().get(call_id="c1")
    response = full_call(pbx_client)
    assert response.json()["duplicate"] is True
    assert CallEvent.objects.count() == events
    assert TimelineEvent.objects.count() == timeline
    assert Call.objects.values().get(call_id="c1") == before


def test_events_in_any_order_give_the_same_record(pbx_client, pbx, queue, ready_agents):
    post(pbx_client, event="ended", call_id="c2", cause="normal", at=at(127))
    post(pbx_client, event="unheld", call_id="c2", at=at(45))
    post(pbx_client, event="answered", call_id="c2", extension="8001", at=at(7))
    post(pbx_client, event="held", call_id="c2", at=at(30))
    post(pbx_client, event="offered", call_id="c2", caller="13812345678", at=at(0), queue="service")
    call = Call.objects.get(call_id="c2")
    assert call.offered_at == T0
    assert call.wait_seconds == 7
    assert call.hold_seconds == 15
    assert call.status == Call.Status.ENDED
    assert call.disposition == Call.Disposition.ANSWERED
    assert call.queue == queue


def test_a_caller_who_hangs_up_waiting_abandons(
    pbx_client, pbx, queue, django_capture_on_commit_callbacks, received
):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            pbx_client,
            event="offered",
            call_id="c3",
            caller="13900000000",
            at=at(0),
            queue="service",
        )
        post(pbx_client, event="ended", call_id="c3", cause="caller_hangup", at=at(40))
    call = Call.objects.get(call_id="c3")
    assert call.disposition == Call.Disposition.ABANDONED
    assert received[-1] == ("ended", "ended", "abandoned")


def test_longest_hold_and_who_hung_up_are_kept(pbx_client, pbx, queue, ready_agents):
    post(pbx_client, event="offered", call_id="h1", caller="13812345678", at=at(0))
    post(pbx_client, event="answered", call_id="h1", extension="8001", at=at(5))
    post(pbx_client, event="held", call_id="h1", at=at(10))
    post(pbx_client, event="unheld", call_id="h1", at=at(40))
    post(pbx_client, event="held", call_id="h1", at=at(50))
    post(pbx_client, event="unheld", call_id="h1", at=at(125))
    post(pbx_client, event="ended", call_id="h1", hangup_by="agent", at=at(200))
    call = Call.objects.get(call_id="h1")
    assert (call.hold_seconds, call.longest_hold_seconds) == (105, 75)
    assert call.hung_up_by == "agent"


def test_voicemail_end_cause(pbx_client, pbx, queue):
    post(pbx_client, event="offered", call_id="c4", caller="13900000000", at=at(0))
    post(pbx_client, event="ended", call_id="c4", cause="voicemail", at=at(60))
    assert Call.objects.get(call_id="c4").disposition == Call.Disposition.VOICEMAIL


def test_transfer_to_another_agent(pbx_client, pbx, queue, ready_agents):
    post(pbx_client, event="offered", call_id="c5", caller="13900000000", at=at(0), queue="service")
    post(pbx_client, event="answered", call_id="c5", extension="8001", at=at(5))
    post(pbx_client, event="transferred", call_id="c5", target_agent="8002", at=at(50))
    call = Call.objects.get(call_id="c5")
    assert call.agent == ready_agents[1]
    assert call.transfers == 1
    states = {s.agent_id: s.status for s in AgentState.objects.all()}
    assert states[ready_agents[0].pk] == AgentStatus.WRAP_UP
    assert states[ready_agents[1].pk] == AgentStatus.ON_CALL


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"event": "exploded", "call_id": "x"}, "event"),
        ({"event": "offered", "caller": "1"}, "call_id"),
        ({"event": "offered", "call_id": "x" * 101, "caller": "1"}, "call_id"),
        ({"event": "offered", "call_id": "x", "caller": "1", "at": "yesterday"}, "at"),
        ({"event": "offered", "call_id": "x", "caller": "1", "direction": "up"}, "direction"),
        ({"event": "offered", "call_id": "x"}, "caller"),
        ({"event": "recording", "call_id": "x", "url": "ftp://a/b"}, "url"),
        ({"event": "ended", "call_id": "x", "hangup_by": "caller"}, "hangup_by"),
    ],
)
def test_malformed_events_are_refused_and_write_nothing(pbx_client, pbx, payload, field):
    response = pbx_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(pbx_client, pbx):
    response = pbx_client.post(URL, [1, 2], format="json")
    assert response.status_code == 400
    assert not CallEvent.objects.exists()


def test_unknown_or_inactive_token_is_refused(pbx_client, pbx):
    payload = {"event": "offered", "call_id": "t1", "caller": "13800000000"}
    response = pbx_client.post("/api/cti/wrong-token/", payload, format="json")
    assert response.status_code == 403
    pbx.is_active = False
    pbx.save()
    response = pbx_client.post(URL, payload, format="json")
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_calls_belong_to_the_pbx_that_sent_them(pbx_client, pbx, org):
    from kefu.telephony.tests.factories import PbxFactory

    PbxFactory(unit=org["west"], token="west-pbx-token-0001")
    payload = {"event": "offered", "call_id": "same", "caller": "13800000000"}
    pbx_client.post(URL, payload, format="json")
    pbx_client.post("/api/cti/west-pbx-token-0001/", payload, format="json")
    assert sorted(Call.objects.values_list("unit__code", flat=True)) == ["east", "west"]


def test_a_caller_registered_after_their_first_call_is_known_on_the_next(
    pbx_client, pbx, queue, org
):
    from kefu.factories import CustomerFactory, PhoneFactory

    post(pbx_client, event="offered", call_id="n1", caller="13912340000", at=at(0))
    assert Call.objects.get(call_id="n1").customer is None
    # The agent registers the caller during the first call; they call again at once.
    customer = CustomerFactory(unit=org["east"])
    PhoneFactory(customer=customer, number="+8613912340000")
    post(pbx_client, event="offered", call_id="n2", caller="13912340000", at=at(5))
    assert Call.objects.get(call_id="n2").customer == customer
