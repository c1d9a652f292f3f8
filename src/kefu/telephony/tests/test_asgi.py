"""Under ASGI (``kefu serve``) the PBX's requests take the WSGI handler in
the event loop's reused threads; the rest of the site stays on Django's
ASGI handler."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from kefu.telephony.models import Call


def scope(path, method="POST", root_path=""):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }


def request(path, body=b"", method="POST", root_path=""):
    from kefu.asgi import application

    async def run():
        communicator = ApplicationCommunicator(application, scope(path, method, root_path))
        await communicator.send_input({"type": "http.request", "body": body})
        start = await communicator.receive_output(10)
        content = b""
        while True:
            message = await communicator.receive_output(10)
            content += message.get("body", b"")
            if not message.get("more_body"):
                break
        return start["status"], content

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_a_pbx_event_and_a_page_under_asgi(pbx, queue):
    # No Content-Length, as a chunked request has none.
    event = {"event": "offered", "call_id": "asgi-1", "caller": "13812345678", "queue": "service"}
    status, content = request("/api/cti/east-pbx-token-0001/", json.dumps(event).encode())
    assert status == 200, content
    assert json.loads(content)["status"] == "offered"
    assert Call.objects.filter(call_id="asgi-1").exists()
    status, content = request("/api/cti/east-pbx-token-0001/", b"{not json")
    assert status == 400
    status, _content = request("/login/", method="GET")
    assert status == 200
    # Mounted under a prefix (SCRIPT_NAME), as behind a proxy that strips it.
    event = dict(event, event="ended", cause="normal")
    status, content = request(
        "/kefu/api/cti/east-pbx-token-0001/", json.dumps(event).encode(), root_path="/kefu"
    )
    assert status == 200, content
    assert json.loads(content)["status"] == "ended"


@pytest.mark.django_db(transaction=True)
def test_a_routing_answer_does_not_wait_for_the_screen_pop(pbx, queue, ready_agents):
    """The pushes of a PBX request are handed to the server's event loop,
    which delivers them after the answer."""
    from channels.layers import get_channel_layer

    from kefu.asgi import application
    from kefu.desk import push

    layer = get_channel_layer()
    agent = ready_agents[0]
    body = json.dumps({"call_id": "asgi-pop", "caller": "13812345678", "queue": "service"})

    async def run():
        channel = await layer.new_channel()
        await layer.group_add(push.agent_group(agent.pk), channel)
        communicator = ApplicationCommunicator(
            application, scope("/api/cti/east-pbx-token-0001/route/")
        )
        await communicator.send_input({"type": "http.request", "body": body.encode()})
        start = await communicator.receive_output(10)
        answer = await communicator.receive_output(10)
        # Delivered from the server's loop, this one.
        assert push._server_loop[0] is asyncio.get_running_loop()
        pop = await layer.receive(channel)
        while pop["type"] != "call.pop":
            pop = await layer.receive(channel)
        await layer.group_discard(push.agent_group(agent.pk), channel)
        return start["status"], json.loads(answer["body"]), pop

    status, answer, pop = async_to_sync(run)()
    assert status == 200
    assert answer["action"] == "agent" and answer["extension"] == "8001"
    call = Call.objects.get(call_id="asgi-pop")
    assert pop == {"type": "call.pop", "call": call.pk, "caller": call.caller}
