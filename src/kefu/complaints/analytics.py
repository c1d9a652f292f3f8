"""Complaint statistics (SPEC §2.4, issue 5 item 6): volume, justified rate,
breakdowns, response and closure times, repeat complainants and the month
trend, for the complaints the user may see."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.complaints.models import Complaint
from kefu.core.forms import StyledFormMixin
from kefu.sla.models import Metric, SlaClock

RECURRING_WINDOW = timedelta(days=90)
TREND_MONTHS = 12


class PeriodForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    @classmethod
    def initial_values(cls):
        today = timezone.localdate()
        return {"date_from": today - timedelta(days=89), "date_to": today}

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(gettext_lazy("The start is after the end."))
        if (
            data.get("date_from")
            and data.get("date_to")
            and (data["date_to"] - data["date_from"]).days > 366 * 3
        ):
            raise forms.ValidationError(gettext_lazy("Choose at most three years."))
        return data


def _bounds(date_from, date_to):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), tz)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz)
    return start, end


def _scoped(user):
    from kefu.complaints.services import visible_complaints

    return visible_complaints(user)


def _group(queryset, field, label_field=None, choices=None):
    rows = (
        queryset.values(field, *([label_field] if label_field else []))
        .annotate(total=Count("id"), n_justified=Count("id", filter=Q(justified=True)))
        .order_by("-total")
    )
    result = []
    for row in rows:
        if label_field:
            label = row[label_field]
        elif choices:
            label = choices.get(row[field], row[field])
        else:
            label = row[field]
        result.append(
            {
                "label": str(label) if label else _("(none)"),
                "total": row["total"],
                "justified": row["n_justified"],
                "rate": _rate(row["n_justified"], row["total"]),
            }
        )
    return result


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else 0


def _hours(pairs):
    spans = [(end - start).total_seconds() / 3600 for start, end in pairs if end and start]
    return round(sum(spans) / len(spans), 1) if spans else None


def build(user, date_from, date_to):
    start, end = _bounds(date_from, date_to)
    queryset = _scoped(user).filter(received_at__gte=start, received_at__lt=end)
    totals = queryset.aggregate(
        total=Count("id"),
        n_justified=Count("id", filter=Q(justified=True)),
        n_unjustified=Count("id", filter=Q(justified=False)),
        closed=Count("id", filter=Q(status=Complaint.Status.CLOSED)),
        severe=Count("id", filter=~Q(severity=Complaint.Severity.ORDINARY)),
    )
    totals["justified"] = totals.pop("n_justified")
    totals["unjustified"] = totals.pop("n_unjustified")
    times = list(queryset.values_list("received_at", "judged_at", "closed_at"))
    totals["justified_rate"] = _rate(
        totals["justified"], totals["justified"] + totals["unjustified"]
    )
    totals["first_response_hours"] = _hours((r, j) for r, j, _c in times)
    totals["closure_hours"] = _hours((r, c) for r, _j, c in times)
    totals.update(_handling_target(queryset))
    return {
        "totals": totals,
        "by_category": _group(queryset, "category", "category__name"),
        "by_department": _group(
            queryset.filter(justified=True),
            "responsible_department",
            "responsible_department__name",
        ),
        "by_person": _group(
            queryset.filter(justified=True).exclude(responsible_person=""), "responsible_person"
        )[:20],
        "by_unit": _group(queryset, "unit", "unit__name"),
        "by_channel": _group(queryset, "channel", choices=dict(Complaint.Channel.choices)),
        "by_severity": _group(queryset, "severity", choices=dict(Complaint.Severity.choices)),
        "repeat": repeat_complainants(queryset),
        "trend": month_trend(user, date_to),
        "recurring": recurring_categories(user, start, end),
    }


def _handling_target(queryset):
    """How many complaints broke their handling promise (the SLA resolution
    clock), finished or still running late."""
    clocks = SlaClock.objects.filter(complaint__in=queryset, metric=Metric.RESOLUTION)
    # The sweep records a breach within a minute; until then the due time tells.
    late = Q(breached_at__isnull=False) | Q(stopped_at__isnull=True, due_at__lt=timezone.now())
    return clocks.aggregate(overdue=Count("complaint", distinct=True, filter=late))


def repeat_complainants(queryset):
    """Customers (or, without a file, names with a phone) who complained more than once."""
    rows = (
        queryset.values("customer", "complainant_name", "complainant_phone")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts = {}
    for row in rows:
        key = ("c", row["customer"]) if row["customer"] else ("p", row["complainant_phone"])
        if key == ("p", ""):
            continue
        name, total = counts.get(key, (row["complainant_name"], 0))
        counts[key] = (name, total + row["total"])
    repeats = [{"label": n, "total": t} for n, t in counts.values() if t > 1]
    return sorted(repeats, key=lambda r: -r["total"])[:20]


def month_trend(user, date_to):
    """Complaints per month over the last twelve months, with the change on the month before."""
    first = date_to.replace(day=1)
    for _i in range(TREND_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start, end = _bounds(first, date_to)
    rows = (
        _scoped(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(total=Count("id"), n_justified=Count("id", filter=Q(justified=True)))
        .order_by("month")
    )
    by_month = {r["month"].strftime("%Y-%m"): r for r in rows}
    trend, previous, month = [], None, first
    for _i in range(TREND_MONTHS):
        key = month.strftime("%Y-%m")
        row = by_month.get(key, {"total": 0, "n_justified": 0})
        change = None if not previous else round(100 * (row["total"] - previous) / previous, 1)
        trend.append(
            {"label": key, "total": row["total"], "justified": row["n_justified"], "change": change}
        )
        previous = row["total"]
        month = (month + timedelta(days=32)).replace(day=1)
    return trend


def recurring_categories(user, start, end):
    """Categories that come back: count in the period against the period before."""
    length = end - start
    queryset = _scoped(user)
    now = dict(
        queryset.filter(received_at__gte=start, received_at__lt=end)
        .values_list("category__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    before = dict(
        queryset.filter(received_at__gte=start - length, received_at__lt=start)
        .values_list("category__name")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        {"label": name, "total": n, "previous": before.get(name, 0)}
        for name, n in now.items()
        if n > 1 and before.get(name, 0) > 0
    ]
    return sorted(rows, key=lambda r: -r["total"])


def recurring_count(user, complaint):
    """Other complaints of the same category in the last 90 days."""
    return (
        _scoped(user)
        .filter(
            category=complaint.category,
            received_at__gte=complaint.received_at - RECURRING_WINDOW,
            received_at__lte=complaint.received_at + RECURRING_WINDOW,
        )
        .exclude(pk=complaint.pk)
        .count()
    )


def chart_data(report):
    return {
        "trend": {
            "labels": [r["label"] for r in report["trend"]],
            "total": [r["total"] for r in report["trend"]],
            "justified": [r["justified"] for r in report["trend"]],
        },
        "category": [{"name": r["label"], "value": r["total"]} for r in report["by_category"]],
        "channel": [{"name": r["label"], "value": r["total"]} for r in report["by_channel"]],
        "department": {
            "labels": [r["label"] for r in report["by_department"]],
            "total": [r["total"] for r in report["by_department"]],
        },
    }


def export_rows(report):
    """One sheet: every breakdown under a heading column."""
    headers = [_("Breakdown"), _("Label"), _("Complaints"), _("Justified"), _("Justified %")]
    rows = []
    t = report["totals"]
    rows.append((_("Total"), "", t["total"], t["justified"], t["justified_rate"]))
    for key, title in (
        ("by_category", _("Category")),
        ("by_department", _("Department")),
        ("by_person", _("Person")),
        ("by_unit", _("Unit")),
        ("by_channel", _("Channel")),
        ("by_severity", _("Severity")),
    ):
        rows += [(title, r["label"], r["total"], r["justified"], r["rate"]) for r in report[key]]
    rows += [(_("Month"), r["label"], r["total"], r["justified"], "") for r in report["trend"]]
    rows += [(_("Repeat complainant"), r["label"], r["total"], "", "") for r in report["repeat"]]
    rows.append((_("Average hours to first response"), "", t["first_response_hours"], "", ""))
    rows.append((_("Average hours to closure"), "", t["closure_hours"], "", ""))
    return headers, rows
