"""The REST API root: each app's viewsets on one router, the OpenAPI schema
and its Swagger UI (served from the sidecar package: no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from kefu.contacts.api import ContactViewSet
from kefu.core.api import DepartmentViewSet, MeView, OrgUnitViewSet, TokenView
from kefu.customers.api import CustomerViewSet, TagViewSet
from kefu.workorders.api import (
    CategoryViewSet,
    ChargeToBillViewSet,
    OrderTypeViewSet,
    ProcessDefinitionViewSet,
    WorkOrderViewSet,
)

router = DefaultRouter()
router.include_format_suffixes = False
router.register("customers", CustomerViewSet, basename="customer")
router.register("tags", TagViewSet, basename="tag")
router.register("contacts", ContactViewSet, basename="contact")
router.register("workorders", WorkOrderViewSet, basename="workorder")
router.register("charges", ChargeToBillViewSet, basename="charge")
router.register("order-types", OrderTypeViewSet, basename="order-type")
router.register("categories", CategoryViewSet, basename="category")
router.register("process-definitions", ProcessDefinitionViewSet, basename="process-definition")
router.register("org-units", OrgUnitViewSet, basename="org-unit")
router.register("departments", DepartmentViewSet, basename="department")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
    # Apps added after the first release keep their own routes.
    path("", include("kefu.complaints.api_urls")),
    path("", include("kefu.callbacks.api_urls")),
    path("", include("kefu.messaging.api_urls")),
    path("", include("kefu.telephony.api_urls")),
    path("", include("kefu.desk.api_urls")),
    path("", include("kefu.workforce.api_urls")),
]
