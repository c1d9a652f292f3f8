"""Queueing formulas for staffing (Erlang B and C).

Erlang B is computed with its recurrence B(0) = 1,
B(n) = A·B(n-1) / (n + A·B(n-1)), which never forms a factorial or a power
of A and so stays exact for thousands of erlangs; Erlang C follows from it:
C = N·B / (N − A·(1 − B)).

Units: ``traffic`` in erlangs (calls per second × average handle time in
seconds), times in seconds."""

import math


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


def erlang_c(servers, traffic):
    """Probability that a call waits (Erlang C); 1 when the queue is unstable."""
    if servers <= traffic:
        return 1.0
    blocking = erlang_b(servers, traffic)
    return servers * blocking / (servers - traffic * (1 - blocking))


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
