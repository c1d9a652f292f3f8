"""Agent states: what an agent may choose, what calls do, the log, and who may act."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kefu.api_tests import client_for
from kefu.core.timeline import events_for
from kefu.telephony import agents
from kefu.telephony.models import AgentState, AgentStateLog, AgentStatus
from kefu.telephony.tests.conftest import T0

S = AgentStatus


def test_log_in_break_and_log_out_are_logged_with_times(users):
    agent = users["agent"]
    agents.change_state(user=agent, agent=agent, status=S.READY, extension="8001", at=T0)
    agents.change_state(
        user=agent, agent=agent, status=S.NOT_READY, reason="break", at=T0 + timedelta(minutes=30)
    )
    agents.change_state(user=agent, agent=agent, status=S.LOGGED_OUT, at=T0 + timedelta(minutes=40))
    log = list(
        AgentStateLog.objects.filter(agent=agent).values_list(
            "status", "reason", "started_at", "ended_at"
        )
    )
    assert log == [
        (S.READY, "", T0, T0 + timedelta(minutes=30)),
        (S.NOT_READY, "break", T0 + timedelta(minutes=30), T0 + timedelta(minutes=40)),
    ]
    state = AgentState.objects.get(agent=agent)
    assert state.status == S.LOGGED_OUT
    verbs = [(e.before["status"], e.after["status"]) for e in events_for(state).order_by("at")]
    assert verbs == [("logged_out", "ready"), ("ready", "not_ready"), ("not_ready", "logged_out")]


def test_not_ready_needs_a_reason(users):
    agent = users["agent"]
    with pytest.raises(ValidationError) as error:
        agents.change_state(user=agent, agent=agent, status=S.NOT_READY, reason="")
    assert "reason" in error.value.message_dict
    assert not AgentStateLog.objects.exists()


def test_ready_needs_an_extension(users):
    agent = users["agent"]
    with pytest.raises(ValidationError) as error:
        agents.change_state(user=agent, agent=agent, status=S.READY)
    assert "extension" in error.value.message_dict


def test_an_agent_on_a_call_cannot_go_on_break(users):
    agent = users["agent"]
    state = agents.change_state(user=agent, agent=agent, status=S.READY, extension="8001", at=T0)
    agents.call_move(state, S.ON_CALL, at=T0 + timedelta(seconds=5))
    with pytest.raises(ValidationError):
        agents.change_state(user=agent, agent=agent, status=S.NOT_READY, reason="meal")
    assert AgentState.objects.get(agent=agent).status == S.ON_CALL


def test_wrap_up_ends_at_its_limit(users):
    agent = users["agent"]
    state = agents.change_state(user=agent, agent=agent, status=S.READY, extension="8001", at=T0)
    agents.call_move(state, S.ON_CALL, at=T0 + timedelta(seconds=5))
    agents.call_move(state, S.WRAP_UP, at=T0 + timedelta(seconds=100), wrapup_seconds=60)
    assert agents.release_overdue_wrapups(T0 + timedelta(seconds=159)) == 0
    assert agents.release_overdue_wrapups(T0 + timedelta(seconds=160)) == 1
    state.refresh_from_db()
    assert state.status == S.READY
    assert state.since == T0 + timedelta(seconds=160)
    assert state.idle_since == T0 + timedelta(seconds=160)


def test_call_events_for_a_logged_out_agent_change_nothing(users):
    state = agents.state_of(users["agent"])
    agents.call_move(state, S.ON_CALL, at=T0)
    assert AgentState.objects.get(agent=users["agent"]).status == S.LOGGED_OUT


def test_supervisor_of_the_unit_may_set_an_agents_state(users):
    agent = users["agent"]
    agents.change_state(user=users["supervisor"], agent=agent, status=S.NOT_READY, reason="meeting")
    assert AgentState.objects.get(agent=agent).reason == "meeting"


def test_others_may_not(users):
    with pytest.raises(PermissionDenied):
        agents.change_state(
            user=users["agent_west"], agent=users["agent"], status=S.NOT_READY, reason="meal"
        )
    with pytest.raises(PermissionDenied):
        agents.change_state(
            user=users["handler"], agent=users["handler"], status=S.READY, extension="1"
        )
    assert not AgentStateLog.objects.exists()


def test_state_api(users):
    client = client_for(users["agent"])
    response = client.post(
        "/api/agent-states/", {"status": "ready", "extension": "8001"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "ready"
    response = client.post("/api/agent-states/", {"status": "not_ready"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    listed = client.get("/api/agent-states/").json()["results"]
    assert [row["agent"] for row in listed] == [users["agent"].pk]
    west = client_for(users["agent_west"])
    response = west.post(
        "/api/agent-states/", {"status": "logged_out", "agent": users["agent"].pk}, format="json"
    )
    assert response.status_code == 403


def test_the_periodic_task_releases_overdue_wrap_ups(users):
    from django.utils import timezone

    from kefu.telephony.tasks import release_wrapups

    agent = users["agent"]
    start = timezone.now() - timedelta(minutes=5)
    state = agents.change_state(user=agent, agent=agent, status=S.READY, extension="8001", at=start)
    agents.call_move(state, S.ON_CALL, at=start + timedelta(seconds=5))
    agents.call_move(state, S.WRAP_UP, at=start + timedelta(seconds=60), wrapup_seconds=60)
    assert release_wrapups.call_local() == 1
    assert AgentState.objects.get(agent=agent).status == S.READY
