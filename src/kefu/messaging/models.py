"""SMS templates and messages, opt-outs, inbound replies, and the requests
for a satisfaction rating answered on a no-login page."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.choices import Satisfaction
from kefu.core.models import OrgUnit
from kefu.customers.models import Customer


class SmsTemplate(models.Model):
    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("Festival greeting")
        INFORMATION = "information", _("Useful information")
        TIPS = "tips", _("Tips")
        REPAIR = "repair", _("Repair follow-up")
        SATISFACTION = "satisfaction", _("Satisfaction request")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    body = models.TextField(
        _("text"),
        help_text=_("Variables in braces: {customer}, {service_phone}, {link}, {festival}."),
    )
    provider_code = models.CharField(
        _("provider template code"),
        max_length=40,
        blank=True,
        help_text=_("The template id registered with the SMS provider, when it requires one."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    # The sender's idempotency key: the same key never sends twice.
    key = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    template = models.ForeignKey(
        SmsTemplate, verbose_name=_("template"), on_delete=models.SET_NULL, null=True, blank=True
    )
    params = models.JSONField(default=dict, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="sms_status_next"),
            models.Index(fields=["provider_id"], name="sms_provider_id"),
            models.Index(fields=["phone", "created_at"], name="sms_phone_created"),
        ]

    def __str__(self):
        return f"{self.phone}: {self.body[:20]}"


class OptOut(models.Model):
    """A number that asked not to receive messages (退订)."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    at = models.DateTimeField(_("since"), default=timezone.now)
    source = models.CharField(_("source"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self):
        return self.phone


class InboundSms(models.Model):
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    body = models.TextField(_("text"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.SET_NULL, null=True, blank=True
    )
    provider_ref = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("SMS reply")
        verbose_name_plural = _("SMS replies")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="inbound_provider_ref",
            )
        ]

    def __str__(self):
        return f"{self.phone}: {self.body[:20]}"


class SatisfactionRequest(models.Model):
    """One request for a rating after a contact; answered once, before it
    expires, on the page its signed link opens."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        LINK = "link", _("Link only")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    message = models.ForeignKey(
        SmsMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("satisfaction request")
        verbose_name_plural = _("satisfaction requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "created_at"], name="satreq_unit_created")]

    def __str__(self):
        return f"{self.customer} {self.created_at:%Y-%m-%d}"
