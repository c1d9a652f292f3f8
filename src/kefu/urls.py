from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("kefu.api_urls")),
    path("", include("kefu.core.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("contacts/", include("kefu.contacts.urls")),
    path("orders/", include("kefu.workorders.urls")),
    path("sla/", include("kefu.sla.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
