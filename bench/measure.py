"""The measurements: latencies through the real views, services and API
(in this process, with Django's test client), order creation and peak
memory against a real server (``kefu serve`` in a child process)."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from kefu.customers import phones
from kefu.customers.models import Customer, Phone
from kefu.customers.services import lookup_by_phone
from kefu.workorders.models import WorkOrder, WorkOrderType
from kefu.workorders.services import departments_in_scope


@dataclass
class Result:
    name: str
    unit: str  # "ms" or "orders/s" or "MiB"
    samples: list = field(default_factory=list)
    value: float | None = None  # for single numbers (throughput, memory)
    budget: str = ""  # e.g. "p95 <= 50"
    note: str = ""

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples else self.value

    @property
    def p95(self):
        if len(self.samples) < 2:
            return self.median
        return statistics.quantiles(self.samples, n=20, method="inclusive")[-1]

    @property
    def ok(self):
        if not self.budget:
            return None
        stat, op, limit = self.budget.split()
        actual = {"median": self.median, "p95": self.p95, "value": self.value}[stat]
        return actual <= float(limit) if op == "<=" else actual >= float(limit)

    def as_dict(self):
        data = {"name": self.name, "unit": self.unit, "budget": self.budget, "ok": self.ok}
        if self.samples:
            data.update(median=round(self.median, 2), p95=round(self.p95, 2), n=len(self.samples))
        else:
            data["value"] = round(self.value, 2)
        if self.note:
            data["note"] = self.note
        return data


def timed(fn, repeat, warmup=2, max_seconds=30):
    """Milliseconds of ``repeat`` calls (fewer, but at least 5, when they
    take more than ``max_seconds`` in all)."""
    for _ in range(warmup):
        fn()
    samples = []
    deadline = time.perf_counter() + max_seconds
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        if start > deadline and len(samples) >= 5:
            break
    return samples


def list_scenarios(user, rng):
    """Filters a service center uses on the order list, with values from the data."""
    in_scope = WorkOrder.objects.filter(unit__in=_units(user))
    sample = in_scope.order_by("-id").select_related("customer").first()
    department = departments_in_scope(user).filter(work_orders__isnull=False).first()
    return [
        ("unfiltered", {}),
        ("state in progress", {"state": "in_progress"}),
        ("type repair", {"order_type": WorkOrderType.objects.get(code="repair").pk}),
        ("keyword in title", {"q": "漏水"}),
        (
            "keyword customer name",
            {"q": sample.customer.name if sample and sample.customer else "张伟"},
        ),
        ("department", {"department": department.pk if department else ""}),
    ]


def _units(user):
    from kefu.core.scoping import visible_unit_ids

    ids = visible_unit_ids(user)
    return ids if ids is not None else list(user.unit.subtree().values_list("pk", flat=True))


def measure_list(user, label, scenarios, repeat, explain=None):
    client = Client()
    client.force_login(user)
    url = reverse("workorders:list")
    results = []
    for name, params in scenarios:
        target = f"{url}?{urlencode(params)}" if params else url

        def get(target=target):
            response = client.get(target)
            if response.status_code != 200:
                raise RuntimeError(f"GET {target} answered {response.status_code}")

        results.append(
            Result(f"order list, {label}, {name}", "ms", timed(get, repeat), budget="p95 <= 50")
        )
        if explain is not None:
            explain(f"{label}, {name}", lambda target=target: client.get(target))
    return results


def lookup_numbers(user, count, rng):
    """Numbers of customers in ``user``'s scope, written the ways callers' numbers arrive."""
    numbers = list(
        Phone.objects.filter(customer__unit__in=_units(user))
        .order_by("?")
        .values_list("number", flat=True)[:count]
    )
    written = []
    for number in numbers:
        national = phones.display(number)
        written.append(
            rng.choice(
                (
                    number,
                    national,
                    "0086" + number[3:],
                    f"{national[:3]} {national[3:7]} {national[7:]}",
                )
            )
        )
    return written


def measure_lookup(user, numbers, repeat):
    it = iter(numbers * (repeat // len(numbers) + 2))

    def service():
        found = list(lookup_by_phone(next(it), user))
        if not found:
            raise RuntimeError("caller-ID lookup found nobody")

    client = Client()
    client.force_login(user)
    url = reverse("customer-lookup")

    def api():
        response = client.get(url, {"phone": next(it)})
        if response.status_code != 200 or not response.json()["results"]:
            raise RuntimeError(f"lookup API answered {response.status_code}")

    return [
        Result("caller-ID lookup, service", "ms", timed(service, repeat), budget="median <= 5"),
        Result("caller-ID lookup, API", "ms", timed(api, repeat), budget="median <= 5"),
    ]


def explain_printer(out):
    """Print the slowest queries of a request with their query plans."""

    def explain(title, request):
        with CaptureQueriesContext(connection) as queries:
            request()
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        out(f"\n-- {title}: {len(queries.captured_queries)} queries")
        for query in slowest:
            out(f"  {float(query['time']) * 1000:.1f} ms  {query['sql'][:600]}")
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                cursor.execute(prefix + query["sql"])
                for row in cursor.fetchall():
                    out("      " + " ".join(str(c) for c in row))

    return explain


# The real server -----------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``kefu serve`` (uvicorn, one process, no background worker)."""

    def __init__(self, env):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kefu.cli", "serve", "--no-worker", "--port", str(self.port)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server stopped: {self.process.stderr.read().decode()[-2000:]}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start within 60 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def memory_mib(self):
        """(peak, current) resident memory of the server process, from /proc."""
        values = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    values[key] = int(rest.split()[0]) / 1024
        return values["VmHWM"], values["VmRSS"]

    def request(self, method, path, headers, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept": "application/json", **headers}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data


ORDER = {
    "order_type": "repair",
    "title": "厨房水管漏水",
    "channel": "phone",
    "description": "业主来电：厨房水槽下方水管接头漏水，请尽快派人维修。",
    "contact": {"content": "业主来电报修厨房水管漏水。", "caller": "13812345678"},
}


def measure_server(env, agent, numbers, repeat, creations, rng):
    """Over HTTP against ``kefu serve``: the web order list (session cookie),
    the lookup API and sequential order creation through the API (token),
    then the server's peak memory."""
    client = Client()
    client.force_login(agent)
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    token = {"Authorization": f"Token {Token.objects.get_or_create(user=agent)[0].key}"}
    customers = list(
        Customer.objects.filter(unit=agent.unit).order_by("?").values_list("pk", flat=True)[:200]
    )
    results = []
    with Server(env) as server:

        def call(method, path, headers, body=None, expect=200):
            status, data = server.request(method, path, headers, body)
            if status != expect:
                raise RuntimeError(f"{method} {path} answered {status}: {data[:300]!r}")

        list_path = reverse("workorders:list")
        results.append(
            Result(
                "HTTP: order list page, agent",
                "ms",
                timed(lambda: call("GET", list_path, session), repeat),
            )
        )
        lookup = reverse("customer-lookup")
        results.append(
            Result(
                "HTTP: caller-ID lookup API",
                "ms",
                timed(
                    lambda: call(
                        "GET", f"{lookup}?{urlencode({'phone': rng.choice(numbers)})}", token
                    ),
                    repeat,
                ),
            )
        )
        create = reverse("workorder-list")
        picks = iter(customers * (creations // len(customers) + 2))
        post = lambda: call("POST", create, token, {**ORDER, "customer": next(picks)}, expect=201)  # noqa: E731
        samples = timed(post, creations, warmup=3)
        results.append(
            Result(
                "order creation, API (sequential)",
                "orders/s",
                value=1000 * len(samples) / sum(samples),
                budget="value >= 300",
                note=f"{creations} POSTs with a contact each, token auth",
            )
        )
        results.append(Result("HTTP: order creation, API", "ms", samples))
        peak, current = server.memory_mib()
        results.append(
            Result(
                "server peak memory (VmHWM)",
                "MiB",
                value=peak,
                note=f"the uvicorn process after the HTTP requests above; resident now {current:.0f} MiB",
            )
        )
    return results
