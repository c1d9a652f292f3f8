"""REST endpoints of kefu.messaging, mounted under /api/."""

urlpatterns = []
