"""A replayed order must be the order the real services would have written
for the same plan: same fields, contacts, notes, charges and timeline."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.contacts.models import Contact
from kefu.core.timeline import events_for
from kefu.demo import content
from kefu.demo.clock import SimulatedClock
from kefu.demo.history import History
from kefu.demo.organisation import DEMO_LAYOUT, build_organisation
from kefu.demo.population import Population
from kefu.workorders.models import WorkOrder

ACTIONS = {
    "intake",
    "answer",
    "dispatch",
    "accept",
    "complete",
    "send_back",
    "cancel",
    "note",
    "charge",
    "follow_up",
    "inform",
    "callback",
    "reopen",
    "archive",
    "bill",
}
SKIPPED_FIELDS = {"id", "number"}


@pytest.fixture
def world(db):
    rng = random.Random(11)
    now = timezone.now()
    clock = SimulatedClock(now - timedelta(days=400))
    with clock.installed():
        organisation = build_organisation(DEMO_LAYOUT, rng)
        population = Population(rng, clock, now)
        households = {
            s.site.code: population.households(s, 4, actor=s.agents[-1]) for s in organisation.sites
        }
    return rng, clock, now, organisation, households


def plans_covering_every_action(rng, history, organisation, households, now, extra=25):
    """Plans until every action has been seen, then ``extra`` more at random."""
    plans, seen = [], set()
    for _ in range(5000):
        staff = rng.choice(organisation.sites)
        topic = rng.choice([t for t in content.TOPICS if t.line == staff.site.line])
        household = rng.choice(households[staff.site.code])
        steps = history.plan(staff, topic, household, now - timedelta(days=rng.uniform(10, 60)))
        new = {s.action for s in steps} - seen
        if new or seen == ACTIONS:
            plans.append((staff, household, steps))
            seen |= new
        if seen == ACTIONS and len(plans) >= len(ACTIONS) + extra:
            return plans
    raise AssertionError(f"no plan with {ACTIONS - seen}")


def snapshot(order):
    fields = {
        f.attname: getattr(order, f.attname)
        for f in WorkOrder._meta.concrete_fields
        if f.attname not in SKIPPED_FIELDS
    }
    contacts = [
        (
            c.channel,
            c.content,
            c.customer_id,
            c.agent_id,
            c.caller,
            c.occurred_at,
            c.unit_id,
            [_event(e, order.number) for e in events_for(c)],
        )
        for c in Contact.objects.filter(work_order=order).order_by("occurred_at", "id")
    ]
    notes = list(order.notes.values_list("author", "body", "created_at"))
    charges = list(
        order.charges.values_list(
            "item", "amount", "status", "created_by", "created_at", "billed_at", "billed_by"
        )
    )
    events = [
        _event(e, order.number) for e in sorted(events_for(order), key=lambda e: (e.at, e.id))
    ]
    return fields, contacts, notes, charges, events


def _event(e, number):
    return (
        e.verb,
        e.message.replace(number, "N"),
        e.before,
        e.after,
        e.actor_id,
        e.customer_id,
        e.at,
    )


def test_replay_writes_what_the_services_write(world):
    rng, clock, now, organisation, households = world
    with clock.installed():
        history = History(rng, clock, now)
        plans = plans_covering_every_action(rng, history, organisation, households, now)
        for staff, household, steps in plans:
            history.walk(staff.center, household, steps)
            walked = WorkOrder.objects.order_by("-id").first()
            history.replay.run(staff.center, household, steps, now)
            history.replay.flush()
            replayed = WorkOrder.objects.order_by("-id").first()
            assert replayed.pk != walked.pk
            assert snapshot(replayed) == snapshot(walked), [s.action for s in steps]


def test_steps_after_now_are_left_for_later(world):
    rng, clock, now, organisation, households = world
    staff = organisation.sites[0]
    topic = next(t for t in content.TOPICS if t.line == "property" and t.department == "eng")
    with clock.installed():
        history = History(rng, clock, now)
        steps = history.plan(
            staff, topic, households[staff.site.code][0], now - timedelta(minutes=30)
        )
        taken = history.replay.run(staff.center, households[staff.site.code][0], steps, now)
        history.replay.flush()
    order = WorkOrder.objects.get()
    assert 1 <= taken < len(steps)
    assert not order.is_closed and order.created_at < now
