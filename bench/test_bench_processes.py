"""The process benchmark runs on a small generated database and leaves
nothing behind."""

import pytest

from bench import measure
from bench.generate import Volume, generate
from bench.processes import measure_processes
from kefu.processes.models import ProcessDefinition
from kefu.workorders.models import WorkOrder


@pytest.fixture
def generated(db):
    return generate(Volume(orders=200, customers=100, days=10), log=lambda message: None)


def test_process_measurement_runs_and_leaves_nothing(generated):
    orders, definitions = WorkOrder.objects.count(), ProcessDefinition.objects.count()
    action, load = measure_processes(measure.Result, generated.agent, repeat=3)
    assert len(action.samples) == 3 and action.median > 0 and action.ok is not None
    assert len(load.samples) == 3 and "transitions" in load.note
    assert WorkOrder.objects.count() == orders
    assert ProcessDefinition.objects.count() == definitions
