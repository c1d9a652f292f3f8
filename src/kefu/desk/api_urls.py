"""REST endpoints of kefu.desk, mounted under /api/."""

urlpatterns = []
