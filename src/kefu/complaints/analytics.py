"""Complaint statistics (投诉统计): volume, justified rate, the breakdowns,
response and closure times, repeat complainants and the monthly trend, for
the dashboard and its Excel export."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.forms import StyledFormMixin

from .models import Category, Channel, Complaint, Severity

RECURRING_MIN = 3


class PeriodForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self):
        """The chosen days, by default the last twelve months; malformed
        dates fall back to the default rather than failing the page."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("date_to") or today
        start = data.get("date_from") or (end - timedelta(days=365))
        if start > end:
            start, end = end, start
        return start, end


def _bounds(start, end):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time()), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time()), tz),
    )


def in_period(complaints, start, end):
    low, high = _bounds(start, end)
    return complaints.filter(received_at__gte=low, received_at__lt=high)


def _labelled(rows, key, labels=None):
    result = []
    for row in rows:
        value = row[key]
        label = labels.get(value, value) if labels else value
        result.append(
            {"label": str(label or _("(none)")), "count": row["n"], "justified": row["j"]}
        )
    return result


def _group(complaints, field, labels=None):
    rows = (
        complaints.values(field)
        .annotate(n=Count("id"), j=Count("id", filter=Q(justified=True)))
        .order_by("-n", field)
    )
    return _labelled(rows, field, labels)


def _hours(deltas):
    deltas = [d for d in deltas if d is not None]
    if not deltas:
        return None
    return round(sum(d.total_seconds() for d in deltas) / len(deltas) / 3600, 1)


def build(complaints, start, end):
    complaints = in_period(complaints, start, end)
    total = complaints.count()
    judged = complaints.filter(justified__isnull=False)
    justified = judged.filter(justified=True).count()
    times = list(complaints.values_list("received_at", "judged_at", "closed_at"))
    by_month = [
        {"label": row["month"].strftime("%Y-%m"), "count": row["n"], "justified": row["j"]}
        for row in complaints.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("id"), j=Count("id", filter=Q(justified=True)))
        .order_by("month")
    ]
    for previous, row in zip([None, *by_month], by_month, strict=False):
        row["change"] = (
            round((row["count"] - previous["count"]) * 100 / previous["count"], 1)
            if previous and previous["count"]
            else None
        )
    by_category = _group(complaints, "category", dict(Category.choices))
    repeat = (
        complaints.exclude(customer=None)
        .values("customer__name", "customer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("-n")[:20]
    )
    return {
        "total": total,
        "judged": judged.count(),
        "justified": justified,
        "justified_rate": round(justified * 100 / judged.count(), 1) if judged.count() else None,
        "open": complaints.exclude(status=Complaint.Status.CLOSED).count(),
        "first_response_hours": _hours([j - r for r, j, _c in times if j]),
        "closure_hours": _hours([c - r for r, _j, c in times if c]),
        "by_category": by_category,
        "recurring": [row for row in by_category if row["justified"] >= RECURRING_MIN],
        "by_department": _group(complaints, "responsible_department__name"),
        "by_person": [
            r for r in _group(complaints, "responsible_person") if r["label"] != _("(none)")
        ][:15],
        "by_unit": _group(complaints, "unit__name"),
        "by_channel": _group(complaints, "channel", dict(Channel.choices)),
        "by_severity": _group(complaints, "severity", dict(Severity.choices)),
        "by_month": by_month,
        "repeat": [
            {"label": r["customer__name"], "count": r["n"], "id": r["customer_id"]} for r in repeat
        ],
    }


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def sheet(complaints, start, end):
    headers = [
        _("number"),
        _("received at"),
        _("unit"),
        _("complainant"),
        _("channel"),
        _("category"),
        _("severity"),
        _("status"),
        _("justified"),
        _("responsible department"),
        _("responsible person"),
        _("judged at"),
        _("closed at"),
        _("satisfaction"),
        _("root cause"),
    ]
    rows = [
        [
            c.number,
            _local(c.received_at),
            c.unit.name,
            c.complainant_name,
            c.get_channel_display(),
            c.get_category_display(),
            c.get_severity_display(),
            c.get_status_display(),
            "" if c.justified is None else (_("Yes") if c.justified else _("No")),
            c.responsible_department.name if c.responsible_department else "",
            c.responsible_person,
            _local(c.judged_at),
            _local(c.closed_at),
            c.get_satisfaction_display(),
            c.root_cause,
        ]
        for c in in_period(complaints, start, end)
        .select_related("unit", "responsible_department")
        .order_by("received_at", "id")
    ]
    return _("Complaints %(start)s to %(end)s") % {"start": start, "end": end}, headers, rows
