"""The SLA sweep over 100,000 open orders with running clocks.

Clocks are written in bulk for 100,000 orders with deadlines spread over
the next five days (an hour's worth already past), then two sweeps are
timed: one a minute after the previous run (the worker's steady state) and
one after an hour's downtime (catch-up). Everything is rolled back, so the
benchmark database is unchanged."""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kefu.sla.models import SlaClock, SlaPolicy
from kefu.sla.services import sweep
from kefu.workorders.models import WorkOrder

SPREAD = timedelta(days=5)


class _Rollback(Exception):
    pass


def _insert_clocks(orders, now):
    policy = SlaPolicy.objects.get(name="一般工单")
    order_ids = list(
        WorkOrder.objects.exclude(id__in=SlaClock.objects.values("work_order_id"))
        .order_by("-id")
        .values_list("id", flat=True)[:orders]
    )
    step = SPREAD / len(order_ids)
    rows = []
    for i, order_id in enumerate(order_ids):
        due = now - timedelta(hours=1) + step * i
        for metric, minutes in (("first_response", 240), ("resolution", 1440)):
            started = due - timedelta(minutes=minutes)
            rows.append(
                SlaClock(
                    work_order_id=order_id,
                    policy=policy,
                    metric=metric,
                    target_minutes=minutes,
                    started_at=started,
                    running_since=started,
                    due_at=due,
                    warn_at=due - timedelta(minutes=minutes // 5),
                )
            )
    SlaClock.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def measure_sla_sweep(Result, orders=100_000):
    """Two Results: a steady sweep (budget ≤ 2 s) and a catch-up after an hour."""
    results = []
    now = timezone.now()
    try:
        with transaction.atomic():
            clocks = _insert_clocks(orders, now)
            # Bring everything up to one minute ago, as the last run would have.
            sweep(now=now - timedelta(minutes=1))
            started = time.perf_counter()
            stats = sweep(now=now)
            seconds = time.perf_counter() - started
            results.append(
                Result(
                    f"SLA sweep, {orders:,} open orders, steady minute",
                    "s",
                    value=seconds,
                    budget="value <= 2",
                    note=f"{clocks:,} clocks; {stats}",
                )
            )
            started = time.perf_counter()
            stats = sweep(now=now + timedelta(hours=1))
            seconds = time.perf_counter() - started
            results.append(
                Result(
                    f"SLA sweep, {orders:,} open orders, after 1 h down",
                    "s",
                    value=seconds,
                    note=f"{stats}",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return results
