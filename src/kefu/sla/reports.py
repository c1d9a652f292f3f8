"""SLA queues and compliance figures, always within what the user may see."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, prefetch_related_objects
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.sla.models import SlaClock
from kefu.workorders.permissions import visibility_q

GROUPS = {
    "unit": ("work_order__unit__name", _("Unit")),
    "department": ("work_order__department__name", _("Department")),
    "type": ("work_order__order_type__name", _("Work-order type")),
    "month": ("month", _("Month")),
}


def visible_clocks(user):
    return SlaClock.objects.filter(visibility_q(user, prefix="work_order__"))


def at_risk(user, *, status=None, metric=None, department=None, now=None):
    """Open clocks that have been warned or breached, the most urgent first."""
    now = now or timezone.now()
    clocks = visible_clocks(user).filter(stopped_at__isnull=True, due_at__isnull=False)
    clocks = clocks.filter(
        Q(breached_at__isnull=False) | Q(warn_at__lte=now) | Q(warned_at__isnull=False)
    )
    if status == "breached":
        clocks = clocks.filter(breached_at__isnull=False)
    elif status == "at_risk":
        clocks = clocks.filter(breached_at__isnull=True)
    if metric:
        clocks = clocks.filter(metric=metric)
    if department:
        clocks = clocks.filter(work_order__department_id=department)
    return clocks.select_related(
        "work_order__order_type",
        "work_order__state",
        "work_order__department",
        "work_order__customer",
        "work_order__assignee",
        "policy",
        "state",
    ).order_by("due_at")


def _day_bounds(date_from: date, date_to: date):
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time(), tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time(), tzinfo=tz),
    )


def compliance(user, *, date_from: date, date_to: date, group_by="month", metric=None):
    """Per group: clocks started in the period that have a verdict (met or
    breached), how many were met, and the compliance rate in percent."""
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    start, end = _day_bounds(date_from, date_to)
    clocks = visible_clocks(user).filter(started_at__gte=start, started_at__lt=end)
    if metric:
        clocks = clocks.filter(metric=metric)
    decided = clocks.filter(Q(breached_at__isnull=False) | Q(stopped_at__isnull=False))
    field = GROUPS[group_by][0]
    if group_by == "month":
        decided = decided.annotate(month=TruncMonth("started_at"))
    rows = (
        decided.values(key=F(field))
        .annotate(
            total=Count("id"),
            breached=Count("id", filter=Q(breached_at__isnull=False)),
        )
        .order_by("key")
    )
    result = []
    for row in rows:
        met = row["total"] - row["breached"]
        label = row["key"]
        if group_by == "month" and label is not None:
            label = f"{timezone.localtime(label) if timezone.is_aware(label) else label:%Y-%m}"
        result.append(
            {
                "label": label if label is not None else "—",
                "total": row["total"],
                "met": met,
                "breached": row["breached"],
                "rate": round(100 * met / row["total"], 1) if row["total"] else None,
            }
        )
    return result


def prefetch_clocks(orders):
    """Load the clocks of a page of orders in one query (for the ``sla_cell`` tag)."""
    prefetch_related_objects(
        list(orders),
        Prefetch(
            "sla_clocks",
            queryset=SlaClock.objects.select_related("policy", "state").order_by(
                "metric", "started_at"
            ),
            to_attr="sla_clock_list",
        ),
    )
