"""REST endpoints of kefu.callbacks, mounted under /api/."""

urlpatterns = []
