"""The rules of callbacks: tasks created by events, distribution, collection,
results, and the one-business-day rule for problems the customer raises."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.callbacks import sampling
from kefu.callbacks.generation import NUMBER_PREFIX, subject_key
from kefu.callbacks.models import (
    CallbackPolicy,
    CallbackSkill,
    CallbackTask,
    Method,
    Priority,
)
from kefu.callbacks.quiet import VOICE_METHODS, is_quiet, periods_for
from kefu.callbacks.signals import callback_completed
from kefu.core import scoping, timeline
from kefu.core.calendars import schedule_for_unit
from kefu.core.choices import Satisfaction
from kefu.core.numbering import next_number
from kefu.core.roles import Role

Status = CallbackTask.Status
OPEN_STATUSES = (Status.OPEN, Status.ASSIGNED)
MAX_ATTEMPTS = 3
CALLBACK_ROLES = frozenset({Role.CALLBACK_AGENT, Role.AGENT, Role.SENIOR_AGENT})


def visible_tasks(user):
    return scoping.scope_by_unit(
        CallbackTask.objects.select_related("customer", "unit", "assignee", "policy"), user
    )


def _require_supervisor(user, unit=None):
    if not user.is_supervising:
        raise PermissionDenied(_("Only supervisors manage callback lists."))
    if unit is not None and not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("This unit is outside your scope."))


def _require_may_work(user, task):
    if not scoping.can_see_unit(user, task.unit):
        raise PermissionDenied(_("This callback is outside your scope."))
    if task.assignee_id != user.pk and not user.is_supervising:
        raise PermissionDenied(_("This callback is on another agent's list."))


# Tasks from events -------------------------------------------------------------


@transaction.atomic
def create_for_event(*, trigger, customer, subject, unit=None, at=None, due_at=None, key=None):
    """Tasks for an event that happened now (an order resolved, a complaint
    answered, a missed call), by every active policy for the trigger that
    takes effect at once. Returns the tasks created."""
    at = at or timezone.now()
    unit = unit or customer.unit
    key = key or subject_key(subject)
    policies = [
        p
        for p in CallbackPolicy.objects.filter(
            is_active=True, trigger=trigger, delay_days=0
        ).select_related("unit")
        if (not p.segment or p.segment == customer.segment)
        and (p.unit is None or unit.path.startswith(p.unit.path))
    ]
    created = []
    for policy in policies:
        chosen, audit = sampling.pick(policy.code, policy.ratio, key)
        if not chosen:
            continue
        task = _create(
            policy=policy,
            trigger=trigger,
            customer=customer,
            subject=subject,
            unit=unit,
            occasion=f"{policy.code}:{key}",
            at=at,
            due_at=due_at or at + timedelta(days=policy.deadline_days),
            sample=audit,
            method=policy.method,
            priority=policy.priority,
            mandatory=policy.mandatory,
        )
        if task is not None:
            created.append(task)
    return created


@transaction.atomic
def create_mandatory(*, trigger, customer, subject, unit, due_at, at=None):
    """A callback that must happen whatever the policies say (a complaint's
    result): by the trigger's policy when one is active, otherwise a phone
    callback of high priority."""
    created = create_for_event(
        trigger=trigger, customer=customer, subject=subject, unit=unit, at=at, due_at=due_at
    )
    if created:
        return created[0]
    key = subject_key(subject)
    existing = CallbackTask.objects.filter(occasion__endswith=f":{key}", trigger=trigger).first()
    return existing or _create(
        policy=None,
        trigger=trigger,
        customer=customer,
        subject=subject,
        unit=unit,
        occasion=f"mandatory:{key}",
        at=at or timezone.now(),
        due_at=due_at,
        sample={"mandatory": True},
        method=Method.PHONE,
        priority=Priority.HIGH,
        mandatory=True,
    )


def _create(*, occasion, at, customer, subject, **fields):
    if CallbackTask.objects.filter(occasion=occasion).exists():
        return None
    task = CallbackTask.objects.create(
        number=next_number(NUMBER_PREFIX),
        occasion=occasion,
        triggered_at=at,
        customer=customer,
        subject=subject,
        **fields,
    )
    timeline.record(
        task,
        "callback.created",
        customer=customer,
        message=_("Callback task %(number)s created") % {"number": task.number},
        after={"method": task.method, "due_at": task.due_at.isoformat()},
    )
    return task


# Distribution and collection ----------------------------------------------------


def _eligible_agents(user, agents):
    agents = list(agents)
    for agent in agents:
        if agent.role not in CALLBACK_ROLES or not scoping.can_see_unit(user, agent.unit):
            raise ValidationError(
                {"agents": [_("%(agent)s cannot take callback lists.") % {"agent": agent}]}
            )
    return agents


@transaction.atomic
def distribute(*, user, unit, agents, now=None) -> dict[int, int]:
    """Hand the unit's unassigned open callbacks to ``agents``, balanced by
    count: each task goes to the agent with the lightest list among those
    who work its method; urgent and mandatory tasks first, to the most
    skilled of the least loaded. Returns the number handed to each agent id."""
    _require_supervisor(user, unit)
    agents = _eligible_agents(user, agents)
    if not agents:
        raise ValidationError({"agents": [_("Choose at least one agent.")]})
    skills = {s.agent_id: s for s in CallbackSkill.objects.filter(agent__in=agents)}
    load = {
        a.pk: CallbackTask.objects.filter(assignee=a, status__in=OPEN_STATUSES).count()
        for a in agents
    }
    given = dict.fromkeys(load, 0)
    pool = (
        scoping.scope_by_unit(CallbackTask.objects.all(), user)
        .filter(unit__path__startswith=unit.path, status=Status.OPEN, assignee__isnull=True)
        # SMS callbacks are sent by the worker, not worked from a list.
        .exclude(method=Method.SMS)
        .select_for_update()
        .order_by("-mandatory", "-priority", "due_at", "id")
    )
    for task in pool:
        agent = _pick_agent(task, agents, skills, load)
        if agent is None:
            continue
        task.assignee = agent
        task.status = Status.ASSIGNED
        task.save(update_fields=["assignee", "status"])
        load[agent.pk] += 1
        given[agent.pk] += 1
        timeline.record(
            task,
            "callback.assigned",
            actor=user,
            customer=task.customer,
            message=_("Assigned to %(agent)s") % {"agent": agent},
            before={"assignee": None},
            after={"assignee": agent.username},
        )
    return given


def _pick_agent(task, agents, skills, load):
    def works(agent):
        skill = skills.get(agent.pk)
        return skill is None or not skill.methods or task.method in skill.methods

    def level(agent):
        skill = skills.get(agent.pk)
        return skill.level if skill else 3

    able = [a for a in agents if works(a)]
    if not able:
        return None
    urgent = task.mandatory or task.priority >= Priority.HIGH
    # Skill only breaks ties between equally loaded agents, so the lists stay
    # balanced by count whatever the mix of tasks.
    return min(able, key=lambda a: (load[a.pk], -level(a) if urgent else level(a), a.pk))


@transaction.atomic
def collect(*, user, unit, agent=None) -> int:
    """Take back (回收) the callbacks not yet done from an agent's list, or from
    every list of the unit, into the unassigned pool."""
    _require_supervisor(user, unit)
    tasks = (
        scoping.scope_by_unit(CallbackTask.objects.all(), user)
        .filter(unit__path__startswith=unit.path, status=Status.ASSIGNED)
        .select_related("assignee", "customer")
        .select_for_update()
    )
    if agent is not None:
        tasks = tasks.filter(assignee=agent)
    count = 0
    for task in tasks:
        previous = task.assignee.username
        task.assignee = None
        task.status = Status.OPEN
        task.save(update_fields=["assignee", "status"])
        timeline.record(
            task,
            "callback.collected",
            actor=user,
            customer=task.customer,
            message=_("Collected from %(agent)s") % {"agent": previous},
            before={"assignee": previous},
            after={"assignee": None},
        )
        count += 1
    return count


@transaction.atomic
def reassign(task, *, user, agent) -> CallbackTask:
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    _require_supervisor(user, task.unit)
    if task.is_closed:
        raise ValidationError({"task": [_("This callback is already finished.")]})
    (agent,) = _eligible_agents(user, [agent])
    previous = task.assignee.username if task.assignee else None
    task.assignee = agent
    task.status = Status.ASSIGNED
    task.save(update_fields=["assignee", "status"])
    timeline.record(
        task,
        "callback.reassigned",
        actor=user,
        customer=task.customer,
        message=_("Reassigned to %(agent)s") % {"agent": agent},
        before={"assignee": previous},
        after={"assignee": agent.username},
    )
    return task


# The agent's list ---------------------------------------------------------------


def agent_list(user, now=None):
    """The open callbacks on the agent's list, most urgent first; during quiet
    hours the voice callbacks are marked ``quiet`` and cannot be worked."""
    now = now or timezone.now()
    tasks = list(
        CallbackTask.objects.filter(assignee=user, status=Status.ASSIGNED)
        .select_related("customer", "policy", "policy__script", "unit")
        .order_by("-mandatory", "due_at", "-priority", "id")
    )
    periods = {}
    for task in tasks:
        if task.unit_id not in periods:
            periods[task.unit_id] = periods_for(task.unit)
        task.quiet = task.method in VOICE_METHODS and is_quiet(now, periods=periods[task.unit_id])
        task.overdue = task.due_at < now
    return tasks


# Results ----------------------------------------------------------------------


def one_business_day_after(unit, moment: datetime) -> datetime:
    """The same time of day on the unit's next business day."""
    schedule = schedule_for_unit(unit)
    local = timezone.localtime(moment)
    day = local.date()
    for _step in range(30):
        day += timedelta(days=1)
        if schedule.intervals(day):
            break
    return local.replace(year=day.year, month=day.month, day=day.day)


@transaction.atomic
def record_result(
    task,
    *,
    user,
    reached=True,
    content="",
    satisfaction="",
    suggestions="",
    problem="",
    problem_solved=False,
    now=None,
) -> CallbackTask:
    """Store what the callback found. An unreached customer counts an attempt
    (after three the task ends as unreachable); a problem the customer raised
    must be solved within one business day or it becomes a work order."""
    now = now or timezone.now()
    task = CallbackTask.objects.select_for_update().select_related("unit").get(pk=task.pk)
    _require_may_work(user, task)
    if task.is_closed:
        raise ValidationError({"task": [_("This callback is already finished.")]})
    if task.method in VOICE_METHODS and is_quiet(now, task.unit):
        raise ValidationError({"task": [_("Customers are resting now: call outside quiet hours.")]})
    before = {"status": task.status, "attempts": task.attempts}
    if not reached:
        task.attempts += 1
        if task.attempts >= MAX_ATTEMPTS:
            task.status = Status.UNREACHABLE
            task.executed_by, task.executed_at = user, now
        task.content = (content or "").strip() or task.content
        task.save()
        timeline.record(
            task,
            "callback.attempt",
            actor=user,
            customer=task.customer,
            message=_("Customer not reached (attempt %(n)s)") % {"n": task.attempts},
            before=before,
            after={"status": task.status, "attempts": task.attempts},
            at=now,
        )
        return task
    content, suggestions, problem = (
        (content or "").strip(),
        (suggestions or "").strip(),
        (problem or "").strip(),
    )
    errors = {}
    if not content:
        errors["content"] = [_("Record what the customer said.")]
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("Choose the customer's satisfaction.")]
    if errors:
        raise ValidationError(errors)
    task.status = Status.DONE
    task.executed_by, task.executed_at = user, now
    task.content, task.satisfaction, task.suggestions = content, satisfaction, suggestions
    task.attempts += 1
    if problem:
        task.problem = problem
        if problem_solved:
            task.problem_solved_at = now
        else:
            task.problem_due_at = one_business_day_after(task.unit, now)
    task.save()
    timeline.record(
        task,
        "callback.done",
        actor=user,
        customer=task.customer,
        message=_("Callback %(number)s: %(satisfaction)s")
        % {"number": task.number, "satisfaction": task.get_satisfaction_display()},
        before=before,
        after={
            "status": task.status,
            "satisfaction": satisfaction,
            "content": content[:200],
            "suggestions": suggestions[:200],
            "problem": problem[:200],
        },
        at=now,
    )
    transaction.on_commit(
        lambda: callback_completed.send(
            sender=CallbackTask,
            task=task,
            subject=task.subject,
            satisfaction=satisfaction,
            note=content,
            user=user,
        )
    )
    return task


@transaction.atomic
def solve_problem(task, *, user, note, now=None) -> CallbackTask:
    now = now or timezone.now()
    task = CallbackTask.objects.select_for_update().get(pk=task.pk)
    _require_may_work(user, task)
    if not task.problem_open:
        raise ValidationError({"task": [_("There is no open problem on this callback.")]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say how the problem was solved.")]})
    task.problem_solved_at = now
    task.save(update_fields=["problem_solved_at"])
    timeline.record(
        task,
        "callback.problem_solved",
        actor=user,
        customer=task.customer,
        message=note,
        before={"problem_solved_at": None},
        after={"problem_solved_at": now.isoformat()},
        at=now,
    )
    return task


@transaction.atomic
def problem_to_order(task, *, user):
    """Turn the customer's problem into a work order linked to the callback."""
    _require_may_work(user, task)
    return _to_order(task, user)


def _to_order(task, user):
    from kefu.workorders import services as workorders
    from kefu.workorders.models import WorkOrder, WorkOrderType

    task = (
        CallbackTask.objects.select_for_update().select_related("customer", "unit").get(pk=task.pk)
    )
    if not task.problem_open:
        raise ValidationError({"task": [_("There is no open problem on this callback.")]})
    subject = task.subject
    order_type = (
        subject.order_type
        if isinstance(subject, WorkOrder)
        else WorkOrderType.objects.get(code="business")
    )
    _contact, order = workorders.intake(
        user=user,
        unit=task.unit,
        channel="phone",
        content=task.problem,
        customer=task.customer,
        order={
            "order_type": order_type,
            "title": _("Raised in callback %(number)s") % {"number": task.number},
            "data": {"callback": task.number},
        },
    )
    task.work_order = order
    task.save(update_fields=["work_order"])
    timeline.record(
        task,
        "callback.work_order",
        actor=user,
        customer=task.customer,
        message=_("Problem not solved within one business day: work order %(number)s")
        % {"number": order.number},
        after={"work_order": order.number},
    )
    return order


def escalate_overdue_problems(now=None) -> int:
    """The worker's sweep: every problem past its business day becomes a work
    order, registered in the name of the agent who took the callback."""
    now = now or timezone.now()
    due = CallbackTask.objects.filter(
        problem_due_at__lte=now, problem_solved_at__isnull=True, work_order__isnull=True
    ).select_related("executed_by")
    count = 0
    for task in due:
        if task.executed_by is None:
            continue
        with transaction.atomic():
            _to_order(task, task.executed_by)
        count += 1
    return count
