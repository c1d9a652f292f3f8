"""The call center under load: CTI events per second and the routing
decision's latency, with 500 agents in 50 queues.

Events come from the traffic simulator (an hour of Poisson calls on 500
agents) and are posted to the CTI endpoint through Django's full request
stack: one by one (``/api/cti/<token>/``, one request and committed
transaction each, as a PBX listener that posts as events happen) and in
batches of 100 (``/api/cti/<token>/batch/``, one transaction a batch, as a
listener that buffers). Routing requests ask ``/api/cti/<token>/route/``
(and ``acd.route`` in process) for new calls while agents of every queue
are ready.

The agents, queues and calls are committed, as in a running center, so
that commits cost what they cost and the planner has statistics of them
(they are analysed after they are created); everything the benchmark made
is deleted at the end. It runs on the main benchmark database
(``bench.run``), or alone on a fresh one:

    python -m bench.telephony            # SQLite in var/bench/
    DATABASE_URL=postgres://… python -m bench.telephony
"""

import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

AGENTS = 500
QUEUES = 50
QUEUES_PER_AGENT = 3
BATCH = 100
# Events a second (issue 7): SQLite has one writer; PostgreSQL should do more.
EVENT_BUDGET = {"sqlite": "value >= 300", "postgresql": "value >= 1000"}
PREFIX = "bench-tel-"


def _world(now):
    from django.contrib.auth import get_user_model

    from kefu.core.calendars import BusinessCalendar
    from kefu.core.models import OrgUnit
    from kefu.telephony.models import AgentState, AgentStatus, Pbx, Queue, QueueMember

    User = get_user_model()
    unit = OrgUnit.objects.filter(parent=None).first() or OrgUnit.objects.create(
        name="基准测试中心", code=f"{PREFIX}cc"
    )
    always = BusinessCalendar.objects.filter(always_open=True).first()
    pbx = Pbx.objects.create(unit=unit, name=f"{PREFIX}pbx", token=f"{PREFIX}token")
    queues = Queue.objects.bulk_create(
        Queue(unit=unit, code=f"{PREFIX}q{n:02d}", name=f"队列{n}", calendar=always)
        for n in range(QUEUES)
    )
    if queues[0].pk is None:  # backends that do not return ids from bulk inserts
        queues = list(Queue.objects.filter(code__startswith=PREFIX).order_by("code"))
    users = User.objects.bulk_create(
        User(username=f"{PREFIX}agent-{n:03d}", first_name=f"坐席{n}", role="agent", unit=unit)
        for n in range(AGENTS)
    )
    if users[0].pk is None:
        users = list(User.objects.filter(username__startswith=PREFIX).order_by("username"))
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


def _maintain():
    """Vacuum and analyse the telephony tables, as autovacuum (or ``PRAGMA
    optimize``) keeps them in a running center: the rows the last phase
    (or run) updated and deleted are cleared, and the planner knows the
    new ones. The benchmark machine's PostgreSQL runs without autovacuum,
    where the dead rows of earlier runs made every statement slower."""
    from django.db import connection

    tables = [
        "telephony_agentstate",
        "telephony_queuemember",
        "telephony_queue",
        "telephony_call",
        "telephony_callevent",
        "telephony_agentstatelog",
        "core_user",
        "core_timelineevent",
    ]
    # VACUUM cannot run in a transaction (the test suite's smoke run).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    command = "VACUUM ANALYZE" if vacuum else "ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def _clean_up(pbx):
    """Delete what ``_world`` and the traffic made (also what an
    interrupted run left)."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from kefu.callbacks.models import CallbackTask
    from kefu.core.models import TimelineEvent
    from kefu.telephony.models import AgentState, Call, CallEvent, Queue

    with transaction.atomic():
        users = get_user_model().objects.filter(username__startswith=PREFIX)
        calls = Call.objects.filter(pbx=pbx).values("pk")
        states = AgentState.objects.filter(agent__in=users).values("pk")
        tasks = CallbackTask.objects.filter(
            subject_type=ContentType.objects.get_for_model(Call), subject_id__in=calls
        )
        for model, ids in ((Call, calls), (AgentState, states), (CallbackTask, tasks.values("pk"))):
            TimelineEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=ids
            ).delete()
        tasks.delete()
        CallEvent.objects.filter(pbx=pbx).delete()
        Call.objects.filter(pbx=pbx).delete()
        users.delete()
        Queue.objects.filter(code__startswith=PREFIX).delete()
        pbx.delete()


def _traffic(queue, seed, start, extension_of):
    """The simulator's events for an hour of calls, on the bench agents'
    extensions; ``("free", (extension, at))`` marks an agent done with its
    after-call work."""
    from kefu.desk import simulator

    class Collect:
        def __init__(self):
            self.items = []

        def start(self, extensions, at):
            pass

        def event(self, payload):
            if "extension" in payload:
                payload = dict(payload, extension=extension_of[payload["extension"]])
            self.items.append(("event", payload))

        def agent_free(self, extension, at):
            self.items.append(("free", (extension_of[extension], at)))

    sink = Collect()
    config = simulator.Config(
        agents=AGENTS,
        calls_per_hour=8000,
        aht_seconds=180,
        patience_seconds=60,
        hours=1,
        queue=queue.code,
        seed=seed,
    )
    simulator.run(config, sink, start=start)
    return sink.items


def _free(agent_at, at):
    from kefu.telephony import agents
    from kefu.telephony.models import AgentState, AgentStatus

    if AgentState.objects.get(agent=agent_at).status == AgentStatus.WRAP_UP:
        agents.change_state(user=agent_at, agent=agent_at, status="ready", at=at)


def _post_one_by_one(client, url, items, limit, agent_at):
    posted = 0
    elapsed = 0.0
    for kind, item in items:
        if posted >= limit:
            break
        if kind == "free":
            _free(agent_at[item[0]], item[1])
            continue
        started = time.perf_counter()
        response = client.post(url, item, content_type="application/json")
        elapsed += time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(response.content)
        posted += 1
    return posted, elapsed


def _post_batches(client, url, items, limit, agent_at):
    """Batches of ``BATCH`` events; agents done with a call are set ready
    after the batch their events were in, outside the timing."""
    posted = 0
    elapsed = 0.0
    batch, frees = [], []
    items = iter(items)
    while posted < limit:
        for kind, item in items:
            if kind == "free":
                frees.append(item)
                continue
            batch.append(item)
            if len(batch) == BATCH or posted + len(batch) >= limit:
                break
        if not batch:
            break
        started = time.perf_counter()
        response = client.post(url, batch, content_type="application/json")
        elapsed += time.perf_counter() - started
        answers = response.json() if response.status_code == 200 else None
        if answers is None or any(answer["result"] == "error" for answer in answers):
            raise RuntimeError(response.content)
        posted += len(batch)
        batch = []
        for extension, at in frees:
            _free(agent_at[extension], at)
        frees = []
    return posted, elapsed


class _Answer:
    def __init__(self, status, content):
        self.status_code = status
        self.content = content

    def json(self):
        return json.loads(self.content)


class _ServedClient:
    """The test client's ``post``, over HTTP to ``kefu serve`` (a new
    connection a request, as a PBX script with curl)."""

    def __init__(self, server):
        self.server = server

    def post(self, url, data, content_type=None):
        return _Answer(*self.server.request("POST", url, {}, data))


def measure_telephony(Result, events=3000, routes=500, served=True):
    """``served``: also measure against ``kefu serve`` (uvicorn) over HTTP,
    the path a PBX takes: each request then has its own thread and database
    connection, as Django runs synchronous views under ASGI."""
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from bench.measure import Server
    from kefu.telephony import cti
    from kefu.telephony.models import AgentState, Pbx
    from kefu.telephony.services import forget_pbx_tokens

    results = []
    now = timezone.now()
    client = Client()
    left = Pbx.objects.filter(token=f"{PREFIX}token").first()
    if left is not None:
        _clean_up(left)
    with transaction.atomic():
        pbx, queues, _users = _world(now)
    try:
        forget_pbx_tokens()
        cti.forget_cache()
        agent_at = {s.extension: s.agent for s in AgentState.objects.select_related("agent")}
        extension_of = {f"9{n:03d}": f"7{n - 1:03d}" for n in range(1, AGENTS + 1)}
        base = f"/api/cti/{pbx.token}/"

        def events_through(client, where, seeds):
            for label, post, url, seed in (
                ("one by one", _post_one_by_one, base, seeds[0]),
                (f"in batches of {BATCH}", _post_batches, f"{base}batch/", seeds[1]),
            ):
                # The first queue's extensions stand for the simulated
                # agents, so their states move with the calls.
                items = _traffic(queues[0], seed, now - timedelta(hours=2), extension_of)
                _maintain()
                posted, elapsed = post(client, url, items, events, agent_at)
                results.append(
                    Result(
                        f"CTI events {label}, {where}",
                        "events/s",
                        value=posted / elapsed,
                        budget=EVENT_BUDGET[connection.vendor],
                        note=f"{posted} events of simulated traffic on {AGENTS} agents,"
                        " each request committed",
                    )
                )

        def routing_through(client, where, tag):
            _maintain()
            samples = _route_samples(client, f"{base}route/", pbx, queues, routes, tag)
            results.append(
                Result(
                    f"Routing decision, {where}",
                    "ms",
                    samples=samples,
                    budget="median <= 5",
                    note=f"{AGENTS} agents in {QUEUES} queues, an announced call",
                )
            )

        events_through(client, "request stack", (3, 4))
        routing_through(client, "request stack", "stack")
        routing_through(None, "in process (acd.route)", "svc")
        if served:
            with Server({}) as server:
                http = _ServedClient(server)
                events_through(http, "kefu serve over HTTP", (5, 6))
                routing_through(http, "kefu serve over HTTP", "served")
    finally:
        _clean_up(pbx)
    return results


def _route_samples(client, url, pbx, queues, routes, tag):
    """Routing requests for new calls, through ``client`` (or in process
    without one)."""
    from kefu.telephony import acd, cti
    from kefu.telephony.models import AgentState, AgentStatus

    samples = []
    rng = random.Random(9)
    for n in range(routes):
        queue = rng.choice(queues)
        payload = {"call_id": f"{PREFIX}{tag}-{n}", "caller": "13800000000", "queue": queue.code}
        # The PBX announces the call (an event, counted above), then asks.
        cti.receive(pbx, cti.parse_event(dict(payload, event="offered")))
        started = time.perf_counter()
        if client is not None:
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
