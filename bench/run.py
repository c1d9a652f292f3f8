"""``python -m bench.run`` (``make bench``): build the benchmark database
once (``var/bench/``, reused while complete), measure, check the budgets,
print a table and write ``bench/results/latest.json``.

With ``DATABASE_URL`` set the data goes to that PostgreSQL database instead
(give it a database of its own: an incomplete one is flushed). Missed
budgets are reported, not errors: the exit code is non-zero only when
something fails."""

import argparse
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = Path(__file__).resolve().parent / "results"
MARKER_TABLE = "kefu_bench_meta"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--repeat", type=int, default=40, help="timed requests per latency measurement"
    )
    parser.add_argument("--creations", type=int, default=300, help="orders created through the API")
    parser.add_argument("--rebuild", action="store_true", help="generate the data again")
    parser.add_argument(
        "--explain", action="store_true", help="print the slowest queries and their plans"
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="measure without planner statistics (SQLite: drops them instead of running ANALYZE)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args(argv)


def configure(args):
    """Environment for this process and the server it starts, before Django loads."""
    VAR.mkdir(parents=True, exist_ok=True)
    env = {"KEFU_DEBUG": "0", "KEFU_VAR_DIR": str(VAR), "KEFU_LOG_LEVEL": "ERROR"}
    if not os.environ.get("DATABASE_URL"):
        env["KEFU_SQLITE_PATH"] = str(
            VAR / f"bench-{args.orders}-{args.customers}-{args.days}.sqlite3"
        )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    return env


def read_marker():
    from django.db import connection

    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = 'complete'")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def write_marker(meta):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (key, value) VALUES ('complete', %s)", [json.dumps(meta)]
        )


def analyze(log):
    """Refresh the planner's statistics, as a deployment must do regularly:
    SQLite has none until ANALYZE runs, and without them it sorts a whole
    scope instead of walking the (created) index (docs/benchmarks.md)."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"ANALYZE in {time.monotonic() - started:.1f} s")


def forget_statistics(log):
    """SQLite only: drop the statistics, as on a database never analysed
    (PostgreSQL's autovacuum gathers them anyway)."""
    from django.db import connection

    if (
        connection.vendor != "sqlite"
        or "sqlite_stat1" not in connection.introspection.table_names()
    ):
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")
    log("planner statistics dropped")


def prepare_database(volume, rebuild, log):
    """The database with the data of ``volume``: reused when complete."""
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate

    wanted = {
        "orders": volume.orders,
        "customers": volume.customers,
        "days": volume.days,
        "seed": volume.seed,
    }
    call_command("migrate", verbosity=0)
    marker = read_marker()
    if marker and marker["volume"] == wanted and not rebuild:
        log(
            f"reusing the benchmark data of {marker['generated_at']} ({marker['seconds']:.0f} s to generate)"
        )
        return marker
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    log(f"generating {volume.orders:,} orders and {volume.customers:,} customers…")
    generated = generate(volume, log)
    meta = {
        "volume": wanted,
        "counts": generated.counts,
        "seconds": round(generated.seconds, 1),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "agent": generated.agent.username,
        "manager": generated.manager.username,
    }
    write_marker(meta)
    log(f"generated in {generated.seconds:.0f} s")
    return meta


def machine():
    from django import get_version
    from django.db import connection

    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            return None

    postgres = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
    else:
        try:
            postgres = subprocess.run(
                ["psql", "--version"], capture_output=True, text=True
            ).stdout.strip()
        except OSError:
            postgres = None
    mem = first("/proc/meminfo", "MemTotal")
    return {
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": get_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "database": connection.vendor,
    }


def table(results):
    lines = [f"{'measurement':<52} {'median':>10} {'p95':>10}  {'budget':<14} result"]
    for r in results:
        median = f"{r.median:.1f}" if r.median is not None else ""
        p95 = f"{r.p95:.1f}" if r.samples else ""
        verdict = {True: "ok", False: "MISSED", None: ""}[r.ok]
        budget = (
            r.budget.replace("value ", "").replace("median ", "median ").replace("p95 ", "p95 ")
        )
        lines.append(f"{r.name:<52} {median:>10} {p95:>10}  {budget:<14} {verdict} {r.unit}")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    env = configure(args)
    from django.contrib.auth import get_user_model

    from bench import measure
    from bench.callbacks import measure_callback_generation
    from bench.generate import Volume
    from bench.processes import measure_processes
    from bench.sla import measure_sla_sweep
    from bench.telephony import measure_telephony
    from bench.workforce import measure_workforce

    def log(message):
        print(message, flush=True)

    started = time.monotonic()
    volume = Volume(orders=args.orders, customers=args.customers, days=args.days)
    meta = prepare_database(volume, args.rebuild, log)
    if args.no_analyze:
        forget_statistics(log)
    else:
        analyze(log)
    users = get_user_model().objects.select_related("unit")
    agent, manager = users.get(username=meta["agent"]), users.get(username=meta["manager"])
    rng = random.Random(1)
    explain = measure.explain_printer(log) if args.explain else None
    log("measuring…")
    results = []
    for user, label in ((agent, "agent"), (manager, "HQ manager")):
        results += measure.measure_list(
            user, label, measure.list_scenarios(user, rng), args.repeat, explain
        )
    numbers = measure.lookup_numbers(agent, 200, rng)
    results += measure.measure_lookup(agent, numbers, args.repeat * 5)
    results += measure.measure_server(env, agent, numbers, args.repeat, args.creations, rng)
    results += measure_sla_sweep(measure.Result, orders=min(100_000, args.orders))
    results += measure_processes(measure.Result, agent, args.repeat)
    results += measure_telephony(measure.Result)
    results += measure_callback_generation(measure.Result)
    results += measure_workforce(measure.Result)
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "command": "make bench  # python -m bench.run "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "data": meta,
        "planner_statistics": not args.no_analyze,
        "results": [r.as_dict() for r in results],
        "budgets_missed": [r.name for r in results if r.ok is False],
        "seconds": round(time.monotonic() - started, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    log("\n" + table(results))
    missed = report["budgets_missed"]
    log(f"\n{len(missed)} budget(s) missed" if missed else "\nall budgets met")
    log(f"results written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
