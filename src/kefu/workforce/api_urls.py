"""REST endpoints of kefu.workforce, mounted under /api/."""

urlpatterns = []
