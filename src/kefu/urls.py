from django.contrib import admin
from django.urls import include, path

# No /media/ route, not even in debug mode: uploaded files are served by the
# views that check who may see them.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("kefu.api_urls")),
    path("", include("kefu.core.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("contacts/", include("kefu.contacts.urls")),
    path("orders/", include("kefu.workorders.urls")),
    path("sla/", include("kefu.sla.urls")),
    path("complaints/", include("kefu.complaints.urls")),
    path("callbacks/", include("kefu.callbacks.urls")),
    path("messaging/", include("kefu.messaging.urls")),
    path("telephony/", include("kefu.telephony.urls")),
    path("desk/", include("kefu.desk.urls")),
    path("workforce/", include("kefu.workforce.urls")),
]
