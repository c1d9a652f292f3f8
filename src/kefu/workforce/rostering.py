"""Weekly roster generation with OR-Tools CP-SAT.

One boolean per agent, day, shift template and queue the agent is skilled
for: 1 when the agent works that shift on that queue. Constraints: at most
one shift a day, paid time within the contracted hours, at least the
contracted rest days, no shift on a day of approved leave, and at least
``MIN_REST_MINUTES`` between the end of one day's shift and the start of
the next day's, also after the shift of the day before the week. A night
shift (ending after midnight) covers the next day's first slots; on the
week's last day, those of the next week's Monday (day ``days`` in
``requirement``), which the next week's roster counts as covered.

A template may be offered with its break at several times (so breaks are
staggered). Which agent takes which break time does not matter to coverage,
so the break is chosen per day, template and queue as counts of agents
per break time rather than per agent: five times fewer booleans, and the
counts are handed out to the chosen agents afterwards.

Each (queue, day, slot) needs its required agents; what cannot be covered
is a shortfall variable. Every uncovered agent-slot costs more than any
whole shift, so the solver first covers the requirement and then uses the
fewest paid agent-slots doing so."""

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class AgentSpec:
    id: int
    max_minutes: int
    rest_days: int
    skills: frozenset
    unavailable_days: frozenset = frozenset()
    # The shift worked the day before the week (the last roster's Sunday).
    day_before: "TemplateSpec | None" = None


# Between the end of a shift and the next day's start (a night shift
# ending at 07:00 is not followed by an early shift at 08:30).
MIN_REST_MINUTES = 8 * 60
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class TemplateSpec:
    id: int
    start: int  # minutes after midnight of the shift's day
    end: int  # past 1440 for a shift ending the next day
    break_start: int
    break_end: int

    @property
    def paid_minutes(self):
        return self.end - self.start - (self.break_end - self.break_start)

    def covers(self, slot, slot_minutes):
        """Whether the agent is working the whole of ``slot``, counted from
        midnight of the shift's day (the next day's slots follow on)."""
        begin, finish = slot * slot_minutes, (slot + 1) * slot_minutes
        if begin < self.start or finish > self.end:
            return False
        return finish <= self.break_start or begin >= self.break_end


def too_close(earlier, later):
    """Whether ``later`` (next day's) starts within the rest after ``earlier``."""
    return later.start + DAY_MINUTES - earlier.end < MIN_REST_MINUTES


def _rest_between_days(model, shifts, clashes, days):
    """``shifts`` maps (day, template) to one agent's booleans."""
    for d in range(days - 1):
        for first, second in clashes:
            today, tomorrow = shifts.get((d, first)), shifts.get((d + 1, second))
            if today and tomorrow:
                model.add(sum(today) + sum(tomorrow) <= 1)


@dataclass
class RosterResult:
    status: str
    assignments: list  # (agent id, day index, TemplateSpec, queue id)
    shortfall: dict = field(default_factory=dict)  # (queue, day, slot) -> agents missing
    paid_minutes: int = 0
    wall_seconds: float = 0.0


def solve(agents, templates, requirement, *, days=7, slot_minutes=30, time_limit=30.0, workers=2):
    """``requirement`` maps (queue id, day index, slot) to agents needed;
    ``templates`` lists every (template, break time) variant."""
    model = cp_model.CpModel()
    variants = defaultdict(list)
    for spec in templates:
        variants[spec.id].append(spec)
    per_day = DAY_MINUTES // slot_minutes
    # A night shift's slots run on into the next day.
    slots = range(2 * per_day)
    paid_slots = {tid: specs[0].paid_minutes // slot_minutes for tid, specs in variants.items()}
    needed_queues = {q for q, _d, _s in requirement}
    clashes = [
        (first, second)
        for first, specs in variants.items()
        for second, others in variants.items()
        if too_close(specs[0], others[0])
    ]
    works = {}
    takers = defaultdict(list)  # (day, template, queue) -> the agents' booleans
    for agent in agents:
        worked_days, minutes = [], []
        shifts = defaultdict(list)  # (day, template) -> this agent's booleans
        for d in range(days):
            if d in agent.unavailable_days:
                continue
            today = []
            for tid, specs in variants.items():
                if d == 0 and agent.day_before and too_close(agent.day_before, specs[0]):
                    continue
                for q in agent.skills & needed_queues:
                    var = model.new_bool_var(f"w{agent.id}_{d}_{tid}_{q}")
                    works[agent.id, d, tid, q] = var
                    takers[d, tid, q].append(var)
                    shifts[d, tid].append(var)
                    today.append(var)
                    minutes.append(var * specs[0].paid_minutes)
            if today:
                model.add_at_most_one(today)
                worked_days.extend(today)
        _rest_between_days(model, shifts, clashes, days)
        if minutes:
            model.add(sum(minutes) <= agent.max_minutes)
            model.add(sum(worked_days) <= days - agent.rest_days)
    by_cell = defaultdict(list)
    counts = {}
    for (d, tid, q), vars_ in takers.items():
        specs = variants[tid]
        if len(specs) == 1:
            per_variant = [sum(vars_)]
        else:
            per_variant = []
            for v in range(len(specs)):
                count = model.new_int_var(0, len(vars_), f"b{d}_{tid}_{q}_{v}")
                counts[d, tid, q, v] = count
                per_variant.append(count)
            model.add(sum(per_variant) == sum(vars_))
        for spec, amount in zip(specs, per_variant, strict=True):
            for s in slots:
                if spec.covers(s, slot_minutes):
                    by_cell[q, d + s // per_day, s % per_day].append(amount)
    shortfall = {}
    penalty_per_slot = 1 + max(paid_slots.values(), default=0)
    for cell, need in requirement.items():
        if need <= 0:
            continue
        missing = model.new_int_var(0, need, f"short{cell}")
        shortfall[cell] = missing
        model.add(sum(by_cell.get(cell, [])) + missing >= need)
    model.minimize(
        penalty_per_slot * sum(shortfall.values())
        + sum(var * paid_slots[key[2]] for key, var in works.items())
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterResult(name, [], {}, 0, solver.wall_time)
    chosen = defaultdict(list)
    for (agent, d, tid, q), var in works.items():
        if solver.value(var):
            chosen[d, tid, q].append(agent)
    assignments = []
    for (d, tid, q), agent_ids in sorted(chosen.items()):
        specs = variants[tid]
        breaks = [
            spec
            for v, spec in enumerate(specs)
            for _ in range(solver.value(counts[d, tid, q, v]) if len(specs) > 1 else len(agent_ids))
        ]
        assignments += [(a, d, spec, q) for a, spec in zip(agent_ids, breaks, strict=True)]
    return RosterResult(
        status=name,
        assignments=assignments,
        shortfall={cell: solver.value(v) for cell, v in shortfall.items() if solver.value(v)},
        paid_minutes=sum(t.paid_minutes for _a, _d, t, _q in assignments),
        wall_seconds=solver.wall_time,
    )
