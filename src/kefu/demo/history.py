"""Demo work orders: months of requests at a service center's daily and
hourly rhythm, each walked through the real services and process engine
(intake → dispatch → accept → complete → inform → callback → archive, with
notes, charges billed by finance, follow-up calls, send-backs,
cancellations and orders reopened after a dissatisfied callback). A walk
stops at "now", so recent orders are still open and some are overdue."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kefu.contacts.services import register_contact
from kefu.core.choices import DISSATISFIED, Channel, Satisfaction
from kefu.demo import content
from kefu.demo.clock import SimulatedClock
from kefu.demo.replay import Replay
from kefu.processes.engine import take_transition
from kefu.workorders.models import Category, Priority, WorkOrderType
from kefu.workorders.services import add_charge, add_note, bill_charge, intake

# Share of a day's requests by hour, from 0:00 to 23:00.
# fmt: off
HOUR_WEIGHTS = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 9, 10, 8,
    4.5, 6, 9, 9, 8, 6, 4, 3, 2.5, 1.5, 0.8, 0.4,
)
# fmt: on
WEEKDAY_WEIGHTS = (1.0, 0.95, 0.95, 0.95, 1.0, 0.7, 0.6)
CHANNELS = {
    "property": {
        Channel.PHONE: 55,
        Channel.WALK_IN: 18,
        Channel.WECHAT: 15,
        Channel.WEB: 4,
        Channel.SMS: 3,
        Channel.EMAIL: 2,
        Channel.LETTER: 2,
        Channel.FAX: 1,
    },
    "hotline": {
        Channel.PHONE: 62,
        Channel.WEB: 10,
        Channel.WECHAT: 10,
        Channel.CHAT: 8,
        Channel.EMAIL: 5,
        Channel.SMS: 2,
        Channel.QQ: 2,
        Channel.FAX: 1,
    },
}
SATISFACTION = {
    Satisfaction.VERY_SATISFIED: 45,
    Satisfaction.SATISFIED: 38,
    Satisfaction.NEUTRAL: 11,
    Satisfaction.DISSATISFIED: 4.5,
    Satisfaction.VERY_DISSATISFIED: 1.5,
}
# When people work: handlers on site, callbacks outside the customers'
# rest hours (never call when customers rest).
WORKING_HOURS = (8, 20)
CALLING_HOURS = (9, 20)


def arrival_times(rng, count, *, days, now):
    """``count`` moments in the last ``days`` days, busier on weekdays and
    in office hours, slowly growing, sorted."""
    tz = timezone.get_current_timezone()
    first = timezone.localdate(now) - timedelta(days=days)
    dates = [first + timedelta(days=i) for i in range(days + 1)]
    weights = [
        WEEKDAY_WEIGHTS[d.weekday()] * rng.uniform(0.8, 1.2) * (0.85 + 0.3 * i / days)
        for i, d in enumerate(dates)
    ]
    times = []
    while len(times) < count:
        need = count - len(times)
        for day, hour in zip(
            rng.choices(dates, weights, k=need),
            rng.choices(range(24), HOUR_WEIGHTS, k=need),
            strict=True,
        ):
            moment = datetime.combine(
                day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz
            )
            if moment < now:
                times.append(moment)
    return sorted(times)


@dataclass
class Step:
    at: datetime
    action: str  # a transition code, or intake, note, charge, bill, follow_up
    actor: object
    data: dict = field(default_factory=dict)


class Walk:
    """The steps of one order, each some minutes after the one before."""

    def __init__(self, rng, start, *, round_the_clock=False):
        self.rng = rng
        self.t = start
        self.round_the_clock = round_the_clock
        self.steps = []

    def add(self, action, actor, data=None, *, minutes=(1, 10), hours=WORKING_HOURS):
        t = self.t + timedelta(minutes=self.rng.uniform(*minutes))
        if hours and not self.round_the_clock:
            t = self._within(t, hours)
        self.t = t
        self.steps.append(Step(t, action, actor, data or {}))

    def _within(self, t, hours):
        local = timezone.localtime(t)
        start, end = hours
        if local.hour >= end:
            local = local + timedelta(days=1)
        elif local.hour >= start:
            return t
        return local.replace(
            hour=start, minute=self.rng.randrange(60), second=self.rng.randrange(60)
        )


class History:
    def __init__(self, rng: random.Random, clock: SimulatedClock, now):
        self.rng = rng
        self.clock = clock
        # Steps after this moment have not happened yet.
        self.now = now
        self.types = {t.code: t for t in WorkOrderType.objects.all()}
        self.categories = {
            (c.order_type.code, str(c).replace(" / ", "/")): c
            for c in Category.objects.select_related("order_type", "parent")
        }
        self.topics = {
            line: [t for t in content.TOPICS if t.line == line] for line in ("property", "hotline")
        }
        self.replay = Replay(clock)
        self.stats = {"orders": 0, "walked": 0, "replayed": 0, "steps": 0}

    def make_orders(self, arrivals, households, *, walk_share):
        """One request per (moment, site staff) in ``arrivals``, in time order so
        each day's numbers follow the clock; ``households`` by site code.
        The orders still open now and ``walk_share`` of the others go through
        the real services, the rest through ``Replay``."""
        for moment, staff in arrivals:
            topics = self.topics[staff.site.line]
            topic = self.rng.choices(topics, [t.weight for t in topics])[0]
            household = self.rng.choice(households[staff.site.code])
            if self.rng.random() < 0.06:
                steps = self._contact_only(staff, household, moment)
            else:
                steps = self.plan(staff, topic, household, moment)
            if self._open_now(steps) or self.rng.random() < walk_share:
                self.stats["steps"] += self.walk(staff.center, household, steps)
                self.stats["walked"] += 1
            else:
                self.stats["steps"] += self.replay.run(staff.center, household, steps, self.now)
                self.stats["replayed"] += 1
            self.stats["orders"] += steps[0].data["order"] is not None
        self.replay.flush()

    def plan(self, staff, topic, household, moment):
        rng = self.rng
        agent = rng.choice(staff.agents)
        priority = topic.priority or self.types[topic.type].default_priority
        if rng.random() < topic.urgent_share:
            priority = Priority.URGENT
        elif household.customer.is_key and priority in (Priority.LOW, Priority.NORMAL):
            priority = Priority.HIGH
        walk = Walk(rng, moment, round_the_clock=priority == Priority.URGENT)
        walk.steps.append(self._intake(staff, topic, household, moment, agent, priority))
        if topic.department is None:
            walk.add(
                "answer",
                agent,
                {"reply_note": rng.choice(topic.replies)},
                minutes=(1, 8),
                hours=None,
            )
            return walk.steps
        departments = staff.departments_of(topic.department)
        department = (
            household.dealer
            if topic.department == "dealer" and household.dealer
            else rng.choice(departments)
        )
        dispatch = {"department": department}
        if topic.type in ("repair", "special_service", "maintenance") and rng.random() < 0.4:
            day = timezone.localtime(moment) + timedelta(days=rng.choice((1, 1, 2, 3)))
            # In UTC, as the database gives it back (replayed events must match).
            dispatch["appointment_at"] = day.replace(
                hour=rng.choice((9, 10, 14, 15, 16)), minute=0, second=0, microsecond=0
            ).astimezone(UTC)
        if rng.random() < 0.15:
            dispatch["note"] = rng.choice(content.AGENT_NOTES)
        # Most orders go out at once (those of the night in the morning, unless
        # urgent); some wait for the customer to confirm a time.
        waiting = (2, 40) if rng.random() < 0.93 else (240, 2880)
        walk.add("dispatch", agent, dispatch, minutes=waiting)
        if rng.random() < 0.012:
            walk.add(
                "cancel",
                staff.leads[0],
                {"reason": rng.choice(content.CANCEL_REASONS)},
                minutes=(30, 600),
            )
            return walk.steps
        handler = rng.choice(staff.handlers[department.pk])
        if rng.random() < 0.02:
            walk.add(
                "send_back",
                handler,
                {"reason": rng.choice(content.SEND_BACK_REASONS)},
                minutes=(30, 300),
            )
            walk.add("dispatch", agent, {"department": department}, minutes=(10, 90))
        charged = topic.charge is not None and rng.random() < (
            0.9 if topic.type == "special_service" else 0.5
        )
        for attempt in (1, 2):
            if not self._handle(walk, topic, department, handler, agent):
                return walk.steps
            if charged and attempt == 1:
                item, low, high = topic.charge
                amount = Decimal(max(10, round(rng.uniform(low, high) / 5) * 5)).quantize(
                    Decimal("0.01")
                )
                walk.add(
                    "charge", handler, {"item": item, "amount": amount}, minutes=(1, 5), hours=None
                )
            walk.add("inform", agent, {"reply_note": rng.choice(topic.replies)}, minutes=(20, 300))
            callbacker = rng.choice(staff.callback_agents) if rng.random() < 0.7 else agent
            satisfaction = rng.choices(list(SATISFACTION), list(SATISFACTION.values()))[0]
            if attempt == 2 and satisfaction in DISSATISFIED:
                satisfaction = Satisfaction.NEUTRAL
            answer = {
                "satisfaction": satisfaction,
                "callback_note": rng.choice(content.CALLBACK_NOTES[satisfaction]),
            }
            if satisfaction in DISSATISFIED:
                walk.add("reopen", callbacker, answer, minutes=(120, 3 * 1440), hours=CALLING_HOURS)
                continue
            walk.add("callback", callbacker, answer, minutes=(120, 3 * 1440), hours=CALLING_HOURS)
            # The supervisor checks some callbacks before they are archived.
            review = (5, 120) if rng.random() < 0.8 else (600, 2880)
            walk.add("archive", callbacker, minutes=review)
            if charged and staff.finance is not None:
                walk.add("bill", staff.finance, minutes=(600, 7 * 1440))
            break
        return walk.steps

    def _intake(self, staff, topic, household, moment, agent, priority):
        rng = self.rng
        template = rng.choice(topic.texts)
        text = template.format(
            home=household.place,
            building=household.building or household.place,
            product=household.product,
            dealer=household.dealer.name if household.dealer else "",
        )
        order = {
            "order_type": self.types[topic.type],
            "title": topic.title,
            "priority": priority,
            "category": self.categories.get((topic.type, topic.category)),
            "location": household.place,
        }
        # Faults in common areas are often reported by passers-by.
        anonymous = (
            staff.site.line == "property"
            and topic.type in ("repair", "complaint")
            and "{home}" not in template
            and rng.random() < 0.3
        )
        if anonymous:
            surname = content.chinese_name(rng)[0]
            order.update(contact_name=f"{surname}先生", contact_phone=household.phone)
        channels = CHANNELS[staff.site.line]
        return Step(
            moment,
            "intake",
            agent,
            {
                "channel": rng.choices(list(channels), list(channels.values()))[0],
                "content": text,
                "customer": None if anonymous else household.customer,
                "order": order,
            },
        )

    def _open_now(self, steps):
        last = steps[-1]
        return last.at >= self.now or last.action not in (
            "intake",
            "answer",
            "archive",
            "cancel",
            "bill",
        )

    def _handle(self, walk, topic, department, handler, agent):
        """The department's part; False when it never returns the order (it
        is overdue once the deadline passes)."""
        rng = self.rng
        if rng.random() < 0.85:
            walk.add("accept", handler, minutes=(10, 180))
        if rng.random() < 0.06:
            walk.add(
                "follow_up",
                agent,
                {"content": rng.choice(content.FOLLOW_UP_CONTACTS)},
                minutes=(60, 1440),
            )
        if rng.random() < 0.12:
            walk.add(
                "note", handler, {"body": rng.choice(content.HANDLER_NOTES)}, minutes=(20, 240)
            )
        if rng.random() < 0.015:
            return False
        late = rng.random() < 0.1
        share = rng.uniform(1.0, 2.0) if late else rng.uniform(0.05, 0.7)
        minutes = department.deadline_hours * 60 * share
        walk.add(
            "complete",
            handler,
            {"result": rng.choice(topic.results)},
            minutes=(minutes * 0.8, minutes),
        )
        return True

    def _contact_only(self, staff, household, moment):
        return [
            Step(
                moment,
                "intake",
                self.rng.choice(staff.agents),
                {
                    "channel": Channel.PHONE,
                    "content": self.rng.choice(content.CONTACT_ONLY),
                    "customer": household.customer,
                    "order": None,
                },
            )
        ]

    def walk(self, center, household, steps):
        """Take the ``steps`` before now through the real services."""
        order = charge = None
        taken = 0
        for step in steps:
            if step.at >= self.now:
                break
            self.clock.now = step.at
            action, actor, data = step.action, step.actor, step.data
            if action == "intake":
                _contact, order = intake(
                    user=actor,
                    unit=center,
                    channel=data["channel"],
                    content=data["content"],
                    customer=data["customer"],
                    order=data["order"],
                    contact_fields={"caller": household.phone},
                )
            elif action == "note":
                add_note(order, user=actor, body=data["body"])
            elif action == "charge":
                charge = add_charge(order, user=actor, item=data["item"], amount=data["amount"])
            elif action == "bill":
                charge = bill_charge(charge, user=actor)
            elif action == "follow_up":
                register_contact(
                    user=actor,
                    unit=center,
                    channel=Channel.PHONE,
                    content=data["content"],
                    customer=order.customer,
                    work_order=order,
                    caller=household.phone,
                )
            else:
                order = take_transition(order, action, actor, data)
            taken += 1
        return taken
