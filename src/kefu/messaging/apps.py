from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "kefu.messaging"
    verbose_name = _("Messaging")

    def ready(self):
        from kefu.messaging.presets import install_sms_templates

        post_migrate.connect(install_sms_templates, sender=self)

    def navigation(self, user):
        if user.is_supervising:
            return [("messaging:satisfaction_report", "mood-smile", _("Satisfaction"))]
        return []
