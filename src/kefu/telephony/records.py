"""Call records (话单, the CDR) as people look them up: by day, queue, agent,
outcome and number, and exported to Excel with every duration of the call."""

from datetime import datetime, time, timedelta

from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers import phones
from kefu.telephony import conduct
from kefu.telephony.services import visible_calls

EXPORT_LIMIT = 50_000


def calls_for(user):
    """A supervisor reads the calls of their units; an agent the calls they
    took (a caller's number is personal data)."""
    calls = visible_calls(user).select_related("queue", "agent", "customer", "work_order")
    if not user.is_supervising:
        calls = calls.filter(agent=user)
    return calls


def _number_fragment(text):
    """What a stored number contains when it is the number typed: the
    national number without the trunk 0 matches both ``+8621…`` and ``021…``."""
    e164 = phones.try_normalize(text)
    if e164 and e164.startswith("+86"):
        return e164[3:]
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits.lstrip("0") or digits


def search(calls, *, date_from=None, date_to=None, queue=None, agent=None, **criteria):
    """Narrow ``calls`` by the criteria of the call-record filter (empty ones
    are ignored); days are local days, both ends included."""
    if date_from:
        start = timezone.make_aware(datetime.combine(date_from, time.min))
        calls = calls.filter(offered_at__gte=start)
    if date_to:
        end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min))
        calls = calls.filter(offered_at__lt=end)
    if queue:
        calls = calls.filter(queue=queue)
    if agent:
        calls = calls.filter(agent=agent)
    if criteria.get("direction"):
        calls = calls.filter(direction=criteria["direction"])
    if criteria.get("disposition"):
        calls = calls.filter(disposition=criteria["disposition"])
    if criteria.get("conduct"):
        calls = calls.filter(conduct.breach(criteria["conduct"]))
    number = (criteria.get("number") or "").strip()
    if number:
        fragment = _number_fragment(number)
        calls = calls.annotate(
            caller_digits=_digits("caller"), called_digits=_digits("called")
        ).filter(Q(caller_digits__contains=fragment) | Q(called_digits__contains=fragment))
    return calls


def _digits(field):
    # Numbers are kept as the PBX sent them, some with dashes or spaces.
    return Replace(Replace(F(field), Value("-"), Value("")), Value(" "), Value(""))


def shown_number(number):
    """Lists show numbers masked, as customer files do (138****5678)."""
    e164 = phones.try_normalize(number) if number else None
    return phones.mask(e164) if e164 else number


def _seconds(value):
    return None if value is None else round(value)


EXPORT_HEADERS = [
    _("Call time"),
    _("Direction"),
    _("Caller"),
    _("Called number"),
    _("Customer"),
    _("Queue"),
    _("Agent"),
    _("Extension"),
    _("Wait (s)"),
    _("Ring (s)"),
    _("Talk (s)"),
    _("Hold (s)"),
    _("Longest hold (s)"),
    _("Wrap-up (s)"),
    _("Outcome"),
    _("End cause"),
    _("Hung up by"),
    _("Transfers"),
    _("Work order"),
    _("Recording"),
]


def export_rows(calls):
    for call in calls[:EXPORT_LIMIT]:
        yield [
            timezone.localtime(call.offered_at).strftime("%Y-%m-%d %H:%M:%S"),
            call.get_direction_display(),
            shown_number(call.caller),
            shown_number(call.called),
            call.customer.name if call.customer else "",
            call.queue.name if call.queue else "",
            call.agent.display_name if call.agent else "",
            call.extension,
            _seconds(call.wait_seconds),
            _seconds(call.ring_seconds),
            _seconds(call.talk_seconds),
            call.hold_seconds,
            call.longest_hold_seconds,
            _seconds(call.wrapup_seconds),
            call.get_disposition_display() if call.disposition else call.get_status_display(),
            call.end_cause,
            call.get_hung_up_by_display(),
            call.transfers,
            call.work_order.number if call.work_order else "",
            call.recording_url,
        ]
