"""SLA rules: matching a policy, keeping the clocks as a work order moves
(complaints start and stop theirs through ``start_subject_clocks``,
``stop_clocks`` and ``reopen_clock``), and
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
from kefu.sla.subjects import SUBJECTS, kind_of, subject_of


@dataclass(frozen=True)
class _Rule:
    """A policy's conditions as plain sets, so matching needs no query."""

    policy: SlaPolicy
    priorities: frozenset
    channels: frozenset
    segments: frozenset
    severities: frozenset
    types: frozenset
    categories: frozenset
    unit_paths: tuple

    def matches(self, subject):
        """``subject`` is a work order or a complaint: both have a unit and
        perhaps a customer; the rest is the subject's own."""
        if self.segments:
            segment = subject.customer.segment if subject.customer_id else None
            if segment not in self.segments:
                return False
        if self.unit_paths and not any(subject.unit.path.startswith(p) for p in self.unit_paths):
            return False
        return SUBJECTS[self.policy.subject].matches(self, subject)


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
            severities=frozenset(p.severities),
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


def match_policy(subject) -> SlaPolicy | None:
    """The first active policy for this kind of subject whose conditions hold."""
    kind = kind_of(subject).kind
    return next(
        (r.policy for r in _rules() if r.policy.subject == kind and r.matches(subject)), None
    )


def schedule_for(clock_or_policy, subject) -> Schedule:
    if clock_or_policy.business_time:
        return schedule_for_unit(subject.unit)
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


def _new_clock(subject, metric, minutes, business_time, policy, now, state=None):
    clock = SlaClock(
        **{kind_of(subject).field: subject},
        policy=policy,
        metric=metric,
        state=state,
        target_minutes=minutes,
        business_time=business_time,
        started_at=now,
        running_since=now,
    )
    _plan(clock, schedule_for(clock, subject), clock.warn_percent)
    return clock


def _policy_clocks(subject, policy, metrics, now):
    if policy is None:
        return []
    return [
        _new_clock(
            subject, metric, policy.target_minutes(metric), policy.business_time, policy, now
        )
        for metric in metrics
        if policy.target_minutes(metric)
    ]


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
    clocks = _policy_clocks(order, policy, POLICY_METRICS, now)
    step = _step_clock(order, policy, now)
    if step is not None:
        clocks.append(step)
    SlaClock.objects.bulk_create(clocks)
    return clocks


def start_subject_clocks(subject, metrics, now=None):
    """Start the clocks of ``metrics`` that the subject's policy sets a target
    for; one already running is left alone."""
    now = now or timezone.now()
    running = set(
        _clocks_of(subject).filter(stopped_at__isnull=True).values_list("metric", flat=True)
    )
    wanted = [m for m in metrics if m not in running]
    clocks = _policy_clocks(subject, match_policy(subject), wanted, now)
    SlaClock.objects.bulk_create(clocks)
    return clocks


def _clocks_of(subject):
    return SlaClock.objects.filter(**{kind_of(subject).field: subject})


def stop_clocks(subject, metrics, now=None):
    """The promises of ``metrics`` are kept (or broken, if late) now."""
    now = now or timezone.now()
    for clock in (
        _clocks_of(subject)
        .select_for_update(of=("self",))
        .filter(metric__in=metrics, stopped_at__isnull=True)
        .select_related("policy")
    ):
        _stop(clock, schedule_for(clock, subject), now)
        clock.save()


def reopen_clock(subject, metric, now=None):
    """The last promise of ``metric`` runs on (after a dissatisfied callback):
    the time already used counts, a breach stays a breach."""
    now = now or timezone.now()
    clocks = _clocks_of(subject).select_for_update(of=("self",)).filter(metric=metric)
    clock = clocks.select_related("policy").order_by("-started_at", "-pk").first()
    if clock is None or clock.stopped_at is None:
        return None
    _reopen(clock, schedule_for(clock, subject), now)
    clock.save()
    return clock


def _reopen(clock, schedule, now, waiting=False):
    clock.stopped_at = None
    if not waiting:
        clock.running_since = now
        _plan(clock, schedule, clock.warn_percent)


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
            _reopen(clock, schedule, now, waiting)
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


def _local(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _announce(clock, verb, title, body, level, after):
    """Tell the people concerned (web and email) and put it on the timeline."""
    kind, subject = subject_of(clock), clock.subject
    notify(kind.people_to_warn(subject), title=title, body=body, url=kind.url(subject), level=level)
    timeline.record(
        subject,
        verb,
        customer=subject.customer,
        message=f"{title} {body}",
        after={"metric": clock.metric, **after},
    )


def _warn(clock, now):
    title = _("%(number)s: %(metric)s deadline approaching") % {
        "number": clock.subject.number,
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
    subject = clock.subject
    title = _("%(number)s: %(metric)s deadline missed") % {
        "number": subject.number,
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
    department = subject_of(clock).overdue_department(subject)
    if department is not None and clock.metric in (Metric.RESOLUTION, Metric.STEP):
        _issue_rectification(clock, subject, department, now)


def _issue_rectification(clock, order, department, now):
    reason = _("Work order %(number)s was not handled by its deadline %(due)s.") % {
        "number": order.number,
        "due": _local(clock.breached_at),
    }
    RectificationNotice.objects.create(
        work_order=order, department=department, clock=clock, issued_at=now, reason=reason
    )
    members = User.objects.filter(department=department, is_active=True)
    notify(
        members,
        title=_("Rectification notice: %(number)s") % {"number": order.number},
        body=reason,
        url=subject_of(clock).url(order),
        level=Notification.Level.DANGER,
    )
    timeline.record(
        order,
        "sla.rectification",
        customer=order.customer,
        message=_("Rectification notice sent to %(dept)s") % {"dept": department.name},
        after={"department": department.name},
    )


def _escalate(clock, level, now):
    kind, subject = subject_of(clock), clock.subject
    people = User.objects.filter(role=level.role, is_active=True, unit__in=subject.unit.ancestors())
    title = _("Escalation level %(level)s: %(number)s %(metric)s overdue") % {
        "level": level.level,
        "number": subject.number,
        "metric": clock.label,
    }
    notify(
        people,
        title=title,
        body=kind.title(subject),
        url=kind.url(subject),
        level=Notification.Level.DANGER,
    )
    timeline.record(
        subject,
        "sla.escalated",
        customer=subject.customer,
        message=title,
        after={"level": level.level, "role": level.role, "metric": clock.metric},
    )


def _clock(pk):
    related = [field for kind in SUBJECTS.values() for field in kind.related]
    return SlaClock.objects.select_related("state", "work_order__assignee", *related).get(pk=pk)


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
