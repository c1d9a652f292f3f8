"""The phone desk: state control, screen pop over the WebSocket, one-click
contact registration, the wallboard and its push."""

import json
import re

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse

from kefu.asgi import application
from kefu.contacts.models import Contact
from kefu.core.timeline import events_for
from kefu.telephony import acd
from kefu.telephony.models import AgentState, AgentStatus, Call
from kefu.telephony.tests.conftest import T0


class Socket(ApplicationCommunicator):
    """A WebSocket client for the ASGI application (channels.testing needs
    daphne, which Kefu does not install)."""

    def __init__(self, path, user):
        scope = {"type": "websocket", "path": path, "headers": [], "subprotocols": [], "user": user}
        super().__init__(application, scope)

    async def connect(self):
        await self.send_input({"type": "websocket.connect"})
        return (await self.receive_output(3))["type"] == "websocket.accept"

    async def receive_json_from(self, timeout=3):
        message = await self.receive_output(timeout)
        return json.loads(message["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_desktop_page_and_state_buttons(users):
    client = logged_in(users["agent"])
    page = client.get("/desk/")
    assert page.status_code == 200
    assert "agent-state" in page.text
    response = client.post("/desk/state/", {"status": "ready", "extension": "8001"})
    assert response.status_code == 200
    assert AgentState.objects.get(agent=users["agent"]).status == AgentStatus.READY
    response = client.post("/desk/state/", {"status": "not_ready"})
    assert "alert-danger" in response.text
    assert AgentState.objects.get(agent=users["agent"]).status == AgentStatus.READY
    client.post("/desk/state/", {"status": "not_ready", "reason": "meal"})
    assert AgentState.objects.get(agent=users["agent"]).reason == "meal"


def test_department_staff_have_no_desk(users):
    assert logged_in(users["handler"]).get("/desk/").status_code == 403
    assert logged_in(users["agent"]).get("/desk/wallboard/").status_code == 403
    assert logged_in(users["supervisor"]).get("/desk/wallboard/?big=1").status_code == 200


def test_wallboard_page_shows_the_board_before_any_push(users, pbx, queue):
    page = logged_in(users["supervisor"]).get("/desk/wallboard/")
    board = json.loads(re.search(r'id="board-now"[^>]*>(.*?)</script>', page.text).group(1))
    assert [q["code"] for q in board["queues"]] == ["service"]
    # Without a WebSocket the page polls the API for the same snapshot.
    assert reverse("wallboard") in page.text


def test_pop_shows_the_customer_and_registers_the_contact(pbx, queue, ready_agents, customer):
    acd.route(
        pbx, {"call_id": "d1", "caller": "13812345678", "queue": "service", "at": T0.isoformat()}
    )
    call = Call.objects.get(call_id="d1")
    client = logged_in(ready_agents[0])
    pop = client.get(f"/desk/calls/{call.pk}/")
    assert customer.name in pop.text
    empty = client.post(f"/desk/calls/{call.pk}/contact/", {"content": " "})
    assert "is-invalid" in empty.text
    assert not Contact.objects.exists()
    client.post(f"/desk/calls/{call.pk}/contact/", {"content": "咨询物业费缴纳方式"})
    call.refresh_from_db()
    contact = Contact.objects.get()
    assert call.contact == contact
    assert (contact.customer, contact.channel, contact.caller) == (customer, "phone", "13812345678")
    assert "call.contact" in [e.verb for e in events_for(call)]
    again = client.post(f"/desk/calls/{call.pk}/contact/", {"content": "再登记一次"})
    assert Contact.objects.count() == 1
    assert "text-success" in again.text


def test_another_agents_call_is_not_shown(pbx, queue, ready_agents, users):
    acd.route(pbx, {"call_id": "d2", "caller": "13812345678", "queue": "service"})
    call = Call.objects.get(call_id="d2")
    assert logged_in(ready_agents[1]).get(f"/desk/calls/{call.pk}/").status_code == 404
    assert logged_in(users["agent_west"]).get(f"/desk/calls/{call.pk}/").status_code == 404
    assert logged_in(users["supervisor"]).get(f"/desk/calls/{call.pk}/").status_code == 200


def test_the_pop_is_a_fragment_for_the_desk_and_a_page_opened_directly(
    pbx, queue, ready_agents, users
):
    acd.route(pbx, {"call_id": "d3", "caller": "13812345678", "queue": "service"})
    call = Call.objects.get(call_id="d3")
    client = logged_in(ready_agents[0])
    fragment = client.get(f"/desk/calls/{call.pk}/", headers={"HX-Request": "true"}).text
    assert fragment.startswith('<div id="pop"') and "<html" not in fragment
    page = client.get(f"/desk/calls/{call.pk}/").text
    assert "<html" in page and 'id="pop"' in page and "13812345678" in page
    # The call's own timeline, each event titled.
    assert f"分配给 {ready_agents[0]}" in page
    records = logged_in(users["supervisor"]).get("/desk/calls/").text
    assert f'href="/desk/calls/{call.pk}/"' in records


def test_the_calls_timeline_reads_in_the_readers_language(pbx, queue, ready_agents):
    from kefu.core.models import TimelineEvent
    from kefu.telephony import cti

    acd.route(pbx, {"call_id": "d4", "caller": "13812345678", "queue": "service"})
    events = ({"event": "answered", "extension": "8001"}, {"event": "held"})
    for event in (*events, {"event": "ended", "cause": "normal"}):
        cti.receive(pbx, cti.parse_event({**event, "call_id": "d4"}))
    call = Call.objects.get(call_id="d4")
    # Recorded while Chinese was active; read by someone reading English.
    TimelineEvent.objects.filter(verb="call.ended").update(message="已接听")
    TimelineEvent.objects.filter(verb="call.offered").update(message="来电：13812345678")
    page = (
        logged_in(ready_agents[0])
        .get(f"/desk/calls/{call.pk}/", headers={"Accept-Language": "en"})
        .text
    )
    assert "Put on hold" in page and f"Routed to {ready_agents[0]}" in page
    assert "Call from 13812345678" in page and f"Answered by {ready_agents[0]}" in page
    assert "已接听" not in page and "来电" not in page


def test_a_call_event_recorded_before_its_title_was_kept_shows_its_message(
    pbx, queue, ready_agents
):
    from kefu.core.models import TimelineEvent

    acd.route(pbx, {"call_id": "d5", "caller": "13812345678", "queue": "service"})
    call = Call.objects.get(call_id="d5")
    TimelineEvent.objects.filter(verb="call.offered").update(
        message="来电：13812345678", after={"status": "offered"}
    )
    page = (
        logged_in(ready_agents[0])
        .get(f"/desk/calls/{call.pk}/", headers={"Accept-Language": "en"})
        .text
    )
    assert "来电：13812345678" in page


@pytest.mark.django_db(transaction=True)
def test_screen_pop_is_pushed_to_the_ringing_agent(pbx, queue, ready_agents):
    async_to_sync(screen_pop)(pbx, ready_agents)


async def screen_pop(pbx, ready_agents):
    communicator = Socket("/ws/desk/", ready_agents[0])
    connected = await communicator.connect()
    assert connected
    await database_sync_to_async(acd.route)(
        pbx, {"call_id": "ws1", "caller": "13812345678", "queue": "service"}
    )
    messages = [await communicator.receive_json_from(timeout=2) for _ in range(2)]
    pops = [m for m in messages if m["type"] == "pop"]
    call = await database_sync_to_async(Call.objects.get)(call_id="ws1")
    assert pops == [{"type": "pop", "url": f"/desk/calls/{call.pk}/", "caller": "13812345678"}]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
def test_wallboard_pushes_a_snapshot(users, pbx, queue):
    async_to_sync(wallboard_snapshot)(users)


async def wallboard_snapshot(users):
    communicator = Socket("/ws/wallboard/", users["supervisor"])
    connected = await communicator.connect()
    assert connected
    first = await communicator.receive_json_from(timeout=3)
    assert first["type"] == "board"
    assert [q["code"] for q in first["board"]["queues"]] == ["service"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
def test_agents_cannot_open_the_wallboard_socket(users):
    async_to_sync(refused)(users)


async def refused(users):
    communicator = Socket("/ws/wallboard/", users["agent"])
    connected = await communicator.connect()
    assert not connected


def test_link_the_call_to_an_open_order(pbx, queue, ready_agents, customer, order_types, users):
    from kefu.workorders.services import register_order

    order = register_order(
        user=users["supervisor"],
        unit=customer.unit,
        order_type=order_types["repair"],
        title="厨房水管漏水",
        customer=customer,
    )
    acd.route(pbx, {"call_id": "d3", "caller": "13812345678", "queue": "service"})
    call = Call.objects.get(call_id="d3")
    client = logged_in(ready_agents[0])
    assert order.number in client.get(f"/desk/calls/{call.pk}/").text
    refused = client.post(f"/desk/calls/{call.pk}/order/", {"order": "999999"})
    assert "alert-danger" in refused.text
    client.post(f"/desk/calls/{call.pk}/order/", {"order": order.pk})
    call.refresh_from_db()
    assert call.work_order == order
    assert "call.work_order" in [e.verb for e in events_for(call)]


@pytest.mark.parametrize(
    ("scope", "language"),
    [
        ({"headers": [(b"accept-language", b"en-US,en;q=0.9")]}, "en"),
        ({"headers": [(b"accept-language", b"zh-CN,zh;q=0.9")]}, "zh-hans"),
        ({"headers": [], "cookies": {"django_language": "en"}}, "en"),
        ({"headers": []}, "zh-hans"),
    ],
)
def test_wallboard_language_follows_the_browser(scope, language):
    from kefu.desk.consumers import language_of

    assert language_of(scope) == language


def test_after_the_call_the_caller_is_sent_the_satisfaction_survey(
    pbx, queue, ready_agents, customer
):
    from kefu.messaging.models import SatisfactionRequest, SmsMessage

    acd.route(pbx, {"call_id": "s1", "caller": "13812345678", "queue": "service"})
    call = Call.objects.get(call_id="s1")
    client = logged_in(ready_agents[0])
    assert "ask-satisfaction" in client.get(f"/desk/calls/{call.pk}/").text
    response = client.post(f"/desk/calls/{call.pk}/satisfaction/")
    assert response.status_code == 200
    request = SatisfactionRequest.objects.get()
    assert (request.customer, request.subject) == (customer, call)
    assert SmsMessage.objects.filter(customer=customer).exists()
    assert (
        logged_in(ready_agents[1]).post(f"/desk/calls/{call.pk}/satisfaction/").status_code == 404
    )
    assert SatisfactionRequest.objects.count() == 1


def test_an_unknown_caller_cannot_be_asked_for_a_rating(pbx, queue, ready_agents):
    from kefu.messaging.models import SatisfactionRequest

    acd.route(pbx, {"call_id": "s2", "caller": "13900000000", "queue": "service"})
    call = Call.objects.get(call_id="s2")
    response = logged_in(ready_agents[0]).post(f"/desk/calls/{call.pk}/satisfaction/")
    assert "alert-danger" in response.text
    assert not SatisfactionRequest.objects.exists()
