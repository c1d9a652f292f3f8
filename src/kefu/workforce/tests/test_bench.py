"""The workforce benchmark keeps working (small and brief here)."""

from bench.measure import Result
from bench.workforce import measure_workforce


def test_workforce_benchmark_runs():
    staffing, roster = measure_workforce(Result, repeat=2, agent_count=20, time_limit=5)
    assert staffing.ok and len(staffing.samples) == 2
    assert roster.value < 30 and "shifts" in roster.note
