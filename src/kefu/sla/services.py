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
from kefu.sla.models import (
    POLICY_METRICS,
    EscalationLevel,
    Metric,
    RectificationNotice,
    SlaClock,
    SlaPolicy,
)


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


def _new_clock(order, metric, minutes, business_time, policy, now, state=None):
    clock = SlaClock(
        work_order=order,
        policy=policy,
        metric=metric,
        state=state,
        target_minutes=minutes,
        business_time=business_time,
        started_at=now,
        running_since=now,
    )
    _plan(clock, schedule_for(clock, order), clock.warn_percent)
    return clock


def _step_clock(order, policy, now):
    """A clock for the step the order has just entered, if its state has a deadline."""
    state = order.state
    if not state.deadline_minutes or state.kind == State.Kind.END:
        return None
    return _new_clock(
        order, Metric.STEP, state.deadline_minutes, state.deadline_business_time, policy, now, state
    )


def start_clocks(order, now=None):
    """Start the clocks of a newly registered order: the matching policy's
    and its first step's."""
    now = now or order.created_at or timezone.now()
    policy = match_policy(order)
    clocks = []
    if policy is not None:
        for metric in POLICY_METRICS:
            minutes = policy.target_minutes(metric)
            if minutes:
                clocks.append(_new_clock(order, metric, minutes, policy.business_time, policy, now))
    step = _step_clock(order, policy, now)
    if step is not None:
        clocks.append(step)
    SlaClock.objects.bulk_create(clocks)
    return clocks


def _is_finished(order):
    return order.resolved_at is not None or order.state.kind == State.Kind.END


def _stops(clock, order, previous_state):
    if clock.metric == Metric.FIRST_RESPONSE:
        return previous_state.kind == State.Kind.START and order.state.kind != State.Kind.START
    if clock.metric in (Metric.STEP, Metric.NEXT_UPDATE):
        # Every move ends a step and counts as an update; new clocks follow.
        return True
    return _is_finished(order)


def _consume(clock, schedule, now):
    if clock.running_since is not None:
        clock.consumed_seconds += int(schedule.elapsed(clock.running_since, now).total_seconds())
        clock.running_since = None


def _stop(clock, schedule, now):
    _consume(clock, schedule, now)
    clock.stopped_at = now
    if clock.breached_at is None and clock.due_at is not None and now >= clock.due_at:
        clock.breached_at = clock.due_at
    clock.due_at = clock.warn_at = None


def on_transition(order, previous_state, now=None):
    """Stop, pause, resume or reopen the order's clocks after a move, and
    start the clocks of the new step and of the next update."""
    now = now or timezone.now()
    waiting = order.state.kind == State.Kind.WAITING
    policy = None
    for clock in (
        SlaClock.objects.select_for_update(of=("self",))
        .filter(work_order=order)
        .select_related("policy", "state")
    ):
        policy = policy or clock.policy
        schedule = schedule_for(clock, order)
        if clock.stopped_at is None:
            if _stops(clock, order, previous_state):
                _stop(clock, schedule, now)
            elif waiting and clock.running_since is not None:
                _consume(clock, schedule, now)
                clock.due_at = clock.warn_at = None
            elif not waiting and clock.running_since is None:
                clock.running_since = now
                _plan(clock, schedule, clock.warn_percent)
            else:
                continue
        elif clock.metric == Metric.RESOLUTION and not _is_finished(order):
            # Reopened after a dissatisfied callback: the handling time goes on.
            clock.stopped_at = None
            if not waiting:
                clock.running_since = now
                _plan(clock, schedule, clock.warn_percent)
        else:
            continue
        clock.save()
    fresh = []
    if policy is not None and policy.next_update_minutes and not _is_finished(order):
        fresh.append(
            _new_clock(
                order,
                Metric.NEXT_UPDATE,
                policy.next_update_minutes,
                policy.business_time,
                policy,
                now,
            )
        )
    step = _step_clock(order, policy, now)
    if step is not None:
        fresh.append(step)
    SlaClock.objects.bulk_create(fresh)


def on_update(order, now=None):
    """A note or another update: the next-update promise is kept and starts again."""
    now = now or timezone.now()
    open_clock = (
        SlaClock.objects.select_for_update(of=("self",))
        .filter(work_order=order, metric=Metric.NEXT_UPDATE, stopped_at__isnull=True)
        .select_related("policy")
        .first()
    )
    if open_clock is None:
        return None
    _stop(open_clock, schedule_for(open_clock, order), now)
    open_clock.save()
    clock = _new_clock(
        order,
        Metric.NEXT_UPDATE,
        open_clock.target_minutes,
        open_clock.business_time,
        open_clock.policy,
        now,
    )
    clock.save()
    return clock


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


def _announce(clock, verb, title, body, level, after):
    """Tell the people concerned (web and email) and put it on the timeline."""
    order = clock.work_order
    notify(_people_to_warn(order), title=title, body=body, url=_order_url(order), level=level)
    timeline.record(
        order,
        verb,
        customer=order.customer,
        message=f"{title} {body}",
        after={"metric": clock.metric, **after},
    )


def _warn(clock, now):
    title = _("%(number)s: %(metric)s deadline approaching") % {
        "number": clock.work_order.number,
        "metric": clock.label,
    }
    body = _("Due at %(due)s.") % {"due": _local(clock.due_at)}
    _announce(
        clock,
        "sla.warning",
        title,
        body,
        Notification.Level.WARNING,
        {"due_at": clock.due_at.isoformat()},
    )


def _breach(clock, now):
    order = clock.work_order
    title = _("%(number)s: %(metric)s deadline missed") % {
        "number": order.number,
        "metric": clock.label,
    }
    body = _("It was due at %(due)s.") % {"due": _local(clock.breached_at)}
    _announce(
        clock,
        "sla.breached",
        title,
        body,
        Notification.Level.DANGER,
        {"breached_at": clock.breached_at.isoformat()},
    )
    overdue_handling = clock.metric in (Metric.RESOLUTION, Metric.STEP)
    if overdue_handling and order.department_id and order.resolved_at is None:
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
        "metric": clock.label,
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
        "state",
        "work_order__unit",
        "work_order__customer",
        "work_order__department",
        "work_order__assignee",
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
