from django.apps import AppConfig
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class DeskConfig(AppConfig):
    name = "kefu.desk"
    verbose_name = gettext_lazy("Agent desktop")

    def ready(self):
        from kefu.desk import push  # noqa: F401  (connects the signal receivers)

    def navigation(self, user):
        items = []
        if user.is_center_staff:
            items.append(("desk:desktop", "headset", _("Phone desk")))
            items.append(("desk:calls", "list-details", _("Call records")))
        if user.is_supervising:
            items.append(("desk:wallboard", "device-desktop-analytics", _("Wallboard")))
            items.append(("desk:conduct", "checklist", _("Call conduct")))
        return items
