from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "kefu.sla"
    verbose_name = _("Service levels")

    def ready(self):
        from kefu.sla import hooks
        from kefu.sla.presets import install_default_policies

        hooks.connect()
        post_migrate.connect(install_default_policies, sender=self)
