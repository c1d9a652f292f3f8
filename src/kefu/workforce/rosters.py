"""Shift templates, weekly rosters (generated, then edited by hand) and
their coverage against the staffing plan."""

import datetime
import zoneinfo
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core import timeline
from kefu.core.calendars import schedule_for_unit
from kefu.core.roles import Role
from kefu.telephony.models import QueueMember

from . import presets, rostering
from .models import Forecast, LeaveRequest, Roster, Shift, ShiftTemplate, WorkProfile
from .permissions import check_planner

SLOT_MINUTES = 30
ROSTERED_ROLES = (Role.AGENT, Role.SENIOR_AGENT, Role.CALLBACK_AGENT)


def _minutes(value):
    return value.hour * 60 + value.minute


# The solver may move a template's break this much earlier or later.
BREAK_SHIFTS = (-2 * SLOT_MINUTES, -SLOT_MINUTES, 0, SLOT_MINUTES, 2 * SLOT_MINUTES)


def template_specs(template):
    """The template with each break position the solver may choose."""
    start = _minutes(template.start)
    end = start + template.span_minutes
    if not template.break_minutes:
        return [rostering.TemplateSpec(template.id, start, end, end, end)]
    specs = []
    for shift in BREAK_SHIFTS:
        break_start = start + template.break_after_minutes + shift
        break_end = break_start + template.break_minutes
        if start < break_start and break_end < end:
            specs.append(rostering.TemplateSpec(template.id, start, end, break_start, break_end))
    return specs


@transaction.atomic
def install_templates(*, user, unit):
    """Create the seeds' e-commerce shift templates for ``unit`` (kept if present)."""
    check_planner(user, unit)
    created = []
    for preset in presets.shift_templates():
        template, was_created = ShiftTemplate.objects.get_or_create(
            unit=unit, code=preset["code"], defaults=preset
        )
        if was_created:
            created.append(template)
            timeline.record(
                template, "shift_template.created", actor=user, after={"code": template.code}
            )
    return created


TEMPLATE_FIELDS = (
    "code",
    "name",
    "name_en",
    "start",
    "end",
    "break_minutes",
    "break_after_minutes",
    "colour",
    "is_active",
)


@transaction.atomic
def save_template(*, user, unit, values, template=None):
    """Create a shift template of ``unit``, or change ``template``; a
    template changed later leaves the shifts already rostered as they are."""
    check_planner(user, unit)
    if template is not None and template.unit_id != unit.pk:
        raise PermissionDenied(_("This shift template is not this unit's."))
    code = values.get("code")
    taken = ShiftTemplate.objects.filter(unit=unit, code=code)
    if template is not None:
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        raise ValidationError({"code": [_("This unit has a shift template with this code.")]})
    before = {f: _plain(getattr(template, f)) for f in TEMPLATE_FIELDS} if template else {}
    template = template or ShiftTemplate(unit=unit)
    for field in TEMPLATE_FIELDS:
        if field in values:
            setattr(template, field, values[field])
    template.full_clean()
    template.save()
    after = {f: _plain(getattr(template, f)) for f in TEMPLATE_FIELDS}
    timeline.record(
        template,
        "shift_template.changed" if before else "shift_template.created",
        actor=user,
        message=str(template),
        before={f: v for f, v in before.items() if after[f] != v},
        after={f: v for f, v in after.items() if before.get(f) != v},
    )
    return template


def _plain(value):
    return value.strftime("%H:%M") if isinstance(value, datetime.time) else value


def templates_for(unit):
    """Active templates of the unit or, failing those, of its nearest ancestor."""
    current = unit
    while current is not None:
        rows = list(ShiftTemplate.objects.filter(unit=current, is_active=True))
        if rows:
            return rows
        current = current.parent
    return []


def rostered_agents(unit):
    return (
        get_user_model()
        .objects.filter(unit__path__startswith=unit.path, role__in=ROSTERED_ROLES, is_active=True)
        .order_by("username")
    )


def _tz(unit):
    return zoneinfo.ZoneInfo(schedule_for_unit(unit).timezone)


def requirement(unit, week_start):
    """(queue id, day index, slot) -> agents to roster, from the newest
    forecast of each queue covering each day. A 15-minute plan takes the
    busier quarter of each half hour."""
    tz = _tz(unit)
    week_end = week_start + datetime.timedelta(days=7)
    forecasts = Forecast.objects.filter(
        unit__path__startswith=unit.path, queue__isnull=False, starts_on__lt=week_end
    ).order_by("created_at")
    needed = {}
    for forecast in forecasts:
        if forecast.ends_on <= week_start:
            continue
        own = defaultdict(int)
        span = max(1, forecast.interval_minutes // SLOT_MINUTES)
        for interval in forecast.intervals.all():
            local = interval.starts_at.astimezone(tz)
            day = (local.date() - week_start).days
            if not 0 <= day < 7:
                continue
            first = (local.hour * 60 + local.minute) // SLOT_MINUTES
            for slot in range(first, first + span):
                key = (forecast.queue_id, day, slot)
                own[key] = max(own[key], interval.required)
        # Forecasts come oldest first: a newer one replaces an older one's figures.
        needed.update(own)
    return needed


def _leave_days(agent_ids, week_start):
    start = datetime.datetime.combine(
        week_start, datetime.time(), datetime.UTC
    ) - datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=9)
    days = defaultdict(set)
    leaves = LeaveRequest.objects.filter(
        agent_id__in=agent_ids,
        status=LeaveRequest.Status.APPROVED,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    for leave in leaves:
        for i in range(7):
            day = week_start + datetime.timedelta(days=i)
            if leave.starts_at.date() <= day <= leave.ends_at.date():
                days[leave.agent_id].add(i)
    return days


def _shift_times(template, day, tz, break_after=None):
    starts_at = datetime.datetime.combine(day, template.start, tz)
    last_day = day + datetime.timedelta(days=1) if template.crosses_midnight else day
    ends_at = datetime.datetime.combine(last_day, template.end, tz)
    if template.break_minutes:
        if break_after is None:
            break_after = template.break_after_minutes
        break_start = starts_at + datetime.timedelta(minutes=break_after)
        return (
            starts_at,
            ends_at,
            break_start,
            break_start + datetime.timedelta(minutes=template.break_minutes),
        )
    return starts_at, ends_at, None, None


def _check_week_start(week_start):
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": [_("A roster week starts on a Monday.")]})


@transaction.atomic
def generate_roster(*, user, unit, week_start, time_limit=30.0):
    """Build (or rebuild) the draft roster of ``unit`` for the week with CP-SAT."""
    _check_week_start(week_start)
    check_planner(user, unit)
    templates = templates_for(unit)
    if not templates:
        raise ValidationError({"templates": [_("Set up shift templates first.")]})
    roster, _created = Roster.objects.get_or_create(
        unit=unit, week_start=week_start, defaults={"created_by": user}
    )
    if roster.status != Roster.Status.DRAFT:
        raise ValidationError(
            {"roster": [_("A published roster is edited by hand, not regenerated.")]}
        )
    agents = list(rostered_agents(unit))
    profiles = {p.agent_id: p for p in WorkProfile.objects.filter(agent__in=agents)}
    skills = defaultdict(set)
    for member in QueueMember.objects.filter(agent__in=agents):
        skills[member.agent_id].add(member.queue_id)
    leave = _leave_days([a.id for a in agents], week_start)
    tz = _tz(unit)
    sunday = {shift.agent_id: shift for shift in _shifts_of_the_sunday_before(unit, week_start)}
    specs = []
    for agent in agents:
        profile = profiles.get(agent.id) or WorkProfile(agent=agent)
        before = sunday.get(agent.id)
        specs.append(
            rostering.AgentSpec(
                id=agent.id,
                max_minutes=int(profile.weekly_hours * 60),
                rest_days=profile.rest_days,
                skills=frozenset(skills[agent.id]),
                unavailable_days=frozenset(leave[agent.id]),
                day_before=template_specs(before.template)[0] if before else None,
            )
        )
    needed = requirement(unit, week_start)
    # What the Sunday before's night shifts work on Monday is covered already.
    for shift in sunday.values():
        if shift.leave_id is None:
            for day, slot in shift_slots(shift, week_start, tz):
                key = (shift.queue_id, day, slot)
                if day == 0 and needed.get(key):
                    needed[key] -= 1
    variants = [spec for t in templates for spec in template_specs(t)]
    result = rostering.solve(
        specs,
        variants,
        {**needed, **_next_monday_night(unit, week_start, variants)},
        slot_minutes=SLOT_MINUTES,
        time_limit=time_limit,
    )
    before = roster.shifts.count()
    roster.shifts.all().delete()
    by_id = {t.id: t for t in templates}
    shifts = []
    for agent_id, day_index, spec, queue_id in result.assignments:
        day = week_start + datetime.timedelta(days=day_index)
        template = by_id[spec.id]
        starts_at, ends_at, break_start, break_end = _shift_times(
            template, day, tz, break_after=spec.break_start - spec.start
        )
        shifts.append(
            Shift(
                roster=roster,
                agent_id=agent_id,
                day=day,
                template=template,
                queue_id=queue_id,
                starts_at=starts_at,
                ends_at=ends_at,
                break_starts_at=break_start,
                break_ends_at=break_end,
                source=Shift.Source.SOLVER,
            )
        )
    Shift.objects.bulk_create(shifts)
    roster.solver = {
        "status": result.status,
        "seconds": round(result.wall_seconds, 2),
        "paid_hours": round(result.paid_minutes / 60, 1),
        "required_slots": sum(needed.values()),
        "short_slots": sum(v for (_q, day, _s), v in result.shortfall.items() if day < 7),
    }
    roster.save(update_fields=["solver"])
    timeline.record(
        roster,
        "roster.generated",
        actor=user,
        before={"shifts": before},
        after={"shifts": len(result.assignments), **roster.solver},
    )
    return roster


def _next_monday_night(unit, week_start, variants):
    """The next week's Monday hours that this week's Sunday night shifts
    reach, as day 7, so their breaks are staggered there too (when that
    week is planned already)."""
    reach = max((spec.end - 24 * 60 for spec in variants), default=0)
    if reach <= 0:
        return {}
    later = requirement(unit, week_start + datetime.timedelta(days=7))
    return {
        (queue, 7, slot): need
        for (queue, day, slot), need in later.items()
        if day == 0 and slot * SLOT_MINUTES < reach
    }


def _shifts_of_the_sunday_before(unit, week_start):
    """The shifts of the previous week's roster that run on into this week
    (its Sunday's night shifts)."""
    monday = datetime.datetime.combine(week_start, datetime.time(), _tz(unit))
    return Shift.objects.filter(
        roster__unit=unit,
        roster__week_start=week_start - datetime.timedelta(days=7),
        ends_at__gt=monday,
    ).select_related("template")


def coverage(roster):
    """Per queue: rows of (day, slot, required, scheduled, gap), where
    scheduled counts the agents working the whole slot and not on leave,
    the Sunday before's night shifts included."""
    needed = requirement(roster.unit, roster.week_start)
    tz = _tz(roster.unit)
    scheduled = defaultdict(int)
    shifts = [*roster.shifts.all(), *_shifts_of_the_sunday_before(roster.unit, roster.week_start)]
    for shift in shifts:
        if shift.leave_id is not None:
            continue
        for day, slot in shift_slots(shift, roster.week_start, tz):
            if 0 <= day < 7:
                scheduled[shift.queue_id, day, slot] += 1
    cells = set(needed) | set(scheduled)
    rows = defaultdict(list)
    for queue, day, slot in sorted(cells, key=lambda c: (c[0] or 0, c[1], c[2])):
        want = needed.get((queue, day, slot), 0)
        have = scheduled.get((queue, day, slot), 0)
        rows[queue].append((day, slot, want, have, max(0, want - have)))
    return dict(rows)


def shift_slots(shift, week_start, tz):
    """(day index, slot) of every slot the shift works in full, breaks left out."""
    parts = (
        [(shift.starts_at, shift.break_starts_at), (shift.break_ends_at, shift.ends_at)]
        if shift.break_starts_at
        else [(shift.starts_at, shift.ends_at)]
    )
    slots = []
    per_day = 24 * 60 // SLOT_MINUTES
    for begin, end in parts:
        begin, end = begin.astimezone(tz), end.astimezone(tz)
        day = (begin.date() - week_start).days
        first = -(-(begin.hour * 60 + begin.minute) // SLOT_MINUTES)
        # Counted on from the start's midnight: a night shift runs on.
        last = ((end.date() - begin.date()).days * 24 * 60 + end.hour * 60 + end.minute) // (
            SLOT_MINUTES
        )
        slots.extend((day + slot // per_day, slot % per_day) for slot in range(first, last))
    return slots


def _check_editable(user, roster):
    check_planner(user, roster.unit)


@transaction.atomic
def set_shift(*, user, roster, agent, day, template, queue=None, source=Shift.Source.MANUAL):
    """Put ``agent`` on ``template`` on ``day`` (replacing that day's shift)."""
    _check_editable(user, roster)
    errors = {}
    if day not in roster.days:
        errors["day"] = [_("The day is not in this roster's week.")]
    if not agent.unit or not agent.unit.path.startswith(roster.unit.path):
        errors["agent"] = [_("The agent does not work in this unit.")]
    if template.id not in {t.id for t in templates_for(roster.unit)}:
        errors["template"] = [_("This shift template is not used in this unit.")]
    if queue is not None and not QueueMember.objects.filter(queue=queue, agent=agent).exists():
        errors["queue"] = [_("The agent is not skilled for this queue.")]
    if errors:
        raise ValidationError(errors)
    _check_rest(roster, agent, day, template)
    existing = (
        Shift.objects.filter(roster=roster, agent=agent, day=day).select_related("template").first()
    )
    starts_at, ends_at, break_start, break_end = _shift_times(template, day, _tz(roster.unit))
    values = {
        "template": template,
        "queue": queue,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "break_starts_at": break_start,
        "break_ends_at": break_end,
        "source": source,
        "leave": None,
    }
    before = {"template": existing.template.code, "queue": existing.queue_id} if existing else {}
    shift, _created = Shift.objects.update_or_create(
        roster=roster, agent=agent, day=day, defaults=values
    )
    timeline.record(
        roster,
        "roster.shift_set",
        actor=user,
        message=f"{agent} {day}",
        before=before,
        after={
            "agent": agent.username,
            "day": day.isoformat(),
            "template": template.code,
            "queue": queue and queue.id,
        },
    )
    return shift


def _check_rest(roster, agent, day, template):
    """The rest the solver keeps (``rostering.MIN_REST_MINUTES``) between
    this shift and the agent's shifts of the days before and after."""
    one_day = datetime.timedelta(days=1)
    # Monday's day before is in the previous week's roster, Sunday's after in the next.
    neighbours = Shift.objects.filter(
        roster__unit=roster.unit, agent=agent, day__in=[day - one_day, day + one_day]
    ).select_related("template")
    spec = template_specs(template)[0]
    for shift in neighbours:
        other = template_specs(shift.template)[0]
        if shift.day < day and rostering.too_close(other, spec):
            raise ValidationError(
                {"template": [_("Too little rest after the shift of the day before.")]}
            )
        if shift.day > day and rostering.too_close(spec, other):
            raise ValidationError(
                {"template": [_("Too little rest before the shift of the day after.")]}
            )


@transaction.atomic
def remove_shift(*, user, shift):
    _check_editable(user, shift.roster)
    timeline.record(
        shift.roster,
        "roster.shift_removed",
        actor=user,
        message=f"{shift.agent} {shift.day}",
        before={
            "agent": shift.agent.username,
            "day": shift.day.isoformat(),
            "template": shift.template.code,
        },
    )
    shift.delete()


@transaction.atomic
def publish_roster(*, user, roster):
    _check_editable(user, roster)
    if roster.status == Roster.Status.PUBLISHED:
        raise ValidationError({"roster": [_("The roster is already published.")]})
    roster.status = Roster.Status.PUBLISHED
    roster.save(update_fields=["status"])
    timeline.record(
        roster,
        "roster.published",
        actor=user,
        before={"status": "draft"},
        after={"status": "published"},
    )
    return roster
