"""WebSocket routes. Each app that pushes to browsers adds its consumers here."""

websocket_urlpatterns = []
