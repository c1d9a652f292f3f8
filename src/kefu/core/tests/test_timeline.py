import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from kefu.core import timeline
from kefu.core.timeline import events_for, events_for_customer
from kefu.factories import CustomerFactory
from kefu.processes.engine import take_transition
from kefu.processes.presets import PRESET_DIR
from kefu.workorders import services

pytestmark = pytest.mark.django_db


def test_record_and_read_back(customer, users):
    event = timeline.record(
        customer,
        "customer.checked",
        actor=users["agent"],
        message="核对资料",
        before={"segment": "new"},
        after={"segment": "key"},
        customer=customer,
    )
    assert list(events_for(customer)) == [event]
    assert (event.actor, event.verb, event.message) == (
        users["agent"],
        "customer.checked",
        "核对资料",
    )
    assert (event.before, event.after) == ({"segment": "new"}, {"segment": "key"})


def test_anonymous_actor_and_explicit_time(customer):
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    event = timeline.record(customer, "customer.imported", actor=AnonymousUser(), at=at)
    assert event.actor is None and event.at == at
    assert event.before == {} and event.after == {}


def test_events_of_one_record_only(customer, org):
    other = CustomerFactory(unit=org["east"])
    timeline.record(customer, "a")
    timeline.record(other, "b")
    assert [e.verb for e in events_for(customer)] == ["a"]


@pytest.fixture
def intake(users, org, customer, order_types):
    _, order = services.intake(
        user=users["agent"],
        unit=org["east"],
        channel="phone",
        content="卫生间下水道堵塞",
        customer=customer,
        order={"order_type": order_types["repair"], "title": "下水道堵塞"},
    )
    return order


# The closed loop with a dissatisfied callback in the middle: (user, action,
# data, state before, state after).
LOOP = [
    ("agent", "dispatch", {"department": "east_eng"}, "registered", "dispatched"),
    ("handler", "accept", {}, "dispatched", "in_progress"),
    ("handler", "complete", {"result": "疏通下水管"}, "in_progress", "resolved"),
    ("agent", "inform", {"reply_note": "已电话告知"}, "resolved", "replied"),
    (
        "callback",
        "reopen",
        {"satisfaction": "dissatisfied", "callback_note": "仍有异味"},
        "replied",
        "dispatched",
    ),
    ("handler", "complete", {"result": "更换存水弯"}, "dispatched", "resolved"),
    ("agent", "inform", {"reply_note": "已再次告知"}, "resolved", "replied"),
    (
        "callback",
        "callback",
        {"satisfaction": "satisfied", "callback_note": "满意"},
        "replied",
        "visited",
    ),
    ("agent", "archive", {}, "visited", "archived"),
]


def test_every_step_of_the_closed_loop_is_an_event(intake, users, depts):
    order = intake
    for who, code, data, before, after in LOOP:
        if "department" in data:
            data = {"department": depts[data["department"]].pk}
        order = take_transition(order, code, users[who], data)
        event = events_for(order).first()
        assert event.verb == f"transition.{code}"
        assert event.actor == users[who]
        assert event.before["state"] == before and event.after["state"] == after
        assert event.customer == order.customer
    assert order.state.code == "archived" and order.reopen_count == 1
    events = list(events_for(order))[::-1]
    assert [e.verb for e in events] == ["order.registered"] + [f"transition.{s[1]}" for s in LOOP]


def test_events_carry_the_changed_fields(intake, users, depts):
    order = take_transition(
        intake,
        "dispatch",
        users["agent"],
        {"department": depts["east_eng"].pk, "note": "业主下午在家"},
    )
    event = events_for(order).first()
    assert event.before == {"state": "registered", "department": "", "appointment_at": ""}
    assert event.after == {
        "state": "dispatched",
        "department": "东区工程部",
        "appointment_at": "",
        "note": "业主下午在家",
    }
    order = take_transition(order, "send_back", users["handler"], {"reason": "不属于工程部"})
    event = events_for(order).first()
    assert event.after == {"state": "registered", "reason": "不属于工程部"}


def test_redispatch_and_cancel_are_events(intake, users, depts):
    order = take_transition(
        intake, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    order = take_transition(
        order,
        "redispatch",
        users["supervisor"],
        {"department": depts["factory"].pk, "reason": "需厂家处理"},
    )
    event = events_for(order).first()
    assert event.before["department"] == "东区工程部" and event.after["department"] == "总装厂"
    order = take_transition(order, "cancel", users["supervisor"], {"reason": "客户撤销"})
    assert events_for(order).first().after == {"state": "cancelled", "reason": "客户撤销"}


def test_customer_timeline_collects_contacts_orders_and_transitions(
    intake, users, depts, customer, org, order_types
):
    take_transition(intake, "dispatch", users["agent"], {"department": depts["east_eng"].pk})
    # Another customer's history stays out of this one's.
    other = CustomerFactory(unit=org["east"])
    services.intake(
        user=users["agent"],
        unit=org["east"],
        channel="phone",
        content="咨询停车费",
        customer=other,
        order={"order_type": order_types["inquiry"], "title": "停车费"},
    )
    verbs = [e.verb for e in events_for_customer(customer)]
    assert verbs == ["transition.dispatch", "order.registered", "contact.registered"]
    subjects = {e.content_type.model for e in events_for_customer(customer)}
    assert subjects == {"contact", "workorder"}


def test_answer_on_the_spot_is_an_event(users, org, customer, order_types):
    inquiry = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["inquiry"],
        title="物业费标准",
        customer=customer,
    )
    order = take_transition(inquiry, "answer", users["agent"], {"reply_note": "2.5元/平方米/月"})
    event = events_for(order).first()
    assert event.verb == "transition.answer" and event.actor == users["agent"]
    assert event.before == {"state": "registered", "reply_note": ""}
    assert event.after == {"state": "archived", "reply_note": "2.5元/平方米/月"}


def test_every_transition_of_the_closed_loop_is_covered_here():
    spec = json.loads((PRESET_DIR / "closed_loop.json").read_text(encoding="utf-8"))
    covered = {step[1] for step in LOOP} | {"send_back", "redispatch", "cancel", "answer"}
    assert {t["code"] for t in spec["transitions"]} == covered
