"""REST endpoints of kefu.telephony, mounted under /api/."""

urlpatterns = []
