import json

import pytest
from django.core.exceptions import ValidationError

from kefu.processes.engine import available_transitions, take_transition
from kefu.processes.models import ProcessDefinition, State, Transition
from kefu.processes.presets import (
    PRESET_DIR,
    export_definition,
    install_presets,
    load_definition,
    validate_spec,
)
from kefu.workorders.models import WorkOrder
from kefu.workorders.services import active_process

pytestmark = pytest.mark.django_db


def active(code="closed_loop"):
    return ProcessDefinition.objects.get(code=code, is_active=True)


def test_presets_are_installed_after_migrating():
    definition = active()
    assert definition.version == 1 and definition.name == "工单闭环"
    assert definition.start_state.code == "registered"
    assert definition.states.count() == 8 and definition.transitions.count() == 11


def test_installing_presets_again_adds_nothing():
    install_presets()
    assert ProcessDefinition.objects.filter(code="closed_loop").count() == 1


def test_load_writes_states_and_transitions(spec):
    spec["transitions"][0].update(
        fields=[{"name": "note", "required": True}],
        conditions={"type": {"in": ["repair"]}},
        effects=["take"],
        style="success",
        name_en="Begin",
    )
    definition = load_definition(spec)
    assert (definition.code, definition.version, definition.is_active) == ("simple", 1, True)
    assert [s.code for s in definition.states.all()] == ["new", "doing", "done"]
    begin = definition.transitions.get(code="begin")
    assert [s.code for s in begin.sources.all()] == ["new"] and begin.target.code == "doing"
    assert begin.allowed_roles == ["agent"] and begin.field_names == ["note"]
    assert begin.conditions == {"type": {"in": ["repair"]}} and begin.effects == ["take"]
    assert begin.style == "success" and begin.name_en == "Begin"


def test_an_invalid_definition_writes_nothing(spec):
    spec["transitions"][0]["roles"] = []
    with pytest.raises(ValidationError):
        load_definition(spec)
    assert not ProcessDefinition.objects.filter(code="simple").exists()
    assert not State.objects.filter(definition__code="simple").exists()


def test_a_new_version_becomes_the_active_one(spec):
    first = load_definition(spec)
    second = load_definition(spec)
    first.refresh_from_db()
    assert second.version == 2 and second.is_active and not first.is_active
    assert active("simple") == second


def test_a_version_loaded_inactive_leaves_the_current_one_active(spec):
    first = load_definition(spec)
    draft = load_definition(spec, activate=False)
    assert draft.version == 2 and not draft.is_active
    assert active("simple") == first


def test_orders_keep_running_on_the_version_they_started(
    closed_loop_spec, make_order, users, depts
):
    old_order = make_order(type_code="inquiry")
    v1 = old_order.process
    # Version 2: inquiries can no longer be closed on the spot, and
    # registering is called something else.
    closed_loop_spec["transitions"] = [
        t for t in closed_loop_spec["transitions"] if t["code"] != "answer"
    ]
    closed_loop_spec["states"][0]["name"] = "已登记"
    v2 = load_definition(closed_loop_spec)
    assert v2.version == 2 and active_process(old_order.order_type) == v2

    new_order = make_order(type_code="inquiry")
    assert new_order.process == v2 and new_order.state.name == "已登记"
    assert "answer" not in {t.code for t in available_transitions(new_order, users["agent"])}

    old_order.refresh_from_db()
    assert old_order.process == v1 and old_order.state.name == "已受理"
    assert "answer" in {t.code for t in available_transitions(old_order, users["agent"])}
    closed = take_transition(old_order, "answer", users["agent"], {"reply_note": "物业费2.5元"})
    assert closed.process == v1 and closed.state.code == "archived"
    assert closed.state.definition == v1

    # Running orders stay on their version while yet another one arrives.
    repair = make_order()
    v3 = load_definition(closed_loop_spec)
    order = take_transition(
        repair, "dispatch", users["agent"], {"department": depts["east_eng"].pk}
    )
    assert order.process == v2 and order.state.definition == v2 and v3.is_active


def test_export_then_import_gives_the_same_definition(closed_loop_spec):
    exported = export_definition(active())
    imported = load_definition(json.loads(json.dumps(exported)))
    again = export_definition(imported)
    assert again.pop("version") == 2 and exported.pop("version") == 1
    assert again == exported


def test_export_matches_the_shipped_file(closed_loop_spec):
    exported = export_definition(active())
    assert exported["code"] == closed_loop_spec["code"]
    assert [s["code"] for s in exported["states"]] == [
        s["code"] for s in closed_loop_spec["states"]
    ]
    for shipped, written in zip(
        closed_loop_spec["transitions"], exported["transitions"], strict=True
    ):
        assert {k: written[k] for k in shipped} == shipped


def test_every_preset_file_is_valid():
    files = sorted(PRESET_DIR.glob("*.json"))
    assert files
    for path in files:
        spec = json.loads(path.read_text(encoding="utf-8"))
        validate_spec(spec)
        # Work-order processes name fields and effects that work orders (or
        # the template itself) have.
        own = {f["name"] for f in spec.get("custom_fields", [])}
        for transition in spec["transitions"]:
            assert {f["name"] for f in transition.get("fields", [])} <= set(
                WorkOrder.PROCESS_FIELDS
            ) | own
            assert set(transition.get("effects", [])) <= set(WorkOrder.PROCESS_EFFECTS)


def test_transitions_of_one_version_do_not_leak_into_another(spec):
    first = load_definition(spec)
    second = load_definition(spec)
    assert Transition.objects.filter(definition=first).count() == 2
    begin = second.transitions.get(code="begin")
    assert {s.definition_id for s in begin.sources.all()} == {second.pk}
    assert begin.target.definition_id == second.pk
