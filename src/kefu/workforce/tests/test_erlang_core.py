"""Erlang B/C core against textbook values.

References: Erlang B table values B(10 lines, 10 E) = 0.2146 and
B(20, 15 E) = 0.0456 (e.g. the traffic tables in ITU-T E.800-series
handbooks, "Teletraffic Engineering Handbook", ITU-D SG2, 2005, table in
ch. 4); Erlang C for A = 10 E, N = 11: P(wait) = 0.6821 (same handbook, ch. 12).
"""

import math

import pytest

from kefu.workforce import erlang


def test_erlang_b_table_values():
    assert erlang.erlang_b(10, 10) == pytest.approx(0.2146, abs=1e-4)
    assert erlang.erlang_b(20, 15) == pytest.approx(0.0456, abs=1e-4)


def test_erlang_c_reference_value():
    assert erlang.erlang_c(11, 10) == pytest.approx(0.6821, abs=1e-4)


def test_unstable_queue_always_waits():
    assert erlang.erlang_c(10, 10) == 1.0
    assert erlang.service_level(10, 12, 20, 180) == 0.0
    assert math.isinf(erlang.average_speed_of_answer(9, 10, 180))


def test_large_loads_do_not_overflow():
    level = erlang.service_level(5200, 5000, 20, 180)
    assert 0.99 < level <= 1.0


def test_asa_matches_definition():
    # ASA = C * AHT / (N - A)
    c = erlang.erlang_c(11, 10)
    assert erlang.average_speed_of_answer(11, 10, 180) == pytest.approx(c * 180)
