from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "kefu.processes"
    verbose_name = _("Processes")

    def ready(self):
        from kefu.processes.presets import install_presets

        post_migrate.connect(install_presets, sender=self)
