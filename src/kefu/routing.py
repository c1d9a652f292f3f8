"""WebSocket routes. Each app that pushes to browsers adds its consumers here."""

from django.urls import path

from kefu.desk.consumers import DeskConsumer, WallboardConsumer

websocket_urlpatterns = [
    path("ws/desk/", DeskConsumer.as_asgi()),
    path("ws/wallboard/", WallboardConsumer.as_asgi()),
]
