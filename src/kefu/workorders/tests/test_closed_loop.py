import pytest

from kefu.processes.engine import TransitionError, available_transitions, take_transition
from kefu.workorders import services


@pytest.fixture
def repair(users, org, customer, order_types):
    return services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["repair"],
        title="厨房水管漏水",
        customer=customer,
    )


def codes(order, user):
    return sorted(t.code for t in available_transitions(order, user))


def test_full_loop_reaches_archive(repair, users, depts):
    assert repair.number.startswith("GD")
    assert repair.state.code == "registered"
    order = take_transition(
        repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    assert order.state.code == "dispatched" and order.due_at is not None
    order = take_transition(order, "accept", users["handler"], {})
    assert order.assignee == users["handler"]
    order = take_transition(order, "complete", users["handler"], {"result": "更换水管接头"})
    assert order.resolved_at is not None
    order = take_transition(order, "inform", users["agent"], {"reply_note": "已电话告知业主"})
    order = take_transition(
        order, "callback", users["callback"], {"satisfaction": "satisfied", "callback_note": "满意"}
    )
    order = take_transition(order, "archive", users["agent"], {})
    assert order.state.code == "archived" and order.closed_at is not None
    verbs = list(order_timeline_verbs(order))
    assert verbs[0] == "order.registered" and verbs[-1] == "transition.archive"


def order_timeline_verbs(order):
    from kefu.core.timeline import events_for

    return reversed([e.verb for e in events_for(order)])


def test_dissatisfied_callback_reopens(repair, users, depts):
    order = take_transition(
        repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    order = take_transition(order, "complete", users["handler"], {"result": "已修"})
    order = take_transition(order, "inform", users["agent"], {"reply_note": "已告知"})
    with pytest.raises(TransitionError):
        take_transition(
            order,
            "callback",
            users["agent"],
            {"satisfaction": "dissatisfied", "callback_note": "仍漏水"},
        )
    order = take_transition(
        order, "reopen", users["agent"], {"satisfaction": "dissatisfied", "callback_note": "仍漏水"}
    )
    assert (
        order.state.code == "dispatched" and order.reopen_count == 1 and order.resolved_at is None
    )


def test_handler_of_other_department_cannot_act(repair, users, depts):
    order = take_transition(
        repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    assert codes(order, users["handler_west"]) == []
    with pytest.raises(TransitionError) as err:
        take_transition(order, "accept", users["handler_west"], {})
    assert err.value.code == "forbidden"


def test_invalid_transition_refused_with_message(repair, users):
    with pytest.raises(TransitionError) as err:
        take_transition(repair, "archive", users["agent"], {})
    assert err.value.code == "state" and "已受理" in err.value.message


def test_required_field_missing(repair, users):
    with pytest.raises(TransitionError) as err:
        take_transition(repair, "dispatch", users["agent"], {})
    assert "department" in err.value.field_errors


def test_inquiry_closes_on_the_spot(users, org, customer, order_types, repair):
    inquiry = services.register_order(
        user=users["agent"],
        unit=org["east"],
        order_type=order_types["inquiry"],
        title="物业费标准",
        customer=customer,
    )
    assert "answer" in codes(inquiry, users["agent"])
    assert "answer" not in codes(repair, users["agent"])
    order = take_transition(inquiry, "answer", users["agent"], {"reply_note": "2.5元/平方米/月"})
    assert order.state.code == "archived"
