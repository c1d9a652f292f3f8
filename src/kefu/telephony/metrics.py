"""Call-center figures: the wallboard's today and the reports' any period.

Definitions (docs/user-guide/call-center.md):

- offered: inbound calls that reached an open queue (blocked callers and
  calls outside business hours are left out) and whose outcome is known
  (answered, or ended unanswered);
- answered: offered calls an agent answered; abandoned: offered calls the
  caller hung up before an answer; a short abandon is one within the
  queue's short-abandon seconds (5 by default);
- service level = answered within the target (10 s) / (offered − short abandons);
- ASA = mean of offered → answered over answered calls;
- AHT = mean of talk + hold + after-call work over answered, ended calls;
- abandon rate = abandoned / offered.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from kefu.telephony.models import Call


@dataclass
class CallFacts:
    """What the formulas need of one call, in seconds from its offer."""

    answered_after: float | None
    ended_after: float | None
    handle_seconds: float | None
    abandoned: bool


@dataclass
class Summary:
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_in_target: int
    service_level: float | None
    asa: float | None
    aht: float | None
    abandon_rate: float | None

    def as_dict(self):
        return self.__dict__.copy()


def summarize(facts, *, target_seconds=10, short_abandon_seconds=5) -> Summary:
    offered = answered = abandoned = short = in_target = 0
    wait_total = handle_total = 0.0
    handled = 0
    for fact in facts:
        if fact.answered_after is None and not fact.abandoned and fact.ended_after is None:
            continue  # still waiting: no outcome yet
        offered += 1
        if fact.answered_after is not None:
            answered += 1
            wait_total += fact.answered_after
            if fact.answered_after <= target_seconds:
                in_target += 1
            if fact.handle_seconds is not None:
                handled += 1
                handle_total += fact.handle_seconds
        elif fact.abandoned:
            abandoned += 1
            if (fact.ended_after or 0) < short_abandon_seconds:
                short += 1
    base = offered - short
    return Summary(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short,
        answered_in_target=in_target,
        service_level=in_target / base if base else None,
        asa=wait_total / answered if answered else None,
        aht=handle_total / handled if handled else None,
        abandon_rate=abandoned / offered if offered else None,
    )


def facts_of(calls):
    """``CallFacts`` of a queryset of calls, read as plain values."""
    rows = calls.values_list(
        "offered_at", "answered_at", "ended_at", "wrapup_ended_at", "disposition"
    )
    for offered_at, answered_at, ended_at, wrapup_ended_at, disposition in rows.iterator(
        chunk_size=5000
    ):
        handle = None
        if answered_at and ended_at:
            handle = (ended_at - answered_at).total_seconds()
            if wrapup_ended_at:
                handle += (wrapup_ended_at - ended_at).total_seconds()
        yield CallFacts(
            answered_after=(answered_at - offered_at).total_seconds() if answered_at else None,
            ended_after=(ended_at - offered_at).total_seconds() if ended_at else None,
            handle_seconds=handle,
            abandoned=disposition == Call.Disposition.ABANDONED and answered_at is None,
        )


def counted_calls(calls):
    """The calls the service figures count (inbound, open hours, not blocked)."""
    return calls.filter(direction=Call.Direction.INBOUND, after_hours=False).exclude(
        disposition=Call.Disposition.REJECTED
    )


def period_summary(calls, start, end, *, target_seconds=10, short_abandon_seconds=5) -> Summary:
    scoped = counted_calls(calls).filter(offered_at__gte=start, offered_at__lt=end)
    return summarize(
        facts_of(scoped), target_seconds=target_seconds, short_abandon_seconds=short_abandon_seconds
    )


def start_of_today(now=None):
    now = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(now.date(), time()), now.tzinfo)


def waiting_now(calls, now=None):
    """Calls waiting per queue id: (count, longest wait in seconds)."""
    now = now or timezone.now()
    waiting = calls.filter(
        Q(status__in=Call.WAITING),
        ended_at__isnull=True,
        after_hours=False,
        offered_at__gte=now - timedelta(hours=1),
    ).values_list("queue_id", "offered_at")
    result = {}
    for queue_id, offered_at in waiting:
        count, longest = result.get(queue_id, (0, 0.0))
        result[queue_id] = (count + 1, max(longest, (now - offered_at).total_seconds()))
    return result
