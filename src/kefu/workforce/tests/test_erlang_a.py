"""Erlang A and inverse staffing against independent computations.

Sources:
- C. Palm (1946), "Methods of judging the annoyance caused by congestion";
  the M/M/n+M model (Erlang A).
- O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with
  impatient customers", Manufacturing & Service Operations Management 4(3),
  208–227: the birth–death chain with rates λ and min(k, n)μ + (k − n)⁺θ,
  P(Ab) = θ·E[Q]/λ, and the two limits used below: θ → 0 gives Erlang C;
  θ = μ makes the number in system Poisson(λ/μ) (an M/M/∞ count), so
  P(wait) = P(Poisson(A) ≥ n) exactly.
- A. Mandelbaum, S. Zeltyn (2007), "Service engineering in action: the
  Palm/Erlang-A queue, with applications to call centers": the virtual wait
  density used by the module for the service level.
- Teletraffic Engineering Handbook (ITU-D SG2 / V. B. Iversen, 2005), ch. 12:
  Erlang C, P(wait) for A = 10 E, n = 11 is 0.6821.

The reference implementation here is written differently from the module's:
it solves the truncated chain's balance equations πQ = 0 as a linear system
with numpy, and computes the service level by uniformising the tagged
caller's own Markov chain (its place in the queue, with its own patience)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce import erlang


def _chain(n, a, theta, size):
    """Stationary distribution of the truncated M/M/n+M chain (μ = 1)."""
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = a
        if k > 0:
            q[k, k - 1] = min(k, n) + max(k - n, 0) * theta
        q[k, k] = -q[k].sum()
    # Replace one balance equation by the normalisation Σπ = 1.
    system = np.vstack([q.T[:-1], np.ones(size)])
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.linalg.solve(system, rhs)


def _reference(n, a, target_seconds, aht, patience, size=400):
    theta = aht / patience
    pi = _chain(n, a, theta, size)
    waiting = pi[n:]
    wait = waiting.sum()
    mean_queue = sum(j * p for j, p in enumerate(waiting))
    # Tagged caller finding j waiting ahead: its place m moves on at rate
    # n + mθ; it hangs up itself at rate θ. Uniformise at rate Λ.
    t = target_seconds / aht
    places = len(waiting)
    rate = n + (places + 1) * theta
    step = np.zeros((places + 2, places + 2))  # states: places…, served, gone
    served, gone = places, places + 1
    for m in range(places):
        forward = (n + m * theta) / rate
        step[m, m - 1 if m else served] = forward
        step[m, gone] = theta / rate
        step[m, m] = 1 - forward - theta / rate
    step[served, served] = step[gone, gone] = 1.0
    state = np.zeros(places + 2)
    state[:places] = waiting
    answered_waiting = 0.0
    poisson = math.exp(-rate * t)
    k = 0
    while k < 20 or poisson > 1e-16 or k < rate * t:
        answered_waiting += poisson * state[served]
        state = state @ step
        k += 1
        poisson *= rate * t / k
    return {
        "wait": wait,
        "abandon": theta * mean_queue / a,
        "level": 1 - wait + answered_waiting,
        "asa": mean_queue / a * aht,
    }


CASES = [
    # servers, erlangs, target s, AHT s, patience s
    (11, 10, 20, 180, 180),
    (11, 10, 10, 180, 600),
    (8, 10, 10, 180, 60),  # overloaded: stable only thanks to abandonment
    (50, 48, 10, 240, 300),
    (3, 1.2, 30, 300, 90),
]


@pytest.mark.parametrize("n,a,target,aht,patience", CASES)
def test_erlang_a_matches_the_solved_chain(n, a, target, aht, patience):
    got = erlang.erlang_a(n, a, target, aht, patience)
    want = _reference(n, a, target, aht, patience)
    assert got.wait_probability == pytest.approx(want["wait"], abs=1e-9)
    assert got.abandon_probability == pytest.approx(want["abandon"], abs=1e-9)
    assert got.asa_seconds == pytest.approx(want["asa"], rel=1e-7)
    assert got.service_level == pytest.approx(want["level"], abs=1e-7)


def test_patience_equal_to_handle_time_gives_a_poisson_count():
    a, n = 10.0, 10
    poisson_below = sum(math.exp(-a) * a**k / math.factorial(k) for k in range(n))
    result = erlang.erlang_a(n, a, 20, 180, 180)
    assert result.wait_probability == pytest.approx(1 - poisson_below, abs=1e-12)


def test_endless_patience_is_erlang_c():
    result = erlang.erlang_a(11, 10, 20, 180, 1e12)
    assert result.wait_probability == pytest.approx(0.6821, abs=1e-4)
    assert result.service_level == pytest.approx(erlang.service_level(11, 10, 20, 180), abs=1e-6)
    assert result.asa_seconds == pytest.approx(
        erlang.average_speed_of_answer(11, 10, 180), rel=1e-5
    )


def test_large_loads_stay_finite_and_ordered():
    under = erlang.erlang_a(4900, 5000, 20, 180, 120)
    even = erlang.erlang_a(5000, 5000, 20, 180, 120)
    over = erlang.erlang_a(5100, 5000, 20, 180, 120)
    for result in (under, even, over):
        assert all(math.isfinite(v) for v in vars(result).values())
        assert 0 <= result.service_level <= 1 and 0 <= result.abandon_probability <= 1
    assert under.service_level < even.service_level < over.service_level
    assert under.abandon_probability > even.abandon_probability > over.abandon_probability
    # With too few agents, at least the missing capacity must hang up.
    assert under.abandon_probability >= (5000 - 4900) / 5000 * 0.99


def test_erlang_c_for_thousands_of_erlangs():
    staffing = erlang.required_agents(8000, 180, 10, 0.9)
    assert 8000 < staffing.agents < 8200
    assert erlang.service_level(staffing.agents, 8000, 10, 180) >= 0.9
    assert erlang.service_level(staffing.agents - 1, 8000, 10, 180) < 0.9


def test_virtual_wait_integral_matches_the_tail_sum():
    # GMR: Σ_j Π_{i≤j} λ/(n + iθ) = n ∫_0^∞ exp(λ(1 − e^{−θx})/θ − nx) dx.
    n, a, theta = 12, 10.0, 0.5
    terms, product = [1.0], 1.0
    for i in range(1, 400):
        product *= a / (n + i * theta)
        terms.append(product)
    x = np.linspace(0, 60, 600_001)
    integrand = np.exp(a * (1 - np.exp(-theta * x)) / theta - n * x)
    integral = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(x)))
    assert sum(terms) == pytest.approx(n * integral, rel=1e-6)


def _level(n, patience):
    if patience is None:
        return erlang.service_level(n, 10, 10, 180)
    return erlang.erlang_a(n, 10, 10, 180, patience).service_level


@pytest.mark.parametrize("patience", [None, 120])
def test_required_agents_is_the_fewest(patience):
    staffing = erlang.required_agents(10, 180, 10, 0.9, shrinkage=0.3, patience_seconds=patience)
    assert _level(staffing.agents, patience) >= 0.9 > _level(staffing.agents - 1, patience)
    assert staffing.scheduled == math.ceil(staffing.agents / 0.7)


def test_maximum_occupancy_adds_agents():
    relaxed = erlang.required_agents(100, 180, 60, 0.5)
    capped = erlang.required_agents(100, 180, 60, 0.5, max_occupancy=0.85)
    assert capped.agents == math.ceil(100 / 0.85) > relaxed.agents


def test_malformed_inputs_are_refused():
    with pytest.raises(ValueError):
        erlang.erlang_a(0, 5, 10, 180, 60)
    with pytest.raises(ValueError):
        erlang.erlang_a(5, 5, 10, 180, 0)
    with pytest.raises(ValueError):
        erlang.required_agents(5, 180, 10, 1.5)
    with pytest.raises(ValueError):
        erlang.required_agents(5, 180, 10, 0.8, shrinkage=1)


def test_vectorised_staffing_equals_the_scalar_one():
    rng = np.random.default_rng(7)
    traffic = rng.uniform(0, 80, 300)
    traffic[:5] = 0
    many = erlang.required_agents_many(traffic, 200, 10, 0.9, max_occupancy=0.9)
    single = [erlang.required_agents(a, 200, 10, 0.9, max_occupancy=0.9).agents for a in traffic]
    assert many.tolist() == single


@settings(max_examples=60, deadline=None)
@given(
    traffic=st.floats(0.1, 300),
    more=st.floats(0, 50),
    level=st.floats(0.5, 0.95),
    higher=st.floats(0, 0.04),
    patience=st.one_of(st.none(), st.floats(20, 900)),
)
def test_inverse_staffing_is_monotonic(traffic, more, level, higher, patience):
    base = erlang.required_agents(traffic, 180, 15, level, patience_seconds=patience)
    busier = erlang.required_agents(traffic + more, 180, 15, level, patience_seconds=patience)
    stricter = erlang.required_agents(traffic, 180, 15, level + higher, patience_seconds=patience)
    assert busier.agents >= base.agents
    assert stricter.agents >= base.agents
    if patience is not None:
        # Callers who hang up relieve the queue: never more agents than Erlang C.
        assert base.agents <= erlang.required_agents(traffic, 180, 15, level).agents
