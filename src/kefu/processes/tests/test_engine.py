import pytest
from django.utils import translation

from kefu.core.models import TimelineEvent
from kefu.core.timeline import events_for
from kefu.factories import UserFactory
from kefu.processes.engine import (
    TransitionError,
    available_transitions,
    take_transition,
    transition_form,
)
from kefu.processes.presets import load_definition
from kefu.workorders.models import Note, WorkOrder

pytestmark = pytest.mark.django_db

AGENT = ["agent"]


def transition(code, to="doing", **extra):
    return {"code": code, "name": code, "from": ["new"], "to": to, "roles": AGENT, **extra}


@pytest.fixture
def definition():
    """A throwaway process on work orders exercising every engine feature."""
    return load_definition(
        {
            "code": "engine_test",
            "name": "引擎测试",
            "states": [
                {"code": "new", "name": "新建", "kind": "start"},
                {"code": "doing", "name": "处理中"},
                {"code": "done", "name": "完成", "kind": "end"},
            ],
            "transitions": [
                transition("urgent_only", conditions={"priority": {"eq": "urgent"}}),
                transition("repairs", conditions={"type": {"in": ["repair", "complaint"]}}),
                transition("not_low", conditions={"priority": {"not_in": ["low"]}}),
                transition(
                    "key_customers",
                    conditions={"segment": {"eq": "key", "message": "只限重点客户"}},
                ),
                transition(
                    "resolve",
                    to="done",
                    fields=[
                        {"name": "result", "required": True},
                        {"name": "note", "required": False},
                    ],
                    effects=["mark_resolved"],
                ),
                transition(
                    "rate",
                    to="done",
                    fields=[
                        {
                            "name": "satisfaction",
                            "required": True,
                            "choices": ["very_satisfied", "satisfied"],
                        }
                    ],
                ),
                transition(
                    "judge",
                    to="done",
                    fields=[{"name": "satisfaction", "required": True}],
                    conditions={
                        "satisfaction": {"not_in": ["dissatisfied"], "message": "不满意请重新处理"}
                    },
                ),
                {
                    "code": "supervise",
                    "name": "督办",
                    "from": ["new", "doing"],
                    "to": "done",
                    "roles": ["supervisor"],
                },
                transition(
                    "explode",
                    to="done",
                    fields=[{"name": "result", "required": True}],
                    effects=["write_note", "fail"],
                ),
                {"code": "close", "name": "结束", "from": ["doing"], "to": "done", "roles": AGENT},
            ],
        },
        activate=False,
    )


@pytest.fixture
def order(make_order, definition):
    return make_order(definition=definition)


def codes(order, user):
    return {t.code for t in available_transitions(order, user)}


def refusal(order, code, user, data=None):
    with translation.override("en"), pytest.raises(TransitionError) as err:
        take_transition(order, code, user, data or {})
    return err.value


def nothing_written(order):
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.state.code == "new" and fresh.result == "" and fresh.satisfaction == ""
    assert not events_for(order).filter(verb__startswith="transition.").exists()


def test_eq_condition(make_order, definition, users):
    normal = make_order(definition=definition, priority="normal")
    urgent = make_order(definition=definition, priority="urgent")
    assert "urgent_only" not in codes(normal, users["agent"])
    assert "urgent_only" in codes(urgent, users["agent"])
    error = refusal(normal, "urgent_only", users["agent"])
    assert error.message == "The conditions of this action are not met."
    assert error.field_errors == {}
    nothing_written(normal)
    assert take_transition(urgent, "urgent_only", users["agent"]).state.code == "doing"


def test_in_condition(make_order, definition, users):
    repair = make_order(definition=definition, type_code="repair")
    inquiry = make_order(definition=definition, type_code="inquiry")
    assert "repairs" in codes(repair, users["agent"])
    assert "repairs" not in codes(inquiry, users["agent"])
    refusal(inquiry, "repairs", users["agent"])
    nothing_written(inquiry)


def test_not_in_condition(make_order, definition, users):
    low = make_order(definition=definition, priority="low")
    high = make_order(definition=definition, priority="high")
    assert "not_low" not in codes(low, users["agent"])
    assert "not_low" in codes(high, users["agent"])


def test_condition_message_from_the_definition(order, customer, users):
    assert refusal(order, "key_customers", users["agent"]).message == "只限重点客户"
    customer.segment = "key"
    customer.save()
    order.refresh_from_db()
    assert "key_customers" in codes(order, users["agent"])


def test_condition_on_a_submitted_field(order, users):
    # Offered whatever will be submitted; the submitted value decides.
    assert "judge" in codes(order, users["agent"])
    error = refusal(order, "judge", users["agent"], {"satisfaction": "dissatisfied"})
    assert error.field_errors == {"satisfaction": ["不满意请重新处理"]}
    nothing_written(order)
    done = take_transition(order, "judge", users["agent"], {"satisfaction": "neutral"})
    assert done.state.code == "done" and done.satisfaction == "neutral"


@pytest.mark.parametrize("data", [{}, {"result": ""}, {"result": "   "}, {"note": "只有备注"}])
def test_required_fields(order, users, data):
    error = refusal(order, "resolve", users["agent"], data)
    assert error.message == "Please correct the fields below."
    assert list(error.field_errors) == ["result"]
    nothing_written(order)


def test_optional_fields_may_be_left_out(order, users):
    done = take_transition(order, "resolve", users["agent"], {"result": "已修好"})
    assert done.result == "已修好" and done.resolved_at is not None


def test_too_long_input_is_refused(order, users):
    error = refusal(order, "resolve", users["agent"], {"result": "修" * 4001})
    assert list(error.field_errors) == ["result"]
    nothing_written(order)


def test_choices_narrow_a_field(order, users):
    rate = order.process.transitions.get(code="rate")
    form = transition_form(order, rate, users["agent"])
    assert [value for value, _ in form.fields["satisfaction"].choices] == [
        "",
        "very_satisfied",
        "satisfied",
    ]
    error = refusal(order, "rate", users["agent"], {"satisfaction": "neutral"})
    assert list(error.field_errors) == ["satisfaction"]
    nothing_written(order)
    assert (
        take_transition(order, "rate", users["agent"], {"satisfaction": "satisfied"}).satisfaction
        == "satisfied"
    )


def test_role_refusal(order, users):
    assert "supervise" not in codes(order, users["agent"])
    assert codes(order, users["supervisor"]) == {"supervise"}
    error = refusal(order, "supervise", users["agent"])
    assert error.code == "forbidden" and "督办" in error.message
    nothing_written(order)
    assert take_transition(order, "supervise", users["supervisor"]).state.code == "done"


def test_superuser_may_take_any_action(order, users):
    admin = UserFactory(is_superuser=True, unit=None, role="agent")
    assert "supervise" in codes(order, admin)


def test_scope_refusal(order, users):
    assert codes(order, users["agent_west"]) == set()
    assert refusal(order, "resolve", users["agent_west"], {"result": "x"}).code == "forbidden"
    nothing_written(order)


def test_action_not_possible_in_the_current_state(order, users):
    error = refusal(order, "close", users["agent"])
    assert error.code == "state" and "新建" in error.message
    nothing_written(order)


def test_unknown_action(order, users):
    assert refusal(order, "teleport", users["agent"]).code == "unknown"


def test_an_action_of_another_process_is_unknown(order, users):
    # "dispatch" exists in the closed loop, not in this order's process.
    assert refusal(order, "dispatch", users["agent"]).code == "unknown"


def test_a_failing_effect_leaves_nothing_written(order, users, monkeypatch):
    def write_note(order, user, values, transition):
        Note.objects.create(work_order=order, author=user, body="effect ran")

    def fail(order, user, values, transition):
        raise RuntimeError("effect failed")

    monkeypatch.setattr(
        WorkOrder,
        "PROCESS_EFFECTS",
        {**WorkOrder.PROCESS_EFFECTS, "write_note": write_note, "fail": fail},
    )
    with pytest.raises(RuntimeError):
        take_transition(order, "explode", users["agent"], {"result": "已修好"})
    nothing_written(order)
    assert not Note.objects.exists()
    assert not TimelineEvent.objects.filter(verb="transition.explode").exists()


def test_a_transition_is_one_timeline_event_with_before_and_after(order, users):
    with translation.override("zh-hans"):
        take_transition(
            order, "resolve", users["agent"], {"result": "更换水龙头", "note": "业主在家"}
        )
    event = events_for(order).get(verb="transition.resolve")
    assert event.actor == users["agent"] and event.customer == order.customer
    assert event.before == {"state": "new", "result": ""}
    # "note" is not stored on the order: the timeline is where it is kept.
    assert event.after == {"state": "done", "result": "更换水龙头", "note": "业主在家"}
    assert event.message == "resolve: 新建 → 完成"


def test_the_returned_subject_is_saved(order, users):
    returned = take_transition(order, "resolve", users["agent"], {"result": "已处理"})
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.state, fresh.result) == (returned.state, returned.result)
