from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "kefu.workforce"
    verbose_name = _("Workforce")

    def navigation(self, user):
        items = [
            ("workforce:roster", "calendar-time", _("Roster")),
            ("workforce:leave", "plane-departure", _("Leave")),
        ]
        if user.is_superuser or user.is_supervising:
            items = [
                ("workforce:plan", "chart-line", _("Staffing plan")),
                *items,
                ("workforce:people", "school", _("Training and attendance")),
            ]
        return items
