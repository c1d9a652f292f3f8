import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
django_asgi_app = get_asgi_application()

import asyncio  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from kefu.desk import push  # noqa: E402
from kefu.routing import websocket_urlpatterns  # noqa: E402


class _Cti:
    """The PBX's requests (many a second, each a few milliseconds of work)
    through Django's WSGI handler in the event loop's pool of reused
    threads, whose database connections are kept: Django's ASGI handler
    runs each request's synchronous view in a thread of its own, with a
    connection of its own. The answer is sent in one message once the
    handler is done, and what the request pushes to browsers goes out from
    the event loop after it (``desk.push``)."""

    def __init__(self, wsgi_application):
        self.wsgi_application = wsgi_application

    async def __call__(self, scope, receive, send):
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        loop = asyncio.get_running_loop()
        status, headers, content = await loop.run_in_executor(None, self._run, scope, bytes(body))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _run(self, scope, body):
        environ = _environ(scope, body)
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [
                (name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers
            ]

        response = self.wsgi_application(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            # Django's end of the request (its connections' upkeep).
            response.close()
        return started["status"], started["headers"], content


def _environ(scope, body):
    """The WSGI environ (PEP 3333) of an ASGI HTTP request and its body."""
    server = scope.get("server") or ("localhost", 80)
    root = scope.get("root_path", "")
    path = scope["path"].removeprefix(root)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root.encode().decode("latin1"),
        "PATH_INFO": path.encode().decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": (scope.get("client") or ("",))[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.get("headers", []):
        name = name.decode("latin1").upper().replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        value = value.decode("latin1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    # A chunked request has no Content-Length: its body was read whole.
    environ["CONTENT_LENGTH"] = str(len(body))
    return environ


cti_app = _Cti(get_wsgi_application())


async def http(scope, receive, send):
    path = scope["path"].removeprefix(scope.get("root_path", ""))
    app = cti_app if path.startswith("/api/cti/") else django_asgi_app
    return await app(scope, receive, send)


router = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)


async def application(scope, receive, send):
    push.serve_from(asyncio.get_running_loop())
    return await router(scope, receive, send)
