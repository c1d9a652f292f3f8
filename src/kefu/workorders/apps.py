from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "kefu.workorders"
    verbose_name = _("Work orders")

    def ready(self):
        from kefu.workorders.presets import install_order_types

        post_migrate.connect(install_order_types, sender=self)

    def navigation(self, user):
        from kefu.workorders.process_templates import can_manage_templates

        if user.is_supervising or can_manage_templates(user):
            return [("workorders:process_list", "route", _("Process templates"))]
        return []
