"""Every shipped process template walked end to end along each of its
branches (kefu.workorders.preset_walks), by the people its steps name."""

import json

import pytest

from kefu.core.models import Department
from kefu.core.roles import Role
from kefu.core.timeline import events_for
from kefu.factories import DepartmentFactory, UserFactory
from kefu.processes.engine import TransitionError, take_transition
from kefu.processes.presets import PRESET_DIR, validate_spec
from kefu.workorders import services
from kefu.workorders.preset_walks import WALKS, resolve_values
from kefu.workorders.printing import template_field_names

INDUSTRY_PRESETS = sorted(p.stem for p in PRESET_DIR.glob("*.json") if p.stem != "closed_loop")
PATHS = [
    pytest.param(code, steps, end, id=f"{code}: {name}")
    for code, (_type, _title, paths) in WALKS.items()
    for name, end, steps in paths
]


@pytest.fixture
def actors(org, depts, users):
    Fn = Department.Function
    sales = DepartmentFactory(unit=org["east"], code="sales", name="东区销售部", function=Fn.SALES)
    tech = DepartmentFactory(
        unit=org["east"], code="tech", name="东区技术部", function=Fn.TECHNICAL
    )

    def handler(name, unit, department):
        return UserFactory(username=name, role=Role.HANDLER, unit=unit, department=department)

    return {
        "agent": users["agent"],
        "lead": users["supervisor"],
        "manager": users["manager"],
        "handler:engineering": users["handler"],
        "handler:finance": users["finance"],
        "handler:factory": handler("factory_hq", org["hq"], depts["factory"]),
        "handler:sales": handler("sales_east", org["east"], sales),
        "handler:technical": handler("tech_east", org["east"], tech),
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def register(code, actors, org, customer, order_types):
    type_code, title, _paths = WALKS[code]
    return services.register_order(
        user=actors["agent"],
        unit=org["east"],
        order_type=order_types[type_code],
        title=title,
        customer=customer,
    )


def walk(order, steps, actors):
    for action, actor, values in steps:
        data, files = resolve_values(order, values)
        order = take_transition(order, action, actors[actor], data, files)
    return order


def test_every_industry_preset_is_installed_valid_and_walked(order_types):
    assert set(INDUSTRY_PRESETS) == set(WALKS)
    for code in INDUSTRY_PRESETS:
        spec = json.loads((PRESET_DIR / f"{code}.json").read_text(encoding="utf-8"))
        validate_spec(spec, subject_fields=template_field_names())
        assert order_types[WALKS[code][0]].process_code == code


@pytest.mark.parametrize("code,steps,end", PATHS)
def test_preset_walk(code, steps, end, actors, org, customer, order_types):
    order = register(code, actors, org, customer, order_types)
    assert order.process.code == code

    order = walk(order, steps, actors)

    assert order.state.code == end
    assert order.state.is_end
    assert order.closed_at is not None
    declared = {f["name"] for f in order.process.custom_fields}
    entered = {name for _a, _u, values in steps for name in values if name in declared}
    assert entered <= set(order.data)
    verbs = [e.verb for e in events_for(order) if e.verb.startswith("transition.")]
    assert len(verbs) == len(steps)


def test_every_state_of_every_preset_is_visited_by_some_walk(actors, org, customer, order_types):
    """The walks leave no step of a template untested (cancel-style ends aside)."""
    for code, (_type, _title, paths) in WALKS.items():
        visited = set()
        for _name, _end, steps in paths:
            order = register(code, actors, org, customer, order_types)
            visited.add(order.state.code)
            for action, actor, values in steps:
                data, files = resolve_values(order, values)
                order = take_transition(order, action, actors[actor], data, files)
                visited.add(order.state.code)
        unvisited = {
            s.code
            for s in order.process.states.all()
            if s.code not in visited and s.code not in {"cancelled", "refused"}
        }
        assert not unvisited, f"{code}: {unvisited}"


def test_repair_with_no_charge_cannot_go_to_finance(actors, org, customer, order_types, depts):
    order = register("pm_repair", actors, org, customer, order_types)
    order = walk(order, WALKS["pm_repair"][2][1][2][:4], actors)
    assert order.state.code == "returned"
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "to_finance", actors["agent"], {"department": depts["finance"].pk})
    assert "无需交财务" in refused.value.message


def test_repair_with_a_charge_must_go_to_finance_before_the_owner_is_told(
    actors, org, customer, order_types
):
    order = register("pm_repair", actors, org, customer, order_types)
    order = walk(order, WALKS["pm_repair"][2][0][2][:4], actors)
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "inform", actors["agent"], {"reply_note": "好了"})
    assert "先交财务" in refused.value.message


def test_only_finance_staff_record_the_billing(actors, org, customer, order_types):
    order = register("pm_repair", actors, org, customer, order_types)
    order = walk(order, WALKS["pm_repair"][2][0][2][:5], actors)
    assert order.state.code == "billing"
    order.refresh_from_db()
    engineering = actors["handler:engineering"]
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "billed", engineering, {"receipt_number": "X"})
    assert refused.value.code == "forbidden"


def test_a_non_owner_needs_the_owners_consent(actors, org, customer, order_types):
    order = register("key_lending", actors, org, customer, order_types)
    with pytest.raises(TransitionError) as refused:
        take_transition(
            order,
            "verify_non_owner",
            actors["agent"],
            {"borrower_name": "李", "borrower_id": "1", "consent_by": "电话"},
        )
    assert "owner_consent" in refused.value.field_errors
    order.refresh_from_db()
    assert order.state.code == "registered"
    assert order.data == {}


def test_an_allowance_needs_the_general_managers_approval(actors, org, customer, order_types):
    order = register("aftersales_complaint", actors, org, customer, order_types)
    steps = WALKS["aftersales_complaint"][2][0][2]
    order = walk(order, steps[:-1], actors)
    assert order.state.code == "awaiting_approval"
    with pytest.raises(TransitionError) as refused:
        take_transition(order, "approve_allowance", actors["lead"], {"gm_approved": "on"})
    assert refused.value.code == "forbidden"
