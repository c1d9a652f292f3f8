"""Choices shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")


DISSATISFIED = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})


class Channel(models.TextChoices):
    """How a contact reached the service center (SPEC §2.2)."""

    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Online chat")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", _("QQ")
