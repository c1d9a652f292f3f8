import json

import pytest

from kefu.processes.presets import PRESET_DIR
from kefu.workorders import services


def simple_spec():
    """A small valid process: new → doing → done."""
    return {
        "code": "simple",
        "name": "简单流程",
        "states": [
            {"code": "new", "name": "新建", "kind": "start"},
            {"code": "doing", "name": "处理中"},
            {"code": "done", "name": "完成", "kind": "end"},
        ],
        "transitions": [
            {"code": "begin", "name": "开始", "from": ["new"], "to": "doing", "roles": ["agent"]},
            {"code": "finish", "name": "完成", "from": ["doing"], "to": "done", "roles": ["agent"]},
        ],
    }


@pytest.fixture
def spec():
    return simple_spec()


@pytest.fixture
def closed_loop_spec():
    return json.loads((PRESET_DIR / "closed_loop.json").read_text(encoding="utf-8"))


@pytest.fixture
def make_order(users, org, customer, order_types):
    """A work order registered by the east agent; ``definition`` puts it on
    another process, at that process's start."""

    def make(type_code="repair", definition=None, **fields):
        fields.setdefault("customer", customer)
        order = services.register_order(
            user=users["agent"],
            unit=org["east"],
            order_type=order_types[type_code],
            title="厨房水管漏水",
            **fields,
        )
        if definition is not None:
            order.process = definition
            order.state = definition.start_state
            order.save()
        return order

    return make
