"""Workforce planning speed: staffing for 96 intervals × 50 queues (Erlang C,
budget 100 ms) and a weekly CP-SAT roster for 200 agents (budget 60 s).

The loads are synthetic but shaped like a center's day: each queue has its
own size and a two-peak daily curve. The roster uses the seeds' shift
templates with their staggered breaks and every agent skilled for two of
five queues. No database is touched; ``python -m bench.workforce`` runs it
alone."""

import datetime
import math
import random
import time

import numpy as np

from kefu.workforce import erlang, presets, rostering

INTERVALS, QUEUES = 96, 50
AGENTS = 200
ROSTER_QUEUES = 5
SLOT = 30
BREAK_SHIFTS = (-60, -30, 0, 30, 60)


def _day_curve(slots):
    hours = (np.arange(slots) + 0.5) * 24 / slots
    curve = np.exp(-((hours - 10.5) ** 2) / 4) + 0.8 * np.exp(-((hours - 15.5) ** 2) / 5)
    curve[(hours < 8) | (hours > 22)] *= 0.05
    return curve


def staffing_loads(rng):
    curve = _day_curve(INTERVALS)
    sizes = np.array([rng.uniform(2, 60) for _ in range(QUEUES)])
    traffic = sizes[:, None] * curve[None, :]
    aht = np.array([rng.uniform(120, 420) for _ in range(QUEUES)])[:, None]
    return traffic, np.broadcast_to(aht, traffic.shape)


def _templates():
    specs = []
    for k, preset in enumerate(presets.shift_templates()):
        start = datetime.time.fromisoformat(preset["start"])
        end = datetime.time.fromisoformat(preset["end"])
        begin, finish = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        if not preset["break_minutes"]:
            specs.append(rostering.TemplateSpec(k, begin, finish, finish, finish))
            continue
        for shift in BREAK_SHIFTS:
            b = begin + preset["break_after_minutes"] + shift
            if begin < b and b + preset["break_minutes"] < finish:
                specs.append(
                    rostering.TemplateSpec(k, begin, finish, b, b + preset["break_minutes"])
                )
    return specs


def roster_problem(rng, agent_count=AGENTS):
    agents = [
        rostering.AgentSpec(
            id=i,
            max_minutes=40 * 60 if i % 5 else 20 * 60,
            rest_days=2 if i % 5 else 3,
            skills=frozenset(rng.sample(range(ROSTER_QUEUES), 2)),
        )
        for i in range(agent_count)
    ]
    curve = _day_curve(24 * 60 // SLOT)
    requirement = {}
    for q in range(ROSTER_QUEUES):
        size = rng.uniform(8, 14) * agent_count / AGENTS
        for d in range(7):
            weekend = 0.6 if d >= 5 else 1.0
            for s, level in enumerate(curve):
                need = math.ceil(size * weekend * level)
                if need and 17 <= s < 44:
                    requirement[q, d, s] = need
    return agents, _templates(), requirement


def measure_workforce(result_class, repeat=20, agent_count=AGENTS, time_limit=55):
    rng = random.Random(8)
    traffic, aht = staffing_loads(rng)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        agents = erlang.required_agents_many(traffic, aht, 10, 0.9, max_occupancy=0.9)
        samples.append((time.perf_counter() - started) * 1000)
    results = [
        result_class(
            f"Staffing, {INTERVALS} intervals × {QUEUES} queues (Erlang C)",
            "ms",
            samples=samples,
            budget="p95 <= 100",
            note=f"{int(agents.sum()):,} agent-intervals",
        )
    ]
    agents_spec, templates, requirement = roster_problem(rng, agent_count)
    started = time.perf_counter()
    roster = rostering.solve(agents_spec, templates, requirement, time_limit=time_limit, workers=2)
    seconds = time.perf_counter() - started
    needed = sum(requirement.values())
    results.append(
        result_class(
            f"Weekly roster, {agent_count} agents, {ROSTER_QUEUES} queues (CP-SAT)",
            "s",
            value=round(seconds, 2),
            budget="value <= 60",
            note=(
                f"{roster.status}; {len(roster.assignments)} shifts, "
                f"{roster.paid_minutes / 60:,.0f} paid h; "
                f"{sum(roster.shortfall.values())} of {needed:,} agent-slots short"
            ),
        )
    )
    return results


if __name__ == "__main__":
    import django

    django.setup()
    from bench.measure import Result

    for r in measure_workforce(Result):
        print(r.as_dict())
