"""REST endpoints of kefu.workforce, mounted under /api/."""

from rest_framework.routers import SimpleRouter

from .api import ForecastViewSet, LeaveViewSet, ShiftViewSet

router = SimpleRouter()
router.register("workforce/forecasts", ForecastViewSet, basename="workforce-forecast")
router.register("workforce/shifts", ShiftViewSet, basename="workforce-shift")
router.register("workforce/leave", LeaveViewSet, basename="workforce-leave")

urlpatterns = router.urls
