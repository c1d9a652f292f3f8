"""REST endpoints of kefu.complaints, mounted under /api/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kefu.complaints.api import ComplaintCategoryViewSet, ComplaintViewSet

router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("complaint-categories", ComplaintCategoryViewSet, basename="complaint-category")

urlpatterns = [path("", include(router.urls))]
