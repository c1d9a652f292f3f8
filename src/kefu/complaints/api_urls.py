"""REST endpoints of kefu.complaints, mounted under /api/."""

urlpatterns = []
