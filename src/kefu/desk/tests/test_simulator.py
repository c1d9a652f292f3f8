"""The traffic simulator: agreement with Erlang C, and a run through the
CTI service whose records give the simulator's own figures back."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kefu.desk import simulated, simulator
from kefu.telephony import metrics
from kefu.telephony.models import AgentState, AgentStatus, Call
from kefu.workforce import erlang


@pytest.mark.parametrize(
    ("agents", "calls_per_hour", "aht"),
    [(10, 160, 180), (25, 360, 200)],
)
def test_service_level_agrees_with_erlang_c_over_a_long_run(agents, calls_per_hour, aht):
    config = simulator.Config(
        agents=agents,
        calls_per_hour=calls_per_hour,
        aht_seconds=aht,
        patience_seconds=None,
        hours=300,
        target_seconds=20,
        seed=7,
    )
    result = simulator.run(config)
    assert result.offered > 40000
    predicted = erlang.service_level(agents, config.traffic, 20, aht)
    assert abs(result.service_level - predicted) < 0.03
    predicted_asa = erlang.average_speed_of_answer(agents, config.traffic, aht)
    assert result.asa == pytest.approx(predicted_asa, rel=0.25)


def test_impatient_callers_abandon():
    config = simulator.Config(
        agents=5, calls_per_hour=120, aht_seconds=180, patience_seconds=30, hours=50
    )
    result = simulator.run(config)
    assert result.abandoned > 0
    assert result.answered + result.abandoned == result.offered


def test_a_run_through_the_cti_service_records_what_was_simulated(org):
    pbx, queue = simulated.setup(org["east"])
    config = simulator.Config(
        agents=3,
        calls_per_hour=60,
        aht_seconds=120,
        patience_seconds=60,
        hours=1,
        queue=queue.code,
        seed=11,
    )
    start = timezone.now() - timedelta(hours=2)
    result = simulator.run(config, simulator.ServiceSink(pbx, queue), start=start)
    assert Call.objects.count() == result.offered
    summary = metrics.period_summary(
        Call.objects.all(), start, timezone.now(), target_seconds=10, short_abandon_seconds=5
    )
    assert (summary.offered, summary.answered, summary.abandoned) == (
        result.offered,
        result.answered,
        result.abandoned,
    )
    assert summary.short_abandoned == result.short_abandoned
    assert summary.service_level == pytest.approx(result.service_level)
    assert summary.asa == pytest.approx(result.asa)
    states = AgentState.objects.filter(agent__username__startswith="sim")
    assert states.count() == 3
    assert set(states.values_list("status", flat=True)) == {AgentStatus.READY}


def test_simulate_command(org, capsys):
    call_command(
        "simulate", "--agents", "2", "--calls-per-hour", "30", "--hours", "0.5", "--unit", "east"
    )
    output = capsys.readouterr().out
    assert "Erlang C" in output
    assert Call.objects.exists()
    call_command("simulate", "--dry-run", "--hours", "0.5")
