from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkordersConfig(AppConfig):
    name = "kefu.workorders"
    verbose_name = _("Work orders")

    def ready(self):
        from kefu.workorders.presets import install_order_types

        post_migrate.connect(install_order_types, sender=self)
