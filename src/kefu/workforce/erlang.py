"""Queueing formulas for staffing: Erlang B, Erlang C and Erlang A.

Erlang B is computed with its recurrence B(0) = 1,
B(n) = A·B(n-1) / (n + A·B(n-1)), which never forms a factorial or a power
of A and so stays exact for thousands of erlangs; Erlang C follows from it:
C = N·B / (N − A·(1 − B)).

Erlang A (M/M/n+M, Palm 1946; Garnett, Mandelbaum and Reiman 2002) adds
customers who hang up after an exponential patience. Its state probabilities
are sums of products of rates; they are summed as logarithms so that neither
factorials nor powers of the load are ever formed. The service level comes
from the density of the virtual waiting time (Mandelbaum and Zeltyn 2007),
integrated numerically.

Units: ``traffic`` in erlangs (calls per second × average handle time in
seconds), times in seconds. Inside the Erlang A functions time is measured
in handle times (μ = 1), so λ equals the traffic."""

import math
from dataclasses import dataclass

import numpy as np


def traffic_intensity(calls, interval_seconds, aht_seconds):
    """Offered load in erlangs of ``calls`` arriving over ``interval_seconds``."""
    if interval_seconds <= 0:
        raise ValueError("interval_seconds must be positive")
    return calls * aht_seconds / interval_seconds


def erlang_b(servers, traffic):
    """Blocking probability of ``servers`` lines offered ``traffic`` erlangs."""
    if servers < 0 or traffic < 0:
        raise ValueError("servers and traffic must not be negative")
    blocking = 1.0
    for n in range(1, int(servers) + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def _c_from_b(servers, traffic, blocking):
    return servers * blocking / (servers - traffic * (1 - blocking))


def erlang_c(servers, traffic):
    """Probability that a call waits (Erlang C); 1 when the queue is unstable."""
    if servers <= traffic:
        return 1.0
    return _c_from_b(servers, traffic, erlang_b(servers, traffic))


def service_level(servers, traffic, target_seconds, aht_seconds):
    """Share of calls answered within ``target_seconds``."""
    if servers <= traffic:
        return 0.0
    waiting = erlang_c(servers, traffic)
    return max(0.0, 1 - waiting * math.exp(-(servers - traffic) * target_seconds / aht_seconds))


def average_speed_of_answer(servers, traffic, aht_seconds):
    """Mean wait over all calls (ASA), in seconds; infinite when unstable."""
    if servers <= traffic:
        return math.inf
    return erlang_c(servers, traffic) * aht_seconds / (servers - traffic)


def occupancy(servers, traffic):
    """Share of the agents' time spent handling calls."""
    if servers <= 0:
        raise ValueError("servers must be positive")
    return min(1.0, traffic / servers)


# --- Erlang A -------------------------------------------------------------


@dataclass(frozen=True)
class ErlangA:
    wait_probability: float
    abandon_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float


def _logaddexp(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


def _log_inverse_erlang_b(servers, traffic):
    """log(1/B(n, A)) = log Σ_{k≤n} π_k/π_n, by 1/B(k) = 1 + (k/A)/B(k−1)."""
    value = 0.0
    log_traffic = math.log(traffic)
    for k in range(1, servers + 1):
        value = _logaddexp(0.0, math.log(k) - log_traffic + value)
    return value


def _log_queue_terms(servers, traffic, theta):
    """log(π_{n+j}/π_n) for j = 0, 1, …: each step multiplies by λ/(n + jθ).
    The terms rise while λ exceeds the departure rate and then fall like a
    Gaussian of width √(λ/θ); the sum stops far beyond both."""
    peak = max(0.0, (traffic - servers) / theta)
    count = int(min(5_000_000, peak + 40 * math.sqrt(traffic / theta + 1) + 200))
    j = np.arange(1, count + 1, dtype=float)
    steps = math.log(traffic) - np.log(servers + j * theta)
    return np.concatenate(([0.0], np.cumsum(steps)))


def _logsumexp(values):
    top = float(np.max(values))
    return top + math.log(float(np.sum(np.exp(values - top))))


def _log_answered_integral(servers, traffic, theta, t):
    """log ∫_0^t exp(A(1 − e^{−θx})/θ − (n + θ)x) dx, the virtual-wait
    density of a caller still waiting, by composite Gauss–Legendre. The
    exponent is concave and changes at most at rate max(A, n + θ), so panels
    of the reciprocal length resolve it."""
    if t <= 0:
        return -math.inf
    scale = 1.0 / max(traffic, servers + theta)
    panels = int(min(4000, max(1, math.ceil(t / scale))))
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, t, panels + 1)
    half = (edges[1:] - edges[:-1]) / 2
    mid = (edges[1:] + edges[:-1]) / 2
    x = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
    w = (half[:, None] * weights[None, :]).ravel()
    exponent = traffic * (-np.expm1(-theta * x)) / theta - (servers + theta) * x
    top = float(np.max(exponent))
    return top + math.log(float(np.sum(w * np.exp(exponent - top))))


def erlang_a(servers, traffic, target_seconds, aht_seconds, patience_seconds):
    """Erlang A measures for ``servers`` agents, ``traffic`` erlangs and
    callers who wait ``patience_seconds`` on average before hanging up.

    ``service_level`` is the share of all callers answered within
    ``target_seconds``; ``asa_seconds`` the mean wait of all callers (those
    who hang up included)."""
    servers = int(servers)
    if servers < 1 or traffic < 0 or aht_seconds <= 0 or patience_seconds <= 0:
        raise ValueError("servers, traffic, handle time and patience must be positive")
    if traffic == 0:
        return ErlangA(0.0, 0.0, 1.0, 0.0, 0.0)
    theta = aht_seconds / patience_seconds
    log_lower = _log_inverse_erlang_b(servers, traffic)
    terms = _log_queue_terms(servers, traffic, theta)
    log_tail = _logsumexp(terms)
    # π_n is in both sums; the states below n add 1/B − 1.
    below = log_lower + math.log1p(-math.exp(-log_lower)) if log_lower > 0 else -math.inf
    log_total = _logaddexp(below, log_tail)
    log_pi_n = -log_total
    wait = math.exp(log_tail - log_total)
    j = np.arange(len(terms), dtype=float)
    log_queue = _logsumexp(np.log(j[1:]) + terms[1:]) + log_pi_n
    mean_queue = math.exp(log_queue)
    abandon = min(1.0, theta * mean_queue / traffic)
    t = target_seconds / aht_seconds
    answered_waiting = math.exp(
        log_pi_n + math.log(servers) + _log_answered_integral(servers, traffic, theta, t)
    )
    level = min(1.0, max(0.0, 1 - wait + answered_waiting))
    return ErlangA(
        wait_probability=wait,
        abandon_probability=abandon,
        service_level=level,
        asa_seconds=mean_queue / traffic * aht_seconds,
        occupancy=min(1.0, traffic * (1 - abandon) / servers),
    )


# --- Inverse: the fewest agents -------------------------------------------


@dataclass(frozen=True)
class Staffing:
    agents: int  # on the phones at once
    scheduled: int  # on the roster, after shrinkage
    service_level: float
    occupancy: float


def scheduled_agents(agents, shrinkage):
    """Agents to roster so that ``agents`` are on the phones after shrinkage."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    return math.ceil(agents / (1 - shrinkage) - 1e-9) if agents else 0


def required_agents(
    traffic,
    aht_seconds,
    target_seconds,
    target_level,
    *,
    max_occupancy=1.0,
    shrinkage=0.0,
    patience_seconds=None,
):
    """The fewest agents whose service level reaches ``target_level`` and
    whose occupancy stays at or under ``max_occupancy``; Erlang A when a
    patience is given, Erlang C otherwise. ``scheduled`` adds shrinkage
    (breaks, meetings, training, absence)."""
    if traffic < 0 or not 0 < target_level < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("traffic must not be negative, levels must be in (0, 1)")
    if traffic == 0:
        return Staffing(0, 0, 1.0, 0.0)
    floor = max(1, math.ceil(traffic / max_occupancy - 1e-9))
    if patience_seconds is None:
        n = max(floor, math.floor(traffic) + 1)
        blocking = erlang_b(n - 1, traffic)
        while True:
            blocking = traffic * blocking / (n + traffic * blocking)
            waiting = _c_from_b(n, traffic, blocking)
            level = 1 - waiting * math.exp(-(n - traffic) * target_seconds / aht_seconds)
            if level >= target_level:
                return Staffing(n, scheduled_agents(n, shrinkage), level, traffic / n)
            n += 1

    def level_at(n):
        return erlang_a(n, traffic, target_seconds, aht_seconds, patience_seconds).service_level

    low, high = floor - 1, floor
    while level_at(high) < target_level:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if level_at(middle) >= target_level:
            high = middle
        else:
            low = middle
    result = erlang_a(high, traffic, target_seconds, aht_seconds, patience_seconds)
    return Staffing(high, scheduled_agents(high, shrinkage), result.service_level, result.occupancy)


def required_agents_many(traffic, aht_seconds, target_seconds, target_level, *, max_occupancy=1.0):
    """Erlang C staffing for many intervals and queues at once (numpy arrays
    or scalars broadcast together): one pass over n updates every interval's
    Erlang B recurrence, so a whole day of every queue costs a few
    milliseconds. Returns the agents on the phones (before shrinkage)."""
    a, aht, t, goal = np.broadcast_arrays(
        np.asarray(traffic, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(target_seconds, dtype=float),
        np.asarray(target_level, dtype=float),
    )
    a = a.ravel()
    aht, t, goal = aht.ravel(), t.ravel(), goal.ravel()
    floor = np.maximum(1, np.ceil(a / max_occupancy - 1e-9))
    result = np.where(a <= 0, 0, -1).astype(int)
    blocking = np.ones_like(a)
    n = 0
    while (result < 0).any():
        n += 1
        blocking = a * blocking / (n + a * blocking)
        stable = n > a
        with np.errstate(divide="ignore", invalid="ignore"):
            waiting = n * blocking / (n - a * (1 - blocking))
            level = np.where(stable, 1 - waiting * np.exp(-(n - a) * t / aht), 0.0)
        reached = (result < 0) & stable & (level >= goal) & (n >= floor)
        result[reached] = n
    return result.reshape(np.shape(np.asarray(traffic)) or ())
