"""Routing: blocked callers, closed hours, priority, skills, longest idle, overflow."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.calendars import BusinessCalendar
from kefu.core.timeline import events_for
from kefu.factories import CustomerFactory, PhoneFactory, UserFactory
from kefu.telephony import acd, agents
from kefu.telephony.models import (
    AgentState,
    AgentStateLog,
    AgentStatus,
    BlockedNumber,
    Call,
    ClosedAction,
)
from kefu.telephony.tests.conftest import T0, at, make_ready
from kefu.telephony.tests.factories import QueueFactory, QueueMemberFactory

URL = "/api/cti/east-pbx-token-0001/route/"


def route(client, call_id, seconds=0, **extra):
    payload = {
        "call_id": call_id,
        "caller": extra.pop("caller", "13700000000"),
        "at": at(seconds),
        **extra,
    }
    response = client.post(URL, payload, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_longest_idle_ready_agent_gets_the_call(pbx_client, pbx, queue, ready_agents):
    answer = route(pbx_client, "r1", queue="service")
    assert answer == {
        "action": "agent",
        "queue": "service",
        "extension": "8001",
        "agent": ready_agents[0].username,
        "priority": 0,
    }
    call = Call.objects.get(call_id="r1")
    assert call.status == Call.Status.RINGING
    assert AgentState.objects.get(agent=ready_agents[0]).status == AgentStatus.RINGING
    # The next call goes to the other agent; a third waits.
    assert route(pbx_client, "r2", 1, queue="service")["extension"] == "8002"
    waiting = route(pbx_client, "r3", 2, queue="service")
    assert waiting["action"] == "queue"
    assert waiting["position"] == 1


def test_asking_again_for_a_ringing_call_gives_the_same_agent(pbx_client, pbx, queue, ready_agents):
    first = route(pbx_client, "r1", queue="service")
    assert route(pbx_client, "r1", 3) == first


def test_a_waiting_call_asking_again_stores_its_offer_once(pbx_client, pbx, queue, desk_agents):
    assert route(pbx_client, "w1", queue="service")["action"] == "queue"
    assert route(pbx_client, "w1", 2, queue="service")["position"] == 1
    call = Call.objects.get(call_id="w1")
    assert list(call.events.values_list("kind", flat=True)) == ["offered"]
    verbs = [event.verb for event in events_for(call)]
    assert verbs.count("call.offered") == 1


def test_a_route_request_stands_for_an_offer_the_pbx_did_not_send(pbx_client, pbx, queue):
    client_event = {"event": "queued", "call_id": "q1", "queue": "service", "at": at(0)}
    assert (
        pbx_client.post(URL.replace("route/", ""), client_event, format="json").status_code == 200
    )
    route(pbx_client, "q1", 1, caller="13911112222", queue="service")
    call = Call.objects.get(call_id="q1")
    assert call.caller == "13911112222"
    assert sorted(call.events.values_list("kind", flat=True)) == ["offered", "queued"]


def test_ring_no_answer_sets_the_agent_not_ready_and_tries_the_next(
    pbx_client, pbx, queue, ready_agents
):
    route(pbx_client, "r1", queue="service")
    answer = route(pbx_client, "r1", 20, no_answer=True)
    assert answer["extension"] == "8002"
    state = AgentState.objects.get(agent=ready_agents[0])
    assert (state.status, state.reason) == (AgentStatus.NOT_READY, "other")


def test_agents_below_the_queues_skill_level_are_skipped(pbx_client, pbx, queue, ready_agents):
    queue.min_skill_level = 4
    queue.save()
    assert route(pbx_client, "r1", queue="service")["extension"] == "8002"


def test_agents_of_other_queues_are_not_offered(pbx_client, pbx, queue, org, ready_agents):
    other = QueueFactory(unit=org["east"], code="sales", calendar=queue.calendar)
    outsider = UserFactory(username="sales1", role="agent", unit=org["east"])
    QueueMemberFactory(queue=other, agent=outsider)
    make_ready(outsider, "8100", T0 - timedelta(hours=1))
    assert route(pbx_client, "r1", queue="service")["extension"] == "8001"


def test_a_key_customer_goes_before_earlier_callers(pbx_client, pbx, queue, org, desk_agents):
    key = CustomerFactory(unit=org["east"], segment="key")
    PhoneFactory(customer=key, number="+8613911112222")
    assert route(pbx_client, "ordinary", 0, queue="service")["action"] == "queue"
    vip = route(pbx_client, "vip", 5, queue="service", caller="13911112222")
    assert vip["action"] == "queue"
    assert vip["position"] == 1
    assert Call.objects.get(call_id="vip").priority == 10
    make_ready(desk_agents[0], "8001", T0 + timedelta(seconds=6))
    # The ordinary caller asks first but the key customer is waiting: wait on.
    assert route(pbx_client, "ordinary", 7)["action"] == "queue"
    assert route(pbx_client, "vip", 8)["action"] == "agent"
    assert route(pbx_client, "ordinary", 9)["action"] == "queue"


def test_first_come_first_served_within_a_priority(pbx_client, pbx, queue, desk_agents):
    route(pbx_client, "early", 0, queue="service")
    route(pbx_client, "late", 5, queue="service")
    make_ready(desk_agents[0], "8001", T0 + timedelta(seconds=6))
    assert route(pbx_client, "late", 7)["action"] == "queue"
    assert route(pbx_client, "early", 8)["action"] == "agent"


def test_overflow_after_n_seconds(pbx_client, pbx, queue, org, desk_agents):
    backup = QueueFactory(unit=org["east"], code="backup", calendar=queue.calendar)
    queue.overflow_queue = backup
    queue.overflow_after_seconds = 30
    queue.save()
    helper = UserFactory(username="backup1", role="agent", unit=org["east"])
    QueueMemberFactory(queue=backup, agent=helper)
    make_ready(helper, "8200", T0)
    assert route(pbx_client, "r1", 0, queue="service")["action"] == "queue"
    assert route(pbx_client, "r1", 29)["action"] == "queue"
    answer = route(pbx_client, "r1", 30)
    assert (answer["action"], answer["queue"], answer["extension"]) == ("agent", "backup", "8200")
    call = Call.objects.get(call_id="r1")
    assert call.overflowed


@pytest.mark.parametrize(
    ("action", "answer", "disposition"),
    [
        (ClosedAction.VOICEMAIL, "voicemail", Call.Disposition.VOICEMAIL),
        (ClosedAction.MESSAGE, "message", Call.Disposition.CLOSED),
    ],
)
def test_closed_hours(pbx_client, pbx, queue, ready_agents, action, answer, disposition):
    queue.calendar = BusinessCalendar.objects.get(code="office")
    queue.closed_action = action
    queue.closed_message = "您好，现在是非工作时间"
    queue.save()
    sunday_night = timezone.make_aware(datetime(2026, 12, 6, 22, 0))
    payload = {
        "call_id": "night",
        "caller": "13700000000",
        "queue": "service",
        "at": sunday_night.isoformat(),
    }
    result = pbx_client.post(URL, payload, format="json").json()
    assert result == {"action": answer, "queue": "service", "message": "您好，现在是非工作时间"}
    pbx_client.post(
        "/api/cti/east-pbx-token-0001/",
        {
            "event": "ended",
            "call_id": "night",
            "at": (sunday_night + timedelta(seconds=40)).isoformat(),
        },
        format="json",
    )
    call = Call.objects.get(call_id="night")
    assert call.after_hours
    assert call.disposition == disposition
    assert AgentState.objects.filter(status=AgentStatus.RINGING).count() == 0


def test_national_holiday_is_closed(pbx_client, pbx, queue, ready_agents):
    queue.calendar = BusinessCalendar.objects.get(code="office")
    queue.save()
    national_day = timezone.make_aware(datetime(2026, 10, 1, 10, 0))
    payload = {
        "call_id": "holiday",
        "caller": "13700000000",
        "queue": "service",
        "at": national_day.isoformat(),
    }
    assert pbx_client.post(URL, payload, format="json").json()["action"] == "voicemail"


def test_blocked_numbers_are_rejected(pbx_client, pbx, queue, ready_agents, org):
    BlockedNumber.objects.create(unit=org["east"], number="+8613700000000")
    assert route(pbx_client, "spam", queue="service") == {"action": "reject", "reason": "busy"}
    assert Call.objects.get(call_id="spam").disposition == Call.Disposition.REJECTED


def test_a_wrap_up_past_its_limit_frees_the_agent_for_routing(pbx_client, pbx, queue, desk_agents):
    state = make_ready(desk_agents[0], "8001", T0 - timedelta(minutes=5))
    agents.call_move(state, AgentStatus.ON_CALL, at=T0 - timedelta(minutes=4))
    agents.call_move(state, AgentStatus.WRAP_UP, at=T0 - timedelta(seconds=61), wrapup_seconds=60)
    assert route(pbx_client, "r1", queue="service")["extension"] == "8001"
    # The log shows the agent ready from the end of the wrap-up limit until the call rang.
    log = AgentStateLog.objects.filter(agent=desk_agents[0]).order_by("started_at")
    assert [(row.status, row.started_at) for row in log][-3:] == [
        (AgentStatus.WRAP_UP, T0 - timedelta(seconds=61)),
        (AgentStatus.READY, T0 - timedelta(seconds=1)),
        (AgentStatus.RINGING, T0),
    ]


def test_a_wrap_up_inside_its_limit_keeps_the_agent_out_of_routing(
    pbx_client, pbx, queue, desk_agents
):
    state = make_ready(desk_agents[0], "8001", T0 - timedelta(minutes=5))
    agents.call_move(state, AgentStatus.ON_CALL, at=T0 - timedelta(minutes=4))
    agents.call_move(state, AgentStatus.WRAP_UP, at=T0 - timedelta(seconds=30), wrapup_seconds=60)
    assert route(pbx_client, "r1", queue="service")["action"] == "queue"
    assert AgentState.objects.get(agent=desk_agents[0]).status == AgentStatus.WRAP_UP


@pytest.mark.django_db(transaction=True)
def test_the_pushes_of_a_routing_request_go_out_in_one_delivery(
    pbx_client, pbx, queue, ready_agents, monkeypatch
):
    from kefu.desk import push

    deliveries = []
    monkeypatch.setattr(push, "_deliver", deliveries.append)
    route(pbx_client, "r1", queue="service")
    assert len(deliveries) == 1
    kinds = [message["type"] for _group, message in deliveries[0]]
    assert "call.pop" in kinds and "state.changed" in kinds


def test_unknown_queue_and_malformed_request(pbx_client, pbx, queue):
    response = pbx_client.post(URL, {"call_id": "x", "caller": "1", "queue": "nope"}, format="json")
    assert response.status_code == 400
    assert "queue" in response.json()
    response = pbx_client.post(URL, {"caller": "1"}, format="json")
    assert response.status_code == 400
    assert "call_id" in response.json()
    assert not Call.objects.filter(call_id="x").exists()


def test_routing_needs_the_pbx_token(pbx_client, pbx, queue):
    response = pbx_client.post(
        "/api/cti/bad/route/", {"call_id": "x", "caller": "1"}, format="json"
    )
    assert response.status_code == 403


def test_a_call_waiting_for_over_an_hour_is_stale_and_not_counted(
    pbx_client, pbx, queue, desk_agents
):
    """The PBX lost its ``ended``: it neither keeps later callers waiting nor
    counts in their position."""
    assert route(pbx_client, "lost", -3700, queue="service")["action"] == "queue"
    assert route(pbx_client, "earlier", -60, queue="service")["position"] == 1
    assert route(pbx_client, "r1", 0, queue="service")["position"] == 2
    make_ready(desk_agents[0], "8001", T0 + timedelta(seconds=1))
    assert route(pbx_client, "earlier", 2)["action"] == "agent"


def test_a_decision_reads_its_call_once_and_writes_at_its_end(pbx_client, pbx, queue, ready_agents):
    """A route request for a call Kefu has not heard of stands for its
    offer: the call is looked for once, and the decision's rows (call,
    agent state, its log, the timeline) are written after every read."""
    with CaptureQueriesContext(connection) as captured:
        assert route(pbx_client, "once", queue="service")["action"] == "agent"
    statements = [query["sql"] for query in captured.captured_queries]
    lookups = [sql for sql in statements if sql.startswith('SELECT c."id", c."pbx_id"')]
    assert len(lookups) == 1
    first_write = next(
        n for n, sql in enumerate(statements) if sql.startswith("UPDATE") and "agentstate" in sql
    )
    assert not any(sql.startswith("SELECT") for sql in statements[first_write:])


def test_a_free_agent_and_no_queue_is_one_read_a_waiting_call_two(
    pbx_client, pbx, queue, ready_agents
):
    """Whether calls go first is asked with the agent; they are counted
    only when the call has to wait (its position)."""
    route(pbx_client, "first", queue="service")
    with CaptureQueriesContext(connection) as captured:
        assert route(pbx_client, "second", 1, queue="service")["action"] == "agent"
    statements = [query["sql"] for query in captured.captured_queries]
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in statements)
    assert route(pbx_client, "third", 2, queue="service") == {
        "action": "queue",
        "queue": "service",
        "position": 1,
        "retry_after": acd.RETRY_SECONDS,
    }
