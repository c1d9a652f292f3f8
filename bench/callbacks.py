"""The morning's callback generation over the whole benchmark database
(300,000 customers, 1,000,000 orders): every active policy of seed 001 —
yesterday's repairs and archived orders, purchases, walk-in visits, the
SMS to repair users of three days ago, the quarterly SMS and the mail
sample spread over the customer base. Budget: ≤ 10 s. Rolled back, so the
benchmark database is unchanged.

Alone: ``python -m bench.callbacks`` builds a lean database of its own with
just the rows the policies read (a minute instead of the full generator's
six) and measures on it."""

import sys
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone


class _Rollback(Exception):
    pass


def measure_callback_generation(Result):
    from kefu.callbacks import generation
    from kefu.callbacks.models import CallbackTask
    from kefu.customers.models import Customer
    from kefu.workorders.models import WorkOrder

    last = WorkOrder.objects.aggregate(last=Max("created_at"))["last"] or timezone.now()
    day = timezone.localdate(last) + timedelta(days=1)
    now = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    now += timedelta(hours=6, minutes=30)
    customers, orders = Customer.objects.count(), WorkOrder.objects.count()
    results = []
    try:
        with transaction.atomic():
            started = time.perf_counter()
            created = generation.generate(day=day, now=now)
            seconds = time.perf_counter() - started
            total = CallbackTask.objects.count()
            again = time.perf_counter()
            generation.generate(day=day, now=now)
            rerun = time.perf_counter() - again
            raise _Rollback
    except _Rollback:
        pass
    note = ", ".join(f"{code} {n}" for code, n in created.items() if n)
    results.append(
        Result(
            f"Callback generation for a day, {customers:,} customers, {orders:,} orders",
            "s",
            value=seconds,
            budget="value <= 10",
            note=f"{total:,} tasks ({note})",
        )
    )
    results.append(
        Result("Callback generation run again the same day (no new tasks)", "s", value=rerun)
    )
    return results


def _insert(model, columns, rows):
    """Rows straight into the table (executemany), the other columns at their
    model defaults: the ORM would spend minutes building a million objects."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(columns)
    fixed = {
        f.column: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.column not in given
    }
    names = list(columns) + list(fixed)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    tail = tuple(fixed.values())
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(tuple(row) + tail)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def build_lean(customers, orders, days, seed=2026, log=print):
    """The rows the callback policies read, and only those: customers with
    segments, phones and addresses, purchased products, walk-in contacts and
    work orders resolved and archived over ``days`` days."""
    import random

    from kefu.contacts.models import Contact
    from kefu.core.models import OrgUnit
    from kefu.customers.models import Address, Customer, Phone, Product
    from kefu.processes.models import ProcessDefinition
    from kefu.workorders.models import WorkOrder, WorkOrderType

    rng = random.Random(seed)
    started = time.perf_counter()
    hq = OrgUnit.objects.create(name="集团总部", code="hq", kind=OrgUnit.Kind.HEADQUARTERS)
    units = [
        OrgUnit.objects.create(name=f"服务中心{i}", code=f"c{i}", parent=hq).pk for i in range(20)
    ]
    now = timezone.now().replace(microsecond=0)
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB: indexes stay in memory
    with transaction.atomic():
        segments = ["ordinary"] * 60 + ["repair"] * 20 + ["new"] * 12 + ["key"] * 8
        _insert(
            Customer,
            ["unit_id", "name", "segment", "created_at"],
            ((rng.choice(units), f"客户{i}", rng.choice(segments), now) for i in range(customers)),
        )
        first = Customer.objects.order_by("id").values_list("id", flat=True).first()
        ids = range(first, first + customers)
        _insert(
            Phone,
            ["customer_id", "number"],
            ((c, f"+86139{c:08d}") for c in ids if c % 10),
        )
        _insert(
            Address, ["customer_id", "detail"], ((c, f"幸福路{c}号") for c in ids if c % 3 == 0)
        )
        today = timezone.localdate(now)
        _insert(
            Product,
            ["customer_id", "model", "purchase_date"],
            ((c, "K1", today - timedelta(days=rng.randrange(days))) for c in ids if c % 5 < 2),
        )
        log(f"customers: {customers:,} in {time.perf_counter() - started:.0f} s")
        process = ProcessDefinition.objects.filter(code="closed_loop", is_active=True).first()
        states = {s.code: s.pk for s in process.states.all()}
        types = dict(WorkOrderType.objects.values_list("code", "id"))
        kinds = [types["repair"]] * 35 + [types["inquiry"]] * 40 + [types["business"]] * 25

        # In time order, as orders arrive: the date indexes then grow at
        # their end instead of taking a million random inserts.
        offsets = sorted((rng.randrange(days * 86400) for _ in range(orders)), reverse=True)

        def order_rows():
            for n, offset in enumerate(offsets):
                created = now - timedelta(seconds=offset)
                archived = rng.random() < 0.8
                resolved = created + timedelta(hours=rng.randint(1, 48))
                closed = resolved + timedelta(hours=rng.randint(1, 72)) if archived else None
                yield (
                    f"GD{n:010d}", rng.choice(units), rng.choice(kinds), "工单",
                    rng.choice(ids), process.pk,
                    states["archived" if archived else "resolved"], created, created,
                    resolved, closed,
                )  # fmt: skip

        _insert(
            WorkOrder,
            [
                "number",
                "unit_id",
                "order_type_id",
                "title",
                "customer_id",
                "process_id",
                "state_id",
                "created_at",
                "updated_at",
                "resolved_at",
                "closed_at",
            ],  # fmt: skip
            order_rows(),
        )
        _insert(
            Contact,
            ["unit_id", "channel", "customer_id", "occurred_at", "content"],
            (
                (
                    rng.choice(units),
                    "walk_in",
                    rng.choice(ids),
                    now - timedelta(seconds=rng.randrange(days * 86400)),
                    "到店咨询",
                )  # fmt: skip
                for _ in range(orders // 20)
            ),
        )
    log(f"orders: {orders:,} in {time.perf_counter() - started:.0f} s")


def main(argv=None):
    """Standalone: a lean database of its own (var/bench/callbacks-*.sqlite3)
    with only what the policies read, built once."""
    import argparse
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.callbacks")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    var = Path(__file__).resolve().parent.parent / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    path = var / f"callbacks-{args.orders}-{args.customers}.sqlite3"
    os.environ.update({"KEFU_VAR_DIR": str(var), "KEFU_SQLITE_PATH": str(path), "KEFU_DEBUG": "0"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import measure
    from kefu.workorders.models import WorkOrder

    call_command("migrate", verbosity=0)
    if WorkOrder.objects.count() != args.orders:
        build_lean(args.customers, args.orders, args.days)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    for result in measure_callback_generation(measure.Result):
        print(f"{result.name}: {result.value:.2f} {result.unit} {result.budget} — {result.note}")


if __name__ == "__main__":
    main()
