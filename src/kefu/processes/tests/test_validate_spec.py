import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kefu.processes.presets import validate_spec


def refused(spec):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        validate_spec(spec)
    return " | ".join(err.value.messages)


def test_a_sound_definition_passes(spec, closed_loop_spec):
    validate_spec(spec)
    validate_spec(closed_loop_spec)


@pytest.mark.parametrize("key", ["code", "name", "states", "transitions"])
def test_the_main_keys_are_required(spec, key):
    del spec[key]
    assert f"needs “{key}”" in refused(spec)


def test_no_start_state(spec):
    spec["states"][0]["kind"] = "active"
    assert "exactly one start state" in refused(spec)


def test_two_start_states(spec):
    spec["states"][1]["kind"] = "start"
    assert "exactly one start state" in refused(spec)


def test_no_end_state(spec):
    spec["states"][2]["kind"] = "active"
    assert "at least one end state" in refused(spec)


@pytest.mark.parametrize("where", ["from", "to"])
def test_unknown_state(spec, where):
    transition = spec["transitions"][0]
    transition[where] = ["nowhere"] if where == "from" else "nowhere"
    assert "Transition “begin” refers to an unknown state “nowhere”" in refused(spec)


def test_unreachable_state(spec):
    spec["states"].append({"code": "limbo", "name": "悬空", "kind": "end"})
    assert "State “limbo” cannot be reached from the start" in refused(spec)


def test_dead_end(spec):
    spec["states"].append({"code": "stuck", "name": "卡住"})
    spec["transitions"].append(
        {"code": "park", "name": "搁置", "from": ["doing"], "to": "stuck", "roles": ["agent"]}
    )
    assert "State “stuck” is not an end state but has no way out" in refused(spec)


def test_a_loop_without_exit_is_a_dead_end_too(spec):
    spec["states"] += [{"code": "a", "name": "甲"}, {"code": "b", "name": "乙"}]
    spec["transitions"] += [
        {"code": "to_a", "name": "去甲", "from": ["doing"], "to": "a", "roles": ["agent"]},
        {"code": "to_b", "name": "去乙", "from": ["a"], "to": "b", "roles": ["agent"]},
        {"code": "back", "name": "回甲", "from": ["b"], "to": "a", "roles": ["agent"]},
    ]
    message = refused(spec)
    assert "No way leads from state “a” to an end state" in message
    assert "No way leads from state “b” to an end state" in message
    assert "“doing”" not in message


def test_a_state_that_only_loops_onto_itself_is_refused(spec):
    spec["transitions"][1]["from"] = ["new"]
    spec["transitions"].append(
        {"code": "again", "name": "再来", "from": ["doing"], "to": "doing", "roles": ["agent"]}
    )
    assert "No way leads from state “doing” to an end state" in refused(spec)


def test_duplicate_state_codes(spec):
    spec["states"].append({"code": "doing", "name": "又一个", "kind": "end"})
    assert "State codes must be unique" in refused(spec)


def test_duplicate_transition_codes(spec):
    spec["transitions"][1]["code"] = "begin"
    assert "Transition codes must be unique" in refused(spec)


@pytest.mark.parametrize("roles", [[], None])
def test_transition_without_roles(spec, roles):
    spec["transitions"][0]["roles"] = roles
    assert "Transition “begin” allows no role" in refused(spec)


def test_transition_with_an_unknown_role(spec):
    spec["transitions"][0]["roles"] = ["agent", "agnet"]
    assert "Transition “begin” names an unknown role “agnet”" in refused(spec)


def test_transition_without_source(spec):
    spec["transitions"][0]["from"] = []
    assert "Transition “begin” has no source state" in refused(spec)


def test_unknown_state_kind(spec):
    spec["states"][1]["kind"] = "finished"
    assert "State “doing” has an unknown kind “finished”" in refused(spec)


@pytest.mark.parametrize(
    "broken",
    [
        lambda s: s["states"][1].pop("code"),
        lambda s: s["states"][1].pop("name"),
        lambda s: s["transitions"][0].pop("code"),
        lambda s: s["states"].append("doing"),
    ],
)
def test_malformed_entries_are_refused_not_crashing(spec, broken):
    broken(spec)
    assert "Every state and transition needs a code and a name" in refused(spec)


def test_all_problems_are_reported_at_once(spec):
    spec["states"][2]["kind"] = "active"
    spec["transitions"][0]["roles"] = []
    message = refused(spec)
    assert "at least one end state" in message and "allows no role" in message


def test_messages_are_chinese_by_default(spec):
    del spec["states"][0]["kind"]
    with pytest.raises(ValidationError) as err:
        validate_spec(spec)
    assert re.search(r"[\u4e00-\u9fff]", err.value.messages[0]), err.value.messages
