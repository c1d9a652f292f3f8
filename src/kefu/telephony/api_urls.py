"""REST endpoints of kefu.telephony, mounted under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kefu.telephony import api

router = SimpleRouter()
router.include_format_suffixes = False
router.register("calls", api.CallViewSet, basename="call")
router.register("queues", api.QueueViewSet, basename="queue")
router.register("agent-states", api.AgentStateViewSet, basename="agent-state")

urlpatterns = [
    path("cti/<str:token>/", api.CtiEventView.as_view(), name="cti-event"),
    path("cti/<str:token>/batch/", api.CtiBatchView.as_view(), name="cti-batch"),
    path("cti/<str:token>/zammad/", api.ZammadView.as_view(), name="cti-zammad"),
    path("cti/<str:token>/route/", api.RouteView.as_view(), name="cti-route"),
    path("cti/<str:token>/ivr/", api.IvrExportView.as_view(), name="cti-ivr"),
    path("wallboard/", api.WallboardView.as_view(), name="wallboard"),
    path("", include(router.urls)),
]
