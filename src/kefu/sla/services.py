"""SLA rules: matching a policy, keeping the clocks as an order moves, and
the sweep that warns, records breaches, escalates and issues rectification
notices. The sweep is safe to run in several workers at once (each step is a
conditional UPDATE that only one of them wins) and catches up after downtime
(every threshold passed since the last run fires once)."""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import timeline
from kefu.core.businesstime import Schedule
from kefu.core.calendars import schedule_for_unit
from kefu.core.models import User
from kefu.core.notifications import Notification, notify
from kefu.processes.models import State
from kefu.sla.models import EscalationLevel, Metric, RectificationNotice, SlaClock, SlaPolicy


@dataclass(frozen=True)
class _Rule:
    """A policy's conditions as plain sets, so matching needs no query."""

    policy: SlaPolicy
    priorities: frozenset
    channels: frozenset
    segments: frozenset
    types: frozenset
    categories: frozenset
    unit_paths: tuple

    def matches(self, order):
        if self.priorities and order.priority not in self.priorities:
            return False
        if self.channels and order.channel not in self.channels:
            return False
        if self.segments:
            segment = order.customer.segment if order.customer_id else None
            if segment not in self.segments:
                return False
        if self.types and order.order_type_id not in self.types:
            return False
        if self.categories:
            own = {order.category_id, order.category.parent_id if order.category_id else None}
            if not self.categories & own:
                return False
        return not self.unit_paths or any(order.unit.path.startswith(p) for p in self.unit_paths)


# Every registration matches a policy, so the active policies are read once
# and kept for RULES_TTL seconds; a change in this process clears them at
# once, other processes see it within the TTL.
RULES_TTL = 60
_rules_cache: dict = {}


def _rules():
    cached = _rules_cache.get("rules")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    policies = SlaPolicy.objects.filter(is_active=True).prefetch_related(
        "order_types", "categories", "units"
    )
    rules = [
        _Rule(
            policy=p,
            priorities=frozenset(p.priorities),
            channels=frozenset(p.channels),
            segments=frozenset(p.segments),
            types=frozenset(t.pk for t in p.order_types.all()),
            categories=frozenset(c.pk for c in p.categories.all()),
            unit_paths=tuple(u.path for u in p.units.all()),
        )
        for p in policies
    ]
    _rules_cache["rules"] = (time.monotonic() + RULES_TTL, rules)
    return rules


def forget_policies(**kwargs):
    _rules_cache.clear()


def match_policy(order) -> SlaPolicy | None:
    return next((r.policy for r in _rules() if r.matches(order)), None)


def schedule_for(clock_or_policy, order) -> Schedule:
    if clock_or_policy.business_time:
        return schedule_for_unit(order.unit)
    return Schedule.always_open()


def _plan(clock, schedule, warn_percent):
    """Set ``due_at``/``warn_at`` of a running clock."""
    target = clock.target_minutes * 60
    left = max(0, target - clock.consumed_seconds)
    clock.due_at = schedule.add(clock.running_since, timedelta(seconds=left))
    if clock.warned_at is None and clock.breached_at is None:
        warn_left = max(0, target * warn_percent // 100 - clock.consumed_seconds)
        clock.warn_at = schedule.add(clock.running_since, timedelta(seconds=warn_left))
    else:
        clock.warn_at = None


def start_clocks(order, now=None):
    """Start the clocks of the policy matching a newly registered order."""
    now = now or order.created_at or timezone.now()
    policy = match_policy(order)
    if policy is None:
        return []
    schedule = schedule_for(policy, order)
    clocks = []
    for metric in Metric.values:
        minutes = policy.target_minutes(metric)
        if not minutes:
            continue
        clock = SlaClock(
            work_order=order,
            policy=policy,
            metric=metric,
            target_minutes=minutes,
            business_time=policy.business_time,
            started_at=now,
            running_since=now,
        )
        _plan(clock, schedule, policy.warn_percent)
        clocks.append(clock)
    SlaClock.objects.bulk_create(clocks)
    return clocks


def _stops(clock, order, previous_state):
    if clock.metric == Metric.FIRST_RESPONSE:
        return previous_state.kind == State.Kind.START and order.state.kind != State.Kind.START
    return order.resolved_at is not None or order.state.kind == State.Kind.END


def _consume(clock, schedule, now):
    if clock.running_since is not None:
        clock.consumed_seconds += int(schedule.elapsed(clock.running_since, now).total_seconds())
        clock.running_since = None


def on_transition(order, previous_state, now=None):
    """Stop, pause, resume or reopen the order's clocks after a move."""
    now = now or timezone.now()
    waiting = order.state.kind == State.Kind.WAITING
    for clock in (
        SlaClock.objects.select_for_update().filter(work_order=order).select_related("policy")
    ):
        schedule = schedule_for(clock, order)
        if clock.stopped_at is None:
            if _stops(clock, order, previous_state):
                _consume(clock, schedule, now)
                clock.stopped_at = now
                if clock.breached_at is None and clock.due_at is not None and now >= clock.due_at:
                    clock.breached_at = clock.due_at
                clock.due_at = clock.warn_at = None
            elif waiting and clock.running_since is not None:
                _consume(clock, schedule, now)
                clock.due_at = clock.warn_at = None
            elif not waiting and clock.running_since is None:
                clock.running_since = now
                _plan(clock, schedule, clock.policy.warn_percent)
            else:
                continue
        elif (
            clock.metric == Metric.RESOLUTION
            and order.resolved_at is None
            and order.state.kind != State.Kind.END
        ):
            # Reopened after a dissatisfied callback: the handling time goes on.
            clock.stopped_at = None
            if not waiting:
                clock.running_since = now
                _plan(clock, schedule, clock.policy.warn_percent)
        else:
            continue
        clock.save()


def _people_to_warn(order):
    if order.assignee_id:
        return [order.assignee]
    if order.department_id:
        members = list(User.objects.filter(department_id=order.department_id, is_active=True))
        if members:
            return members
    return list(User.objects.filter(unit_id=order.unit_id, role="team_lead", is_active=True))


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _order_url(order):
    return f"/orders/{order.pk}/"


def _warn(clock, now):
    order = clock.work_order
    title = _("%(number)s: %(metric)s deadline approaching") % {
        "number": order.number,
        "metric": clock.get_metric_display(),
    }
    body = _("Due at %(due)s.") % {"due": _local(clock.due_at)}
    notify(
        _people_to_warn(order),
        title=title,
        body=body,
        url=_order_url(order),
        level=Notification.Level.WARNING,
    )
    timeline.record(
        order,
        "sla.warning",
        customer=order.customer,
        message=f"{title} {body}",
        after={"metric": clock.metric, "due_at": clock.due_at.isoformat()},
    )


def _breach(clock, now):
    order = clock.work_order
    title = _("%(number)s: %(metric)s deadline missed") % {
        "number": order.number,
        "metric": clock.get_metric_display(),
    }
    body = _("It was due at %(due)s.") % {"due": _local(clock.breached_at)}
    notify(
        _people_to_warn(order),
        title=title,
        body=body,
        url=_order_url(order),
        level=Notification.Level.DANGER,
    )
    timeline.record(
        order,
        "sla.breached",
        customer=order.customer,
        message=f"{title} {body}",
        after={"metric": clock.metric, "breached_at": clock.breached_at.isoformat()},
    )
    if clock.metric == Metric.RESOLUTION and order.department_id and order.resolved_at is None:
        _issue_rectification(clock, order, now)


def _issue_rectification(clock, order, now):
    reason = _("Work order %(number)s was not handled by its deadline %(due)s.") % {
        "number": order.number,
        "due": _local(clock.breached_at),
    }
    RectificationNotice.objects.create(
        work_order=order, department=order.department, clock=clock, issued_at=now, reason=reason
    )
    members = User.objects.filter(department_id=order.department_id, is_active=True)
    notify(
        members,
        title=_("Rectification notice: %(number)s") % {"number": order.number},
        body=reason,
        url=_order_url(order),
        level=Notification.Level.DANGER,
    )
    timeline.record(
        order,
        "sla.rectification",
        customer=order.customer,
        message=_("Rectification notice sent to %(dept)s") % {"dept": order.department.name},
        after={"department": order.department.name},
    )


def _escalate(clock, level, now):
    order = clock.work_order
    people = User.objects.filter(role=level.role, is_active=True, unit__in=order.unit.ancestors())
    title = _("Escalation level %(level)s: %(number)s %(metric)s overdue") % {
        "level": level.level,
        "number": order.number,
        "metric": clock.get_metric_display(),
    }
    notify(
        people,
        title=title,
        body=order.title,
        url=_order_url(order),
        level=Notification.Level.DANGER,
    )
    timeline.record(
        order,
        "sla.escalated",
        customer=order.customer,
        message=title,
        after={"level": level.level, "role": level.role, "metric": clock.metric},
    )


def _clock(pk):
    return SlaClock.objects.select_related(
        "work_order__unit", "work_order__customer", "work_order__department", "work_order__assignee"
    ).get(pk=pk)


def sweep(now=None) -> dict:
    """One pass of the SLA worker; returns how many warnings, breaches and
    escalations it sent."""
    now = now or timezone.now()
    stats = {"warned": 0, "breached": 0, "escalated": 0}
    open_clocks = SlaClock.objects.filter(stopped_at__isnull=True)

    due = open_clocks.filter(breached_at__isnull=True, due_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            won = SlaClock.objects.filter(
                pk=pk, stopped_at__isnull=True, breached_at__isnull=True
            ).update(breached_at=F("due_at"), warned_at=Coalesce(F("warned_at"), now), warn_at=None)
            if won:
                _breach(_clock(pk), now)
                stats["breached"] += 1

    warn = open_clocks.filter(warned_at__isnull=True, warn_at__lte=now).values_list("pk", flat=True)
    for pk in list(warn):
        with transaction.atomic():
            won = SlaClock.objects.filter(
                pk=pk, stopped_at__isnull=True, warned_at__isnull=True
            ).update(warned_at=now)
            if won:
                _warn(_clock(pk), now)
                stats["warned"] += 1

    levels_by_policy = {}
    for level in EscalationLevel.objects.order_by("level"):
        levels_by_policy.setdefault(level.policy_id, []).append(level)
    for policy_id, levels in levels_by_policy.items():
        pending = open_clocks.filter(
            policy_id=policy_id, breached_at__isnull=False, escalation_level__lt=levels[-1].level
        ).values_list("pk", "breached_at", "escalation_level")
        for pk, breached_at, reached in list(pending):
            for level in levels:
                if (
                    level.level <= reached
                    or breached_at + timedelta(minutes=level.delay_minutes) > now
                ):
                    continue
                with transaction.atomic():
                    won = SlaClock.objects.filter(
                        pk=pk, stopped_at__isnull=True, escalation_level__lt=level.level
                    ).update(escalation_level=level.level)
                    if won:
                        _escalate(_clock(pk), level, now)
                        stats["escalated"] += 1
    return stats


@transaction.atomic
def reply_to_rectification(notice, *, user, reply):
    if not (user.is_supervising or user.department_id == notice.department_id):
        raise PermissionDenied(_("Only the department concerned can answer this notice."))
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": [_("Say what the department will change.")]})
    notice.reply, notice.replied_at, notice.replied_by = reply, timezone.now(), user
    notice.save()
    timeline.record(
        notice.work_order,
        "sla.rectification_reply",
        actor=user,
        customer=notice.work_order.customer,
        message=reply[:500],
    )
    return notice
