"""REST endpoints of kefu.callbacks, mounted under /api/."""

from rest_framework.routers import SimpleRouter

from kefu.callbacks.api import CallbackTaskViewSet

router = SimpleRouter()
router.register("callbacks", CallbackTaskViewSet, basename="callback")

urlpatterns = router.urls
