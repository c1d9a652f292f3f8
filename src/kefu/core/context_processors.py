from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.notifications import Notification

# The navigation bar's menus. An entry goes to the menu of its URL namespace;
# a menu with one entry for this user shows as a plain link, and entries of
# no menu (the workbench) stand alone.
MENU_OF = {
    "workorders": "orders",
    "sla": "orders",
    "customers": "customers",
    "contacts": "customers",
    "complaints": "complaints",
    "callbacks": "callbacks",
    "messaging": "callbacks",
    "desk": "phone",
    "workforce": "workforce",
}
STANDALONE = {"workorders:workbench"}
MENUS = {
    "orders": ("file-text", gettext_lazy("Work orders")),
    "customers": ("users", gettext_lazy("Customers")),
    "complaints": ("message-report", gettext_lazy("Complaints")),
    "callbacks": ("phone-outgoing", gettext_lazy("Callbacks")),
    "phone": ("headset", gettext_lazy("Call center")),
    "workforce": ("calendar-time", gettext_lazy("Workforce")),
}


def _menus(entries):
    """Group the entries into menus, in the order each menu first appears."""
    menus = {}
    for name, entry in entries:
        key = None if name in STANDALONE else MENU_OF.get(name.split(":", 1)[0])
        menus.setdefault(key or name, []).append(entry)
    result = []
    for key, group in menus.items():
        if len(group) == 1 or key not in MENUS:
            result += group
            continue
        icon, label = MENUS[key]
        result.append(
            {
                "icon": icon,
                "label": label,
                "entries": group,
                "active": any(e["active"] for e in group),
            }
        )
    return result


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
    entries = []
    for name, icon, label in items:
        url = reverse(name)
        entry = {"url": url, "icon": icon, "label": label}
        entry["active"] = path.startswith(url) and url != "/"
        entries.append((name, entry))
    if entries and path == "/" and not any(e["active"] for _n, e in entries):
        entries[0][1]["active"] = True
    return _menus(entries)


def navigation(request):
    context = {"KEFU_BRAND": settings.KEFU_BRAND}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = _nav_items(request)
        context["unread_notifications"] = Notification.objects.filter(
            user=request.user, read_at__isnull=True
        ).count()
    return context
