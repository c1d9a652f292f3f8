"""In-app notifications (and their email copies) for users: SLA warnings,
escalations, rectification notices, and whatever later modules need to tell
someone. ``notify`` is the one way to send them."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Urgent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title


def notify(users, *, title, body="", url="", level=Notification.Level.INFO, email=True):
    """Notify each of ``users`` in the web UI and, once the transaction has
    committed, by email to those who have an address."""
    users = list({u.pk: u for u in users}.values())
    Notification.objects.bulk_create(
        [Notification(user=u, title=title, body=body, url=url, level=level) for u in users]
    )
    recipients = [u.email for u in users if u.email]
    if email and recipients:
        message = (str(title), f"{body}\n\n{url}".strip(), None, recipients)
        # The in-app notification is the record; a mail server that is down
        # must not roll back the change that caused the notification.
        transaction.on_commit(lambda: send_mass_mail([message], fail_silently=True))
    return len(users)
