"""Supervision of callbacks (回访工作的监督和考核): spot checks that re-contact
customers, faked callbacks flagged on the agent, monthly scores per unit and
the periodic evaluation report (回访工作效果评估)."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks.models import CallbackTask, SpotCheck
from kefu.callbacks.quiet import VOICE_METHODS
from kefu.core import scoping, timeline
from kefu.core.choices import Satisfaction
from kefu.core.models import OrgUnit

Status = CallbackTask.Status
Outcome = SpotCheck.Outcome


def month_window(month: date) -> tuple[datetime, datetime]:
    start = month.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    aware = lambda d: timezone.make_aware(datetime.combine(d, time.min))  # noqa: E731
    return aware(start), aware(end)


def _require(user, unit):
    if not user.is_supervising:
        raise PermissionDenied(_("Only supervisors supervise callbacks."))
    if not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("This unit is outside your scope."))


def _in_unit(unit):
    return CallbackTask.objects.filter(unit__path__startswith=unit.path)


@transaction.atomic
def pick_spot_checks(*, user, unit, count, month, seed=None) -> list[SpotCheck]:
    """Pick ``count`` completed voice callbacks of the month at random (the
    seed makes a pick repeatable for the record)."""
    _require(user, unit)
    if not 1 <= int(count) <= 200:
        raise ValidationError({"count": [_("Pick between 1 and 200 callbacks.")]})
    start, end = month_window(month)
    pool = list(
        _in_unit(unit)
        .filter(
            status=Status.DONE,
            method__in=VOICE_METHODS,
            executed_at__gte=start,
            executed_at__lt=end,
            spot_check__isnull=True,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    rng = random.Random(seed if seed is not None else f"{unit.code}:{start:%Y-%m}")
    chosen = sorted(rng.sample(pool, min(int(count), len(pool))))
    checks = []
    for task in CallbackTask.objects.filter(id__in=chosen).select_related("customer"):
        check = SpotCheck.objects.create(task=task, picked_by=user)
        timeline.record(
            task,
            "callback.spot_check",
            actor=user,
            customer=task.customer,
            message=_("Picked for a spot check"),
            after={"spot_check": Outcome.PENDING},
        )
        checks.append(check)
    return checks


@transaction.atomic
def record_spot_check(check, *, user, outcome, note="", now=None) -> SpotCheck:
    now = now or timezone.now()
    check = (
        SpotCheck.objects.select_for_update().select_related("task", "task__unit").get(pk=check.pk)
    )
    task = check.task
    _require(user, task.unit)
    if task.executed_by_id == user.pk:
        raise PermissionDenied(_("A callback is checked by someone other than who made it."))
    if outcome not in (Outcome.CONFIRMED, Outcome.FAKED, Outcome.UNREACHABLE):
        raise ValidationError({"outcome": [_("Choose what the customer confirmed.")]})
    note = (note or "").strip()
    if outcome == Outcome.FAKED and not note:
        raise ValidationError({"note": [_("Say what the customer told you.")]})
    if check.outcome != Outcome.PENDING:
        raise ValidationError({"outcome": [_("This spot check is already recorded.")]})
    check.outcome, check.note, check.checked_at, check.checked_by = outcome, note, now, user
    check.save()
    timeline.record(
        task,
        "callback.checked",
        actor=user,
        customer=task.customer,
        message=note or check.get_outcome_display(),
        before={"spot_check": Outcome.PENDING},
        after={"spot_check": outcome},
    )
    if outcome == Outcome.FAKED:
        task.faked = True
        task.save(update_fields=["faked"])
        if task.executed_by is not None:
            # On the agent's own record: the seed's penalty (扣除当月奖金、警告)
            # is decided from it.
            timeline.record(
                task.executed_by,
                "callback.faked",
                actor=user,
                message=_("Callback %(number)s found faked: %(note)s")
                % {"number": task.number, "note": note},
                after={"task": task.number},
            )
    return check


@dataclass
class UnitScore:
    unit: OrgUnit
    done: int = 0
    due: int = 0
    due_done: int = 0
    complete: int = 0
    on_time: int = 0
    checked: int = 0
    confirmed: int = 0
    faked: int = 0
    policies: list = field(default_factory=list)

    @staticmethod
    def share(part, whole):
        return part / whole if whole else None

    @property
    def completeness(self):
        return self.share(self.complete, self.done)

    @property
    def compliance(self):
        """Callbacks done of those the policies required this month."""
        return self.share(self.due_done, self.due)

    @property
    def timeliness(self):
        return self.share(self.on_time, self.done)

    @property
    def spot_check(self):
        return self.share(self.confirmed, self.confirmed + self.faked)

    @property
    def score(self):
        parts = [self.completeness, self.compliance, self.timeliness, self.spot_check]
        known = [p for p in parts if p is not None]
        return round(100 * sum(known) / len(known), 1) if known else None


def unit_score(unit, month) -> UnitScore:
    start, end = month_window(month)
    tasks = _in_unit(unit)
    due = tasks.filter(due_at__gte=start, due_at__lt=end).exclude(status=Status.CANCELLED)
    done = tasks.filter(status=Status.DONE, executed_at__gte=start, executed_at__lt=end)
    complete = (
        done.filter(executed_by__isnull=False)
        .exclude(content="")
        .exclude(Q(satisfaction="") & Q(method__in=VOICE_METHODS))
    )
    checks = SpotCheck.objects.filter(
        task__unit__path__startswith=unit.path, checked_at__gte=start, checked_at__lt=end
    )
    score = UnitScore(
        unit=unit,
        done=done.count(),
        due=due.count(),
        due_done=due.filter(status=Status.DONE).count(),
        complete=complete.count(),
        on_time=done.filter(executed_at__lte=F("due_at")).count(),
        checked=checks.exclude(outcome=Outcome.PENDING).count(),
        confirmed=checks.filter(outcome=Outcome.CONFIRMED).count(),
        faked=checks.filter(outcome=Outcome.FAKED).count(),
    )
    score.policies = list(
        due.values("policy__code", "policy__name", "policy__ratio")
        .annotate(required=Count("id"), achieved=Count("id", filter=Q(status=Status.DONE)))
        .order_by("policy__code")
    )
    return score


def monthly_scores(user, month) -> list[UnitScore]:
    """The month's published scores (每月公布): one row per unit the user sees
    that had callbacks."""
    ids = scoping.visible_unit_ids(user)
    units = OrgUnit.objects.all() if ids is None else OrgUnit.objects.filter(id__in=ids)
    with_tasks = set(CallbackTask.objects.values_list("unit_id", flat=True).distinct())
    return [unit_score(u, month) for u in units.order_by("path") if u.pk in with_tasks]


# Thresholds under which the evaluation names a problem.
TARGETS = {"completeness": 1.0, "compliance": 0.95, "timeliness": 0.9, "spot_check": 1.0}


def evaluation(user, unit, month) -> dict:
    """The evaluation report (回访工作效果评估): the unit's scores, what went
    wrong, what to do about it, and what customers said."""
    _require(user, unit)
    score = unit_score(unit, month)
    start, end = month_window(month)
    problems, suggestions = [], []
    if score.completeness is not None and score.completeness < TARGETS["completeness"]:
        problems.append(
            _("%(n)s callbacks were recorded without complete information.")
            % {"n": score.done - score.complete}
        )
        suggestions.append(_("Record executor, time, content and result for every callback."))
    for row in score.policies:
        if row["required"] and row["achieved"] / row["required"] < TARGETS["compliance"]:
            problems.append(
                _("%(policy)s: %(achieved)s of %(required)s callbacks done.")
                % {
                    "policy": row["policy__name"] or _("Mandatory callbacks"),
                    "achieved": row["achieved"],
                    "required": row["required"],
                }
            )
    if score.compliance is not None and score.compliance < TARGETS["compliance"]:
        suggestions.append(_("Distribute the lists earlier and collect unfinished ones weekly."))
    if score.timeliness is not None and score.timeliness < TARGETS["timeliness"]:
        problems.append(
            _("%(n)s callbacks were made after their deadline.") % {"n": score.done - score.on_time}
        )
        suggestions.append(
            _("Call back within three days; agree a convenient time with the customer.")
        )
    if score.faked:
        problems.append(_("%(n)s callbacks were found faked.") % {"n": score.faked})
        suggestions.append(_("Warn the agents concerned and raise the spot-check sample."))
    done = _in_unit(unit).filter(status=Status.DONE, executed_at__gte=start, executed_at__lt=end)
    satisfaction = {
        Satisfaction(code).label: n
        for code, n in done.exclude(satisfaction="")
        .values_list("satisfaction")
        .annotate(n=Count("id"))
        .order_by("satisfaction")
    }
    customer_suggestions = list(
        done.exclude(suggestions="").values_list("suggestions", flat=True)[:20]
    )
    escalated = done.filter(work_order__isnull=False).count()
    return {
        "unit": unit,
        "month": start.date(),
        "score": score,
        "problems": problems,
        "suggestions": suggestions,
        "satisfaction": satisfaction,
        "customer_suggestions": customer_suggestions,
        "escalated": escalated,
    }
