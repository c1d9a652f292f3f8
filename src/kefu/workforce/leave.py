"""Leave and absence (请假、缺席调配): requests, the supervisor's decision,
the shifts it empties and a proposed cover for each."""

from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import timeline
from kefu.core.numbering import next_number
from kefu.telephony.models import QueueMember

from . import rosters
from .models import LeaveRequest, Shift, WorkProfile
from .permissions import check_planner

LEAVE_PREFIX = "QJ"
# Longer than any statutory leave (maternity leave is under half a year):
# anything beyond is a typo in the dates.
LONGEST_LEAVE = timedelta(days=366)


def _validate(agent, kind, starts_at, ends_at):
    errors = {}
    if kind not in LeaveRequest.Kind.values:
        errors["kind"] = [_("Choose a kind of leave.")]
    if not starts_at or not ends_at or ends_at <= starts_at:
        errors["ends_at"] = [_("The leave must end after it starts.")]
    elif ends_at - starts_at > LONGEST_LEAVE:
        errors["ends_at"] = [_("A leave lasts at most a year; file a longer one in parts.")]
    elif LeaveRequest.objects.filter(
        agent=agent,
        status__in=[LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED],
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exists():
        errors["starts_at"] = [_("The agent already has leave at this time.")]
    if agent.unit_id is None:
        errors["agent"] = [_("The agent belongs to no unit.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_leave(*, user, kind, starts_at, ends_at, reason="", agent=None):
    """An agent asks for leave; a supervisor may file it for an agent of their unit."""
    agent = agent or user
    if agent != user:
        check_planner(user, agent.unit)
    if kind == LeaveRequest.Kind.ABSENCE:
        raise ValidationError({"kind": [_("Absences are recorded by a supervisor.")]})
    _validate(agent, kind, starts_at, ends_at)
    leave = LeaveRequest.objects.create(
        number=next_number(LEAVE_PREFIX),
        unit=agent.unit,
        agent=agent,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
    )
    timeline.record(
        leave,
        "leave.requested",
        actor=user,
        message=reason,
        after={"kind": kind, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    return leave


def _take_shifts(leave):
    shifts = Shift.objects.filter(
        agent=leave.agent, starts_at__lt=leave.ends_at, ends_at__gt=leave.starts_at
    )
    ids = list(shifts.values_list("id", flat=True))
    shifts.update(leave=leave)
    return ids


@transaction.atomic
def record_absence(*, user, agent, starts_at, ends_at, reason=""):
    """An absence the supervisor records after the fact: approved at once."""
    if agent.unit_id is None:
        raise ValidationError({"agent": [_("The agent belongs to no unit.")]})
    check_planner(user, agent.unit)
    _validate(agent, LeaveRequest.Kind.ABSENCE, starts_at, ends_at)
    leave = LeaveRequest.objects.create(
        number=next_number(LEAVE_PREFIX),
        unit=agent.unit,
        agent=agent,
        kind=LeaveRequest.Kind.ABSENCE,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        status=LeaveRequest.Status.APPROVED,
        decided_by=user,
        decided_at=timezone.now(),
    )
    shifts = _take_shifts(leave)
    timeline.record(
        leave,
        "leave.absence",
        actor=user,
        message=reason,
        after={"status": "approved", "shifts": shifts},
    )
    return leave


@transaction.atomic
def decide_leave(*, user, leave, approve, note=""):
    """The supervisor approves or rejects a pending request; an approval
    takes the agent off the shifts it overlaps (shown as roster gaps)."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    check_planner(user, leave.unit)
    if leave.agent_id == user.id:
        raise PermissionDenied(_("You cannot decide on your own leave."))
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValidationError({"status": [_("Only a pending request can be decided.")]})
    if not approve and not note.strip():
        raise ValidationError({"note": [_("Say why the request is rejected.")]})
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
    leave.decided_by = user
    leave.decided_at = timezone.now()
    leave.decision_note = note
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    shifts = _take_shifts(leave) if approve else []
    timeline.record(
        leave,
        f"leave.{leave.status}",
        actor=user,
        message=note,
        before={"status": "pending"},
        after={"status": leave.status, "shifts": shifts},
    )
    return leave


@transaction.atomic
def cancel_leave(*, user, leave):
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    own_pending = leave.agent_id == user.id and leave.status == LeaveRequest.Status.PENDING
    if not own_pending:
        check_planner(user, leave.unit)
    if leave.status not in (LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED):
        raise ValidationError({"status": [_("This request is already closed.")]})
    before = leave.status
    leave.status = LeaveRequest.Status.CANCELLED
    leave.save(update_fields=["status"])
    leave.shifts.update(leave=None)
    timeline.record(
        leave,
        "leave.cancelled",
        actor=user,
        before={"status": before},
        after={"status": leave.status},
    )
    return leave


def cover_candidates(shift):
    """Agents who could take over ``shift``: same unit, skilled for its
    queue, free that day, not on leave, with room in their contract and rest
    days. Fewest hours this week first, then the most skilled."""
    roster = shift.roster
    minutes = shift_minutes(shift)
    agents = list(rosters.rostered_agents(roster.unit).exclude(id=shift.agent_id))
    week = Shift.objects.filter(roster=roster, agent__in=agents)
    worked = defaultdict(lambda: [0, set()])
    for other in week:
        worked[other.agent_id][0] += shift_minutes(other)
        worked[other.agent_id][1].add(other.day)
    on_leave = set(
        LeaveRequest.objects.filter(
            agent__in=agents,
            status=LeaveRequest.Status.APPROVED,
            starts_at__lt=shift.ends_at,
            ends_at__gt=shift.starts_at,
        ).values_list("agent_id", flat=True)
    )
    levels = {}
    if shift.queue_id:
        levels = dict(
            QueueMember.objects.filter(queue_id=shift.queue_id, agent__in=agents).values_list(
                "agent_id", "skill_level"
            )
        )
    profiles = {p.agent_id: p for p in WorkProfile.objects.filter(agent__in=agents)}
    candidates = []
    for agent in agents:
        if agent.id in on_leave or (shift.queue_id and agent.id not in levels):
            continue
        used, days = worked[agent.id]
        if shift.day in days:
            continue
        profile = profiles.get(agent.id) or WorkProfile(agent=agent)
        if used + minutes > profile.weekly_hours * 60 or len(days) + 1 > 7 - profile.rest_days:
            continue
        candidates.append(
            {"agent": agent, "hours": round(used / 60, 1), "skill_level": levels.get(agent.id)}
        )
    candidates.sort(key=lambda c: (c["hours"], -(c["skill_level"] or 0), c["agent"].username))
    return candidates


def shift_minutes(shift):
    total = (shift.ends_at - shift.starts_at).total_seconds()
    if shift.break_starts_at:
        total -= (shift.break_ends_at - shift.break_starts_at).total_seconds()
    return total / 60


@transaction.atomic
def assign_cover(*, user, shift, agent):
    """Give the shift an agent on leave cannot work to ``agent``."""
    check_planner(user, shift.roster.unit)
    if shift.leave_id is None:
        raise ValidationError({"shift": [_("This shift is not left open by leave.")]})
    if agent.id not in {c["agent"].id for c in cover_candidates(shift)}:
        raise ValidationError({"agent": [_("This agent cannot take the shift.")]})
    cover = rosters.set_shift(
        user=user,
        roster=shift.roster,
        agent=agent,
        day=shift.day,
        template=shift.template,
        queue=shift.queue,
        source=Shift.Source.COVER,
    )
    timeline.record(
        shift.leave,
        "leave.cover_assigned",
        actor=user,
        message=f"{agent} {shift.day}",
        after={"shift": shift.id, "cover": agent.username},
    )
    return cover
