from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ComplaintsConfig(AppConfig):
    name = "kefu.complaints"
    verbose_name = gettext_lazy("Complaints")

    def ready(self):
        from kefu.complaints import hooks
        from kefu.complaints.presets import install_categories

        hooks.connect()
        post_migrate.connect(install_categories, sender=self)

    def navigation(self, user):
        items = []
        if user.is_center_staff or user.is_handler:
            items.append(("complaints:list", "message-report", _("Complaints")))
        if user.is_supervising:
            items.append(("complaints:analytics", "chart-bar", _("Complaint analytics")))
        return items
