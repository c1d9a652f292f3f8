import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
django_asgi_app = get_asgi_application()

from asgiref.wsgi import WsgiToAsgi, WsgiToAsgiInstance  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from kefu.routing import websocket_urlpatterns  # noqa: E402


# Django's ASGI handler runs each request's synchronous view in a thread of
# its own, with a database connection of its own. The PBX's requests (many a
# second, each a few milliseconds of work) go through the WSGI handler in
# the event loop's pool of threads instead, whose connections are kept.
class _WholeBody(WsgiToAsgiInstance):
    def build_environ(self, scope, body):
        environ = super().build_environ(scope, body)
        if "CONTENT_LENGTH" not in environ:
            # A chunked request (no Content-Length): its body is read whole.
            body.seek(0, 2)
            environ["CONTENT_LENGTH"] = str(body.tell())
            body.seek(0)
        return environ


class _Wsgi(WsgiToAsgi):
    async def __call__(self, scope, receive, send):
        await _WholeBody(self.wsgi_application, self.duplicate_header_limit)(scope, receive, send)


cti_app = _Wsgi(get_wsgi_application())


async def http(scope, receive, send):
    app = cti_app if scope["path"].startswith("/api/cti/") else django_asgi_app
    return await app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
