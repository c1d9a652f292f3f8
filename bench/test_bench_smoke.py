"""The benchmark code must keep working: generate a small database (in the
test database) and take each kind of measurement once, briefly."""

import random
from collections import Counter

import pytest

from bench import measure
from bench.generate import Volume, generate
from bench.sla import measure_sla_sweep
from kefu.core.models import NumberSequence
from kefu.customers import phones
from kefu.customers.models import Phone
from kefu.workorders.models import WorkOrder


@pytest.fixture
def generated(db):
    return generate(Volume(orders=1000, customers=300, days=30), log=lambda message: None)


def test_generated_data_is_consistent(generated):
    assert WorkOrder.objects.count() == generated.counts["orders"] == 1000
    per_day = Counter(
        number.split("-")[0][2:] for number in WorkOrder.objects.values_list("number", flat=True)
    )
    for sequence in NumberSequence.objects.filter(prefix="GD"):
        assert per_day[f"{sequence.day:%Y%m%d}"] == sequence.last
    states = set(WorkOrder.objects.values_list("state__code", flat=True))
    assert "archived" in states and states - {"archived", "cancelled"}, states
    for number in Phone.objects.values_list("number", flat=True)[:50]:
        assert phones.normalize(phones.display(number)) == number
    assert generated.counts["contacts"] > 400 and generated.counts["timeline_events"] > 100


def test_each_measurement_runs(generated):
    rng = random.Random(1)
    scenarios = measure.list_scenarios(generated.agent, rng)
    [unfiltered] = measure.measure_list(generated.agent, "agent", scenarios[:1], repeat=2)
    assert len(unfiltered.samples) == 2 and unfiltered.median > 0 and unfiltered.ok is not None
    numbers = measure.lookup_numbers(generated.agent, 5, rng)
    service, api = measure.measure_lookup(generated.agent, numbers, repeat=3)
    assert service.median > 0 and api.median > 0


def test_sla_sweep_measurement_runs_and_leaves_nothing(generated):
    from kefu.sla.models import SlaClock

    before = SlaClock.objects.count()
    steady, catch_up = measure_sla_sweep(measure.Result, orders=500)
    assert steady.value > 0 and steady.ok is not None and "breached" in catch_up.note
    assert SlaClock.objects.count() == before


def test_callback_generation_measures_and_rolls_back(generated):
    from bench.callbacks import measure_callback_generation
    from kefu.callbacks.models import CallbackTask

    first, rerun = measure_callback_generation(measure.Result)
    assert first.value > 0 and "tasks" in first.note and rerun.value >= 0
    assert not CallbackTask.objects.exists()


def test_telephony_measurement_runs_and_leaves_nothing(db):
    from bench.telephony import PREFIX, measure_telephony
    from kefu.core.models import TimelineEvent, User
    from kefu.telephony.models import AgentState, Call, CallEvent, Pbx, Queue

    timeline = TimelineEvent.objects.count()
    one_by_one, batches, via_http, in_process = measure_telephony(
        measure.Result, events=40, routes=3, served=False
    )
    assert one_by_one.value > 0 and batches.value > 0
    assert len(via_http.samples) == len(in_process.samples) == 3
    assert not Pbx.objects.filter(token__startswith=PREFIX).exists()
    assert not User.objects.filter(username__startswith=PREFIX).exists()
    assert not Queue.objects.filter(code__startswith=PREFIX).exists()
    assert not (Call.objects.exists() or CallEvent.objects.exists() or AgentState.objects.exists())
    assert TimelineEvent.objects.count() == timeline
