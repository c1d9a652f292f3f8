"""A traffic simulator for load tests and demos.

Calls arrive as a Poisson process, wait first-come first-served for the
longest-idle free agent, talk for an exponential handle time, and hang up
if their (exponential) patience runs out first. The simulation runs on its
own clock; every call becomes the CTI events a PBX would post
(offered, queued, ringing, answered, a hold in some calls, ended with who
hung up), handed to a *sink*: the CTI service in this process, a Kefu
server over HTTP, or nothing at all.

With infinite patience this is the M/M/c queue that Erlang C describes, so
the measured service level must agree with ``kefu.workforce.erlang``."""

import heapq
import itertools
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Config:
    agents: int = 10
    calls_per_hour: float = 160.0
    aht_seconds: float = 180.0
    # Mean patience; None: callers never hang up while waiting.
    patience_seconds: float | None = 120.0
    hours: float = 1.0
    target_seconds: float = 10.0
    short_abandon_seconds: float = 5.0
    wrapup_seconds: float = 0.0
    queue: str = "service"
    seed: int = 2026
    # Call conduct: some answered calls have a hold (exponential length),
    # and a few end with the agent hanging up before the customer.
    hold_share: float = 0.15
    mean_hold_seconds: float = 35.0
    agent_hangup_share: float = 0.05

    @property
    def traffic(self) -> float:
        """Offered load in erlangs."""
        return self.calls_per_hour / 3600 * self.aht_seconds


@dataclass
class Result:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_in_target: int = 0
    events: int = 0
    waits: list = field(default_factory=list)

    @property
    def service_level(self):
        base = self.offered - self.short_abandoned
        return self.answered_in_target / base if base else None

    @property
    def abandon_rate(self):
        return self.abandoned / self.offered if self.offered else None

    @property
    def asa(self):
        return sum(self.waits) / len(self.waits) if self.waits else None


class NullSink:
    """Measures only."""

    def start(self, agents, at):
        pass

    def event(self, payload):
        pass

    def agent_free(self, extension, at):
        pass


def _caller(rng):
    return "13" + "".join(str(rng.randrange(10)) for _ in range(9))


def run(config: Config, sink=None, start: datetime | None = None) -> Result:
    sink = sink or NullSink()
    rng = random.Random(config.seed)
    # Its own stream, so that holds and hang-ups leave the arrivals, handle
    # times and patience (what Erlang C predicts) exactly as they were.
    conduct_rng = random.Random(config.seed + 1)
    start = start or datetime(2026, 1, 5, 9, 0)
    end = config.hours * 3600
    extensions = [f"9{n:03d}" for n in range(1, config.agents + 1)]
    sink.start(extensions, start)

    def stamp(t):
        return (start + timedelta(seconds=t)).isoformat()

    result = Result()
    # Free agents, longest idle first: (idle since, extension).
    free = deque((0.0, ext) for ext in extensions)
    waiting = deque()  # call ids in arrival order
    calls = {}
    heap = []
    sequence = itertools.count()

    def push(t, kind, data):
        heapq.heappush(heap, (t, next(sequence), kind, data))

    def emit(payload):
        result.events += 1
        sink.event(payload)

    def serve(call_id, t):
        _idle, ext = free.popleft()
        call = calls[call_id]
        call["served"] = True
        call["answered"] = t
        wait = t - call["arrived"]
        result.answered += 1
        result.waits.append(wait)
        if wait <= config.target_seconds:
            result.answered_in_target += 1
        emit({"event": "ringing", "call_id": call_id, "extension": ext, "at": stamp(t)})
        emit({"event": "answered", "call_id": call_id, "extension": ext, "at": stamp(t)})
        push(t + rng.expovariate(1 / config.aht_seconds), "hangup", (call_id, ext))

    push(rng.expovariate(config.calls_per_hour / 3600), "arrival", None)
    number = 0
    while heap:
        t, _seq, kind, data = heapq.heappop(heap)
        if kind == "arrival":
            if t >= end:
                continue
            number += 1
            call_id = f"sim-{config.seed}-{number}"
            calls[call_id] = {"arrived": t, "served": False}
            result.offered += 1
            emit(
                {
                    "event": "offered",
                    "call_id": call_id,
                    "caller": _caller(rng),
                    "called": "4008001234",
                    "queue": config.queue,
                    "at": stamp(t),
                }
            )
            emit({"event": "queued", "call_id": call_id, "queue": config.queue, "at": stamp(t)})
            if free:
                serve(call_id, t)
            else:
                waiting.append(call_id)
                if config.patience_seconds:
                    push(t + rng.expovariate(1 / config.patience_seconds), "abandon", call_id)
            push(t + rng.expovariate(config.calls_per_hour / 3600), "arrival", None)
        elif kind == "abandon":
            call = calls[data]
            if call["served"]:
                continue
            waiting.remove(data)
            result.abandoned += 1
            if t - call["arrived"] < config.short_abandon_seconds:
                result.short_abandoned += 1
            emit(
                {
                    "event": "ended",
                    "call_id": data,
                    "cause": "caller_hangup",
                    "hangup_by": "customer",
                    "at": stamp(t),
                }
            )
        elif kind == "hangup":
            call_id, ext = data
            answered = calls[call_id]["answered"]
            if conduct_rng.random() < config.hold_share:
                held = answered + conduct_rng.uniform(0, (t - answered) / 2)
                length = min(conduct_rng.expovariate(1 / config.mean_hold_seconds), t - held)
                emit({"event": "held", "call_id": call_id, "at": stamp(held)})
                emit({"event": "unheld", "call_id": call_id, "at": stamp(held + length)})
            side = "agent" if conduct_rng.random() < config.agent_hangup_share else "customer"
            ended = {"event": "ended", "call_id": call_id, "cause": "normal", "at": stamp(t)}
            emit({**ended, "hangup_by": side})
            push(t + config.wrapup_seconds, "free", ext)
        elif kind == "free":
            sink.agent_free(data, start + timedelta(seconds=t))
            free.append((t, data))
            if waiting:
                serve(waiting.popleft(), t)
    return result


class ServiceSink:
    """Posts every event to the CTI service of this process, as the HTTP
    endpoint would, with simulated agents that log in and go ready again
    after each call."""

    def __init__(self, pbx, queue):
        self.pbx = pbx
        self.queue = queue
        self.agents = {}

    def start(self, extensions, at):
        from kefu.desk import simulated

        self.agents = simulated.agents(self.queue, extensions, at)

    def event(self, payload):
        from kefu.telephony import cti

        cti.receive(self.pbx, cti.parse_event(payload))

    def agent_free(self, extension, at):
        from kefu.telephony import agents

        agent = self.agents[extension]
        agents.change_state(user=agent, agent=agent, status="ready", at=at)


class HttpSink(NullSink):
    """Posts every event to a Kefu server's CTI endpoint."""

    def __init__(self, url):
        import json
        import urllib.request

        self.url = url
        self._json = json
        self._request = urllib.request

    def event(self, payload):
        request = self._request.Request(
            self.url,
            data=self._json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with self._request.urlopen(request, timeout=10) as response:
            response.read()
