"""The morning's callback generation over the whole benchmark database
(300,000 customers, 1,000,000 orders): every active policy of seed 001 —
yesterday's repairs and archived orders, purchases, walk-in visits, the
SMS to repair users of three days ago, the quarterly SMS and the mail
sample spread over the customer base. Budget: ≤ 10 s. Rolled back, so the
benchmark database is unchanged.

Alone: ``python -m bench.callbacks`` (builds or reuses the benchmark data)."""

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


def main(argv=None):
    from bench import run

    args = run.parse_args(argv if argv is not None else sys.argv[1:])
    run.configure(args)
    from bench import measure
    from bench.generate import Volume

    volume = Volume(orders=args.orders, customers=args.customers, days=args.days)
    run.prepare_database(volume, args.rebuild, log=print)
    for result in measure_callback_generation(measure.Result):
        print(f"{result.name}: {result.value:.2f} {result.unit} {result.budget} — {result.note}")


if __name__ == "__main__":
    main()
