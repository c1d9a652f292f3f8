"""Push routing: Kefu tells a PBX that asked for it where to send a call,
posting to a real HTTP listener that stands for the PBX."""

import json
import threading
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from kefu.core.calendars import BusinessCalendar
from kefu.core.models import TimelineEvent
from kefu.factories import UserFactory
from kefu.telephony import pushes
from kefu.telephony.models import AgentState, AgentStatus, Call, Pbx, RoutePush
from kefu.telephony.tasks import decide_waiting_call
from kefu.telephony.tests.conftest import make_ready
from kefu.telephony.tests.factories import QueueFactory, QueueMemberFactory

URL = "/api/cti/east-pbx-token-0001/"


class PbxListener:
    """What the PBX's routing listener received, and the status it answers."""

    def __init__(self):
        self.received = []
        self.status = 200
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.received.append((self.headers.get("X-Kefu-Token"), json.loads(body)))
                self.send_response(listener.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kefu/route"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def decisions(self):
        return [decision for _token, decision in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = PbxListener()
    yield server
    server.close()


@pytest.fixture
def pushing(pbx, listener, monkeypatch):
    """The PBX takes pushes; deliveries run in the test's thread, retried at once."""
    pbx.route_url = listener.url
    pbx.save()
    monkeypatch.setattr(pushes, "deliver_soon", pushes.deliver)
    monkeypatch.setattr(pushes, "RETRY_DELAYS", (0, 0))
    return pbx


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a step, then what waits for its commit, as a real commit would."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def post(client, seconds=0, **payload):
    payload.setdefault("at", (timezone.now() + timedelta(seconds=seconds)).isoformat())
    response = client.post(URL, payload, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def queue_call(client, call_id, caller="13812345678"):
    post(client, event="offered", call_id=call_id, caller=caller, queue="service")
    post(client, event="queued", call_id=call_id, queue="service")


def status_of(agent):
    return AgentState.objects.get(agent=agent).status


def test_a_queued_call_rings_the_longest_idle_agent_and_the_pbx_is_told(
    committed, pbx_client, pushing, queue, ready_agents, listener
):
    committed(queue_call, pbx_client, "p1")
    assert listener.received == [
        (
            "east-pbx-token-0001",
            {
                "call": "p1",
                "action": "agent",
                "queue": "service",
                "extension": "8001",
                "agent": ready_agents[0].username,
                "priority": 0,
            },
        )
    ]
    call = Call.objects.get(call_id="p1")
    assert (call.status, call.agent) == (Call.Status.RINGING, ready_agents[0])
    assert status_of(ready_agents[0]) == AgentStatus.RINGING
    push = RoutePush.objects.get()
    assert (push.status, push.attempts, push.agent) == (RoutePush.Status.SENT, 1, ready_agents[0])


def test_a_pbx_that_asks_is_never_pushed_to(
    pbx_client, pbx, queue, ready_agents, listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_call(pbx_client, "ask1")
    assert listener.received == []
    assert not RoutePush.objects.exists()
    assert Call.objects.get(call_id="ask1").status == Call.Status.QUEUED
    assert status_of(ready_agents[0]) == AgentStatus.READY


def test_a_call_waits_until_an_agent_becomes_ready(
    committed, pbx_client, pushing, queue, desk_agents, listener
):
    committed(queue_call, pbx_client, "early")
    committed(queue_call, pbx_client, "late", caller="13900000000")
    assert listener.received == []
    committed(make_ready, desk_agents[1], "8002", timezone.now())
    assert [(d["call"], d["extension"]) for d in listener.decisions] == [("early", "8002")]
    committed(make_ready, desk_agents[0], "8001", timezone.now())
    assert [d["call"] for d in listener.decisions] == ["early", "late"]


def test_an_agent_of_another_queue_becoming_ready_rings_nobody(
    committed, pbx_client, pushing, queue, desk_agents, org, listener
):
    other = QueueFactory(unit=org["east"], code="sales", calendar=queue.calendar)
    stranger = UserFactory(username="sales1", role="agent", unit=org["east"])
    QueueMemberFactory(queue=other, agent=stranger)
    committed(queue_call, pbx_client, "w1")
    committed(make_ready, stranger, "8300", timezone.now())
    assert listener.received == []
    assert status_of(stranger) == AgentStatus.READY


def test_a_closed_queue_sends_the_call_to_voicemail(
    committed, pbx_client, pushing, queue, ready_agents, listener
):
    queue.calendar = BusinessCalendar.objects.create(
        name="停业", code="closed", follows_china_holidays=False
    )
    queue.closed_message = "您好，现在是非工作时间"
    queue.save()
    committed(queue_call, pbx_client, "night")
    assert listener.decisions == [
        {
            "call": "night",
            "action": "voicemail",
            "queue": "service",
            "message": "您好，现在是非工作时间",
        }
    ]
    assert Call.objects.get(call_id="night").disposition == Call.Disposition.VOICEMAIL


def test_overflow_is_decided_when_its_time_comes(
    committed, pbx_client, pushing, queue, desk_agents, org, listener
):
    backup = QueueFactory(unit=org["east"], code="backup", calendar=queue.calendar)
    queue.overflow_queue = backup
    queue.overflow_after_seconds = 30
    queue.save()
    helper = UserFactory(username="backup1", role="agent", unit=org["east"])
    QueueMemberFactory(queue=backup, agent=helper)
    committed(make_ready, helper, "8200", timezone.now())
    HUEY.flush()
    committed(queue_call, pbx_client, "o1")
    assert listener.received == []
    offered_at = Call.objects.get(call_id="o1").offered_at
    (task,) = HUEY.scheduled()
    assert task.args == (pushing.pk, "o1")
    overflow_at = (offered_at + timedelta(seconds=30)).astimezone(UTC).replace(tzinfo=None)
    assert abs(task.eta - overflow_at) < timedelta(seconds=1)
    # The worker runs it at that time: here, by making the call 30 s older.
    Call.objects.filter(call_id="o1").update(offered_at=offered_at - timedelta(seconds=30))
    committed(decide_waiting_call.call_local, *task.args)
    assert [(d["queue"], d["extension"]) for d in listener.decisions] == [("backup", "8200")]
    assert Call.objects.get(call_id="o1").overflowed


def test_a_failed_delivery_frees_the_agent_and_pauses_the_pushes(
    committed, client, users, pbx_client, pushing, queue, ready_agents, listener
):
    listener.status = 503
    committed(queue_call, pbx_client, "f1")
    push = RoutePush.objects.get()
    assert (push.status, push.attempts, push.error) == (RoutePush.Status.FAILED, 3, "HTTP 503")
    assert len(listener.received) == 3
    call = Call.objects.get(call_id="f1")
    assert (call.status, call.agent) == (Call.Status.QUEUED, None)
    assert status_of(ready_agents[0]) == AgentStatus.READY
    event = TimelineEvent.objects.get(verb="call.push_failed")
    assert event.before["agent"] == ready_agents[0].pk and event.after["agent"] is None
    client.force_login(users["supervisor"])
    page = client.get(reverse("desk:pop", args=[call.pk])).content.decode()
    assert "交换机未收到路由决定（HTTP 503）" in page
    # The agent it rang is named, not numbered.
    assert f'text-secondary">{ready_agents[0]}</span>' in page

    # Paused: the agent's return to ready and a new call push nothing.
    committed(queue_call, pbx_client, "f2")
    assert len(listener.received) == 3
    listener.status = 200
    assert committed(pushes.sweep, now=timezone.now() + pushes.PAUSE + timedelta(seconds=1)) == 2
    assert sorted(d["call"] for d in listener.decisions[3:]) == ["f1", "f2"]


def test_a_decision_overtaken_by_events_is_not_posted(
    committed, pbx_client, pushing, queue, ready_agents, listener, monkeypatch
):
    held = []
    monkeypatch.setattr(pushes, "deliver_soon", held.append)
    committed(queue_call, pbx_client, "gone")
    committed(post, pbx_client, 1, event="ended", call_id="gone", cause="normal")
    committed(pushes.deliver, held[0])
    assert listener.received == []
    assert RoutePush.objects.get().status == RoutePush.Status.STALE
    # The caller hung up while it rang: the agent is ready again.
    assert status_of(ready_agents[0]) == AgentStatus.READY


def test_the_sweep_rings_again_for_a_delivery_a_stopped_process_left(
    committed, pbx_client, pushing, queue, ready_agents, listener, monkeypatch
):
    monkeypatch.setattr(pushes, "deliver_soon", lambda push_id: None)
    committed(queue_call, pbx_client, "left")
    assert status_of(ready_agents[0]) == AgentStatus.RINGING
    monkeypatch.setattr(pushes, "deliver_soon", pushes.deliver)
    later = timezone.now() + pushes.ABANDONED_AFTER + timedelta(seconds=1)
    assert committed(pushes.sweep, now=later) == 1
    lost, again = RoutePush.objects.order_by("pk")
    assert (lost.status, lost.agent) == (RoutePush.Status.LOST, ready_agents[0])
    # Freed, the first agent is now the more recently idle one.
    assert status_of(ready_agents[0]) == AgentStatus.READY
    assert (again.status, again.agent) == (RoutePush.Status.SENT, ready_agents[1])
    assert [d["extension"] for d in listener.decisions] == ["8002"]


def test_an_unreachable_pbx_is_a_failed_delivery(
    committed, pbx_client, pushing, queue, ready_agents
):
    pushing.route_url = "http://127.0.0.1:9/unreachable"
    pushing.save()
    committed(queue_call, pbx_client, "u1")
    push = RoutePush.objects.get()
    assert (push.status, push.error) == (RoutePush.Status.FAILED, "无法连接")


def test_the_push_url_must_be_a_web_address(pbx):
    pbx.route_url = "pbx.local/route"
    with pytest.raises(ValidationError) as error:
        pbx.full_clean()
    assert "route_url" in error.value.message_dict
    assert Pbx.objects.get(pk=pbx.pk).route_url == ""


def test_operators_set_the_push_url_and_see_the_deliveries(
    committed, admin_client, pbx_client, pushing, queue, ready_agents
):
    committed(queue_call, pbx_client, "a1")
    form = admin_client.get(reverse("admin:telephony_pbx_change", args=[pushing.pk]))
    assert 'name="route_url"' in form.content.decode()
    pushes_page = admin_client.get(reverse("admin:telephony_routepush_changelist")).content.decode()
    assert "a1" in pushes_page
    assert admin_client.get(reverse("admin:telephony_routepush_add")).status_code == 403
