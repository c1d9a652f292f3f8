"""Under ASGI (``kefu serve``) the PBX's requests take the WSGI handler in
the event loop's reused threads; the rest of the site stays on Django's
ASGI handler."""

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from kefu.telephony.models import Call


def scope(path, method="POST"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 40000),
    }


def request(path, body=b"", method="POST"):
    from kefu.asgi import application

    async def run():
        communicator = ApplicationCommunicator(application, scope(path, method))
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
