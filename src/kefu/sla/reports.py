"""SLA queues and compliance figures over work orders and complaints,
always within what the user may see."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, Value, prefetch_related_objects
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.core import scoping
from kefu.sla.models import SlaClock
from kefu.workorders.permissions import visibility_q

# Each grouping names the work order's field and the complaint's; a complaint
# has no order type, its clocks form a group of their own.
GROUPS = {
    "unit": (("work_order__unit__name", "complaint__unit__name"), _("Unit")),
    "department": (
        ("work_order__department__name", "complaint__responsible_department__name"),
        _("Department"),
    ),
    "type": (("work_order__order_type__name", None), _("Type")),
    "month": (None, _("Month")),
}


def _group_key(group_by):
    if group_by == "month":
        return TruncMonth("started_at")
    order_field, complaint_field = GROUPS[group_by][0]
    other = F(complaint_field) if complaint_field else Value(gettext("Complaint handling"))
    return Coalesce(order_field, other)


def _complaint_visibility(user):
    # Department staff follow the complaints their department answers for.
    if user.is_handler and not user.is_superuser:
        if user.department_id is None:
            return Q(pk__in=[])
        return Q(complaint__responsible_department_id=user.department_id)
    return scoping.unit_q(user, "complaint__unit")


def visible_clocks(user):
    orders = Q(work_order__isnull=False) & visibility_q(user, prefix="work_order__")
    complaints = Q(complaint__isnull=False) & _complaint_visibility(user)
    return SlaClock.objects.filter(orders | complaints)


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
        clocks = clocks.filter(
            Q(work_order__department_id=department)
            | Q(complaint__responsible_department_id=department)
        )
    return clocks.select_related(
        "work_order__order_type",
        "work_order__state",
        "work_order__department",
        "work_order__customer",
        "work_order__assignee",
        "complaint__responsible_department",
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
    rows = (
        decided.values(key=_group_key(group_by))
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


def prefetch_clocks(subjects):
    """Load the clocks of a page of orders or complaints in one query (for the ``sla_cell`` tag)."""
    prefetch_related_objects(
        list(subjects),
        Prefetch(
            "sla_clocks",
            queryset=SlaClock.objects.select_related("policy", "state").order_by(
                "metric", "started_at"
            ),
            to_attr="sla_clock_list",
        ),
    )
