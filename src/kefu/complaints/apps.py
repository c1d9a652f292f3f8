from django.apps import AppConfig
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    verbose_name = gettext_lazy("Complaints")

    def ready(self):
        from . import receivers  # noqa: F401

    def navigation(self, user):
        items = []
        if user.is_center_staff or user.is_handler:
            items.append(("complaints:list", "mood-sad", _("Complaints")))
        if user.is_supervising or user.is_superuser or user.role == "qa":
            items.append(("complaints:analytics", "chart-pie", _("Complaint analytics")))
        return items
