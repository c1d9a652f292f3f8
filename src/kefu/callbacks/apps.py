from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "kefu.callbacks"
    verbose_name = _("Callbacks")

    def ready(self):
        from kefu.callbacks import receivers  # noqa: F401
        from kefu.callbacks.presets import install_callback_presets

        post_migrate.connect(install_callback_presets, sender=self)

    def navigation(self, user):
        items = []
        if user.is_center_staff:
            items.append(("callbacks:my_list", "phone-outgoing", _("My callbacks")))
        if user.is_supervising:
            items.append(("callbacks:board", "list-check", _("Callback lists")))
        return items
