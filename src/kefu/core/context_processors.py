from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.core.notifications import Notification


def _nav_items(request):
    user = request.user
    items = []
    if user.is_center_staff:
        items += [
            ("workorders:workbench", "layout-dashboard", _("Workbench")),
            ("workorders:list", "list-details", _("Work orders")),
        ]
    if user.is_handler or user.is_supervising:
        items.append(("workorders:inbox", "inbox", _("Department inbox")))
    if user.is_center_staff:
        items += [
            ("customers:list", "users", _("Customers")),
            ("contacts:list", "phone-call", _("Contacts")),
        ]
    if user.is_supervising or user.is_handler:
        items.append(("sla:at_risk", "alarm", _("Service levels")))
    # Later modules add their entries from their AppConfig's
    # ``navigation(user)``, so adding a module does not touch this file.
    for config in apps.get_app_configs():
        if hasattr(config, "navigation"):
            items += config.navigation(user)
    path = request.path
    result = []
    for name, icon, label in items:
        url = reverse(name)
        result.append(
            {
                "url": url,
                "icon": icon,
                "label": label,
                "active": path.startswith(url) and url != "/",
            }
        )
    if not any(i["active"] for i in result) and result and path == "/":
        result[0]["active"] = True
    return result


def navigation(request):
    context = {"KEFU_BRAND": settings.KEFU_BRAND}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = _nav_items(request)
        context["unread_notifications"] = Notification.objects.filter(
            user=request.user, read_at__isnull=True
        ).count()
    return context
