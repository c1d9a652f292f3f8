"""Sending SMS (templates, opt-out, rate limit, retries without duplicates),
delivery reports, inbound replies, and satisfaction requests."""

import logging
import re
import string
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import scoping, timeline
from kefu.customers import phones
from kefu.customers.models import Phone
from kefu.messaging.gateways import GatewayError, get_gateway
from kefu.messaging.models import InboundSms, OptOut, SmsMessage, SmsTemplate

log = logging.getLogger(__name__)
Status = SmsMessage.Status

# Minutes to wait before each retry of a temporary failure; then it fails.
RETRY_MINUTES = (1, 5, 30)
OPT_OUT_WORDS = frozenset({"TD", "T", "N", "退订", "取消", "STOP", "UNSUBSCRIBE"})


def daily_limit() -> int:
    return getattr(settings, "KEFU_SMS_DAILY_LIMIT", 3)


def service_phone() -> str:
    return getattr(settings, "KEFU_SERVICE_PHONE", "400-000-0000")


def template_variables(body: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(body) if name}


def render(template: SmsTemplate, values: dict) -> str:
    values = {"service_phone": service_phone(), **values}
    missing = template_variables(template.body) - set(values)
    if missing:
        raise ValidationError(
            {"params": [_("Missing values: %(names)s") % {"names": ", ".join(sorted(missing))}]}
        )
    return template.body.format_map(values)


def mobile_of(customer) -> str | None:
    phone = (
        Phone.objects.filter(customer=customer, kind=Phone.Kind.MOBILE)
        .order_by("-is_primary", "id")
        .first()
    )
    return phone.number if phone else None


def is_opted_out(phone: str) -> bool:
    return OptOut.objects.filter(phone=phone).exists()


@transaction.atomic
def queue_sms(*, key, customer=None, phone="", template=None, body="", params=None, user=None,
              unit=None, now=None) -> SmsMessage:  # fmt: skip
    """Queue one message (sent at once after commit, retried by the worker).
    ``key`` makes the call idempotent: the same key returns the message
    already queued instead of sending a second one."""
    now = now or timezone.now()
    existing = SmsMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if user is not None and customer is not None and not scoping.can_see_unit(user, customer.unit):
        raise PermissionDenied(_("You cannot see this customer."))
    if isinstance(template, str):
        template = SmsTemplate.objects.filter(code=template, is_active=True).first()
        if template is None:
            raise ValidationError({"template": [_("Unknown or inactive SMS template.")]})
    params = dict(params or {})
    if customer is not None:
        params.setdefault("customer", customer.name)
    errors = {}
    try:
        phone = phones.normalize(phone) if phone else (customer and mobile_of(customer))
    except ValidationError as error:
        errors["phone"] = error.messages
    if not phone and "phone" not in errors:
        errors["phone"] = [_("The customer has no mobile number.")]
    if template is not None:
        try:
            body = render(template, params)
        except ValidationError as error:
            errors.update(error.message_dict)
    body = (body or "").strip()
    if not body and "params" not in errors:
        errors["body"] = [_("The message is empty.")]
    if errors:
        raise ValidationError(errors)
    if is_opted_out(phone):
        raise ValidationError({"phone": [_("This number has opted out of messages.")]})
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if SmsMessage.objects.filter(phone=phone, created_at__gte=day_start).count() >= daily_limit():
        raise ValidationError(
            {"phone": [_("This number already received today's maximum of messages.")]}
        )
    message = SmsMessage.objects.create(
        key=key,
        customer=customer,
        unit=customer.unit if customer else unit,
        phone=phone,
        template=template,
        params={k: str(v) for k, v in params.items()},
        body=body,
        created_by=user,
        created_at=now,
        next_attempt_at=now,
    )
    if customer is not None:
        timeline.record(
            message,
            "sms.queued",
            actor=user,
            customer=customer,
            message=body,
            after={"phone": phones.mask(phone), "template": template.code if template else ""},
        )
    transaction.on_commit(lambda: deliver(message.pk))
    return message


def _claim(message_id, now):
    """Move a due message to ``sending`` in its own transaction, so that two
    workers never both hand it to the gateway."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .filter(pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        message.status = Status.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
        return message


def deliver(message_id, *, gateway=None, now=None) -> SmsMessage | None:
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None
    gateway = gateway or get_gateway()
    template = message.template
    try:
        provider_id = gateway.send(
            phone=message.phone,
            body=message.body,
            reference=message.pk,
            template_code=template.provider_code if template else "",
            params=message.params,
        )
    except GatewayError as error:
        return _failed(message, error, now, gateway.name)
    message.status = Status.SENT
    message.provider, message.provider_id = gateway.name, provider_id or ""
    message.sent_at, message.error = now, ""
    message.save(update_fields=["status", "provider", "provider_id", "sent_at", "error"])
    return message


def _failed(message, error, now, provider):
    retry = error.temporary and message.attempts <= len(RETRY_MINUTES)
    message.provider = provider
    message.error = str(error)[:255]
    if retry:
        message.status = Status.QUEUED
        message.next_attempt_at = now + timedelta(minutes=RETRY_MINUTES[message.attempts - 1])
    else:
        message.status = Status.FAILED
    message.save(update_fields=["status", "provider", "error", "next_attempt_at"])
    log.warning("SMS %s to %s failed: %s", message.pk, phones.mask(message.phone), error)
    if message.status == Status.FAILED and message.customer_id:
        timeline.record(
            message,
            "sms.failed",
            customer=message.customer,
            message=message.error,
            before={"status": Status.SENDING},
            after={"status": Status.FAILED},
        )
    return message


def dispatch_due(now=None, gateway=None) -> int:
    """The worker's sweep: send every queued message whose time has come."""
    now = now or timezone.now()
    ids = list(
        SmsMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )[:500]
    )
    sent = 0
    for pk in ids:
        message = deliver(pk, gateway=gateway, now=now)
        sent += message is not None and message.status == Status.SENT
    return sent


@transaction.atomic
def delivery_report(*, provider_id="", reference=None, delivered, error="", at=None):
    """A provider's delivery report; unknown messages are ignored (reports
    may arrive for messages sent by another system on the same account)."""
    at = at or timezone.now()
    messages = SmsMessage.objects.select_for_update()
    if reference:
        message = messages.filter(pk=reference).first() if str(reference).isdigit() else None
    else:
        message = messages.filter(provider_id=provider_id).first() if provider_id else None
    if message is None or message.status in (Status.DELIVERED, Status.FAILED):
        return message
    before = message.status
    if delivered:
        message.status, message.delivered_at = Status.DELIVERED, at
    else:
        message.status, message.error = Status.FAILED, (error or "")[:255]
    message.save(update_fields=["status", "delivered_at", "error"])
    if message.customer_id:
        timeline.record(
            message,
            f"sms.{message.status}",
            customer=message.customer,
            message=message.error,
            before={"status": before},
            after={"status": message.status},
        )
    return message


@transaction.atomic
def opt_out(phone: str, *, source="") -> OptOut:
    phone = phones.normalize(phone)
    entry, _created = OptOut.objects.get_or_create(phone=phone, defaults={"source": source})
    return entry


RATING = re.compile(r"^\s*([1-5])\s*分?\s*$")


@transaction.atomic
def receive_reply(*, phone, body, at=None, provider_ref="") -> InboundSms:
    """An SMS from a customer: kept on the customer's file; 退订/TD opts the
    number out; a digit 1–5 answers the number's open satisfaction request."""
    from kefu.customers.services import lookup_by_phone
    from kefu.messaging import satisfaction

    at = at or timezone.now()
    if provider_ref:
        known = InboundSms.objects.filter(provider_ref=provider_ref).first()
        if known is not None:
            return known
    number = phones.try_normalize(phone) or phone
    customer = lookup_by_phone(number).first()
    reply = InboundSms.objects.create(
        phone=number, body=body, received_at=at, customer=customer, provider_ref=provider_ref
    )
    if customer is not None:
        timeline.record(
            reply,
            "sms.reply",
            customer=customer,
            message=body,
            after={"phone": phones.mask(number)},
        )
    word = body.strip().upper()
    if word in OPT_OUT_WORDS:
        opt_out(number, source="sms")
    elif (match := RATING.match(body)) and customer is not None:
        satisfaction.answer_by_sms(customer=customer, phone=number, rating=int(match[1]), at=at)
    return reply


def send_satisfaction_request(*, customer, subject, user, channel="sms"):
    """The entry point other modules call after a call or a closed order."""
    from kefu.messaging import satisfaction

    return satisfaction.send_satisfaction_request(
        customer=customer, subject=subject, user=user, channel=channel
    )
