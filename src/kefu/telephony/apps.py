from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "kefu.telephony"
    verbose_name = _("Telephony")

    def ready(self):
        from kefu.telephony import pushes  # noqa: F401  (connects the signal receivers)
