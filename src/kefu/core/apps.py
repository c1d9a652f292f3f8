from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    verbose_name = _("Core")

    def ready(self):
        from kefu.core.calendars import install_default_calendars

        post_migrate.connect(install_default_calendars, sender=self)
