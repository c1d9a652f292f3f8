"""The call center under load: CTI events per second and the routing
decision's latency, with 500 agents in 50 queues.

Events come from the traffic simulator (an hour of Poisson calls on 500
agents), posted one by one to the CTI endpoint through Django's full
request stack (``/api/cti/<token>/``, JSON, one transaction each); routing
requests ask ``/api/cti/<token>/route/`` for new calls while agents of
every queue are ready. Everything is rolled back afterwards, so it runs on
the main benchmark database too (``bench.run``), or alone on a fresh one:

    python -m bench.telephony            # SQLite in var/bench/
    DATABASE_URL=postgres://… python -m bench.telephony
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

AGENTS = 500
QUEUES = 50
QUEUES_PER_AGENT = 3


class _Rollback(Exception):
    pass


def _world(now):
    from django.contrib.auth import get_user_model

    from kefu.core.calendars import BusinessCalendar
    from kefu.core.models import OrgUnit
    from kefu.telephony.models import AgentState, AgentStatus, Pbx, Queue, QueueMember

    User = get_user_model()
    unit = OrgUnit.objects.filter(parent=None).first() or OrgUnit.objects.create(
        name="基准测试中心", code="bench-cc"
    )
    always = BusinessCalendar.objects.filter(always_open=True).first()
    pbx = Pbx.objects.create(unit=unit, name="bench", token="bench-telephony-token")
    queues = Queue.objects.bulk_create(
        Queue(unit=unit, code=f"bench-q{n:02d}", name=f"队列{n}", calendar=always)
        for n in range(QUEUES)
    )
    users = User.objects.bulk_create(
        User(username=f"bench-agent-{n:03d}", first_name=f"坐席{n}", role="agent", unit=unit)
        for n in range(AGENTS)
    )
    if users[0].pk is None:  # backends that do not return ids from bulk inserts
        users = list(User.objects.filter(username__startswith="bench-agent-").order_by("username"))
    rng = random.Random(5)
    QueueMember.objects.bulk_create(
        QueueMember(queue=queue, agent=user, skill_level=rng.randint(1, 5))
        for user in users
        for queue in rng.sample(queues, QUEUES_PER_AGENT)
    )
    AgentState.objects.bulk_create(
        AgentState(
            agent=user,
            status=AgentStatus.READY,
            extension=f"7{n:03d}",
            since=now - timedelta(minutes=5),
            idle_since=now - timedelta(seconds=rng.randint(1, 3000)),
        )
        for n, user in enumerate(users)
    )
    return pbx, queues, users


class _Collect:
    def __init__(self):
        self.items = []

    def start(self, extensions, at):
        pass

    def event(self, payload):
        self.items.append(("event", payload))

    def agent_free(self, extension, at):
        self.items.append(("free", (extension, at)))


def measure_telephony(Result, events=3000, routes=500):
    from django.test import Client
    from django.utils import timezone

    from kefu.desk import simulator
    from kefu.telephony import agents
    from kefu.telephony.models import AgentState, AgentStatus
    from kefu.telephony.services import forget_pbx_tokens

    results = []
    now = timezone.now()
    client = Client()
    try:
        from django.db import transaction

        with transaction.atomic():
            pbx, queues, users = _world(now)
            forget_pbx_tokens()
            by_extension = {
                s.extension: s.agent for s in AgentState.objects.select_related("agent")
            }
            # An hour of traffic on the 500 agents (first queue's extensions
            # stand for the simulated agents, so states move too).
            sink = _Collect()
            config = simulator.Config(
                agents=AGENTS,
                calls_per_hour=8000,
                aht_seconds=180,
                patience_seconds=60,
                hours=1,
                queue=queues[0].code,
                seed=3,
            )
            simulator.run(config, sink, start=now - timedelta(hours=2))
            extension_of = {f"9{n:03d}": f"7{n - 1:03d}" for n in range(1, AGENTS + 1)}
            url = f"/api/cti/{pbx.token}/"
            posted = 0
            elapsed = 0.0
            for kind, item in sink.items:
                if posted >= events:
                    break
                if kind == "free":
                    agent = by_extension[extension_of[item[0]]]
                    state = AgentState.objects.get(agent=agent)
                    if state.status == AgentStatus.WRAP_UP:
                        agents.change_state(user=agent, agent=agent, status="ready", at=item[1])
                    continue
                if "extension" in item:
                    item = dict(item, extension=extension_of[item["extension"]])
                started = time.perf_counter()
                response = client.post(url, item, content_type="application/json")
                elapsed += time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(response.content)
                posted += 1
            rate = posted / elapsed
            results.append(
                Result(
                    f"CTI events through /api/cti/, {AGENTS} agents",
                    "events/s",
                    value=rate,
                    budget="value >= 300",
                    note=f"{posted} events of simulated traffic, one request and transaction each",
                )
            )
            route_url = f"/api/cti/{pbx.token}/route/"
            for label, via_http in (("through the request stack", True), ("in process", False)):
                samples = _route_samples(client, route_url, pbx, queues, routes, via_http)
                results.append(
                    Result(
                        f"Routing decision, {AGENTS} agents in {QUEUES} queues, {label}",
                        "ms",
                        samples=samples,
                        budget="median <= 5",
                        note="POST /api/cti/<token>/route/ for an announced call"
                        if via_http
                        else "kefu.telephony.acd.route for an announced call",
                    )
                )
            raise _Rollback
    except _Rollback:
        pass
    return results


def _route_samples(client, url, pbx, queues, routes, via_http):
    from kefu.telephony import acd, cti
    from kefu.telephony.models import AgentState, AgentStatus

    samples = []
    rng = random.Random(9)
    prefix = "http" if via_http else "svc"
    for n in range(routes):
        queue = rng.choice(queues)
        payload = {"call_id": f"bench-{prefix}-{n}", "caller": "13800000000", "queue": queue.code}
        # The PBX announces the call (an event, counted above), then asks.
        cti.receive(pbx, cti.parse_event(dict(payload, event="offered")))
        started = time.perf_counter()
        if via_http:
            answer = client.post(url, payload, content_type="application/json").json()
        else:
            answer = acd.route(pbx, payload)
        samples.append((time.perf_counter() - started) * 1000)
        if answer.get("action") == "agent":
            # Free the agent again, outside the timing, so every decision
            # sees the same 500 ready agents.
            AgentState.objects.filter(extension=answer["extension"]).update(
                status=AgentStatus.READY
            )
    return samples


def main():
    root = Path(__file__).resolve().parent.parent
    var = root / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KEFU_VAR_DIR", str(var))
    os.environ.setdefault("KEFU_DEBUG", "0")
    os.environ.setdefault("KEFU_LOG_LEVEL", "ERROR")
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("KEFU_SQLITE_PATH", str(var / "telephony.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from bench.measure import Result

    for result in measure_telephony(Result):
        value = result.median
        print(
            f"{connection.vendor:10} {result.name:50} {value:10.2f} {result.unit:9}"
            f" budget {result.budget:14} {'ok' if result.ok else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
