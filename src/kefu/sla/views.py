from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.spreadsheets import xlsx_response
from kefu.sla import reports, services
from kefu.sla.forms import AtRiskFilter, ReplyForm, ReportFilter
from kefu.sla.models import RectificationNotice
from kefu.workorders.permissions import visibility_q


def _require_supervising_or_handler(user):
    if not (user.is_supervising or user.is_handler):
        raise PermissionDenied(_("This page is for supervisors and departments."))


@login_required
def at_risk(request):
    _require_supervising_or_handler(request.user)
    form = AtRiskFilter(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    department = filters.get("department")
    clocks = reports.at_risk(
        request.user,
        status=filters.get("status"),
        metric=filters.get("metric"),
        department=department.pk if department else None,
    )[:500]
    return render(
        request, "sla/at_risk.html", {"form": form, "clocks": clocks, "now": timezone.now()}
    )


@login_required
def report(request):
    if not request.user.is_supervising:
        raise PermissionDenied(_("This report is for supervisors and managers."))
    form = ReportFilter(request.GET or ReportFilter.initial_values())
    rows = []
    if form.is_valid():
        rows = reports.compliance(request.user, **form.cleaned_data)
        if request.GET.get("format") == "xlsx":
            group_label = str(reports.GROUPS[form.cleaned_data["group_by"]][1])
            return xlsx_response(
                f"sla-{form.cleaned_data['date_from']}-{form.cleaned_data['date_to']}.xlsx",
                _("SLA compliance"),
                [group_label, _("Decided"), _("Met"), _("Breached"), _("Compliance %")],
                [(r["label"], r["total"], r["met"], r["breached"], r["rate"]) for r in rows],
            )
    chart = {
        "labels": [str(r["label"]) for r in rows],
        "met": [r["met"] for r in rows],
        "breached": [r["breached"] for r in rows],
        "rate": [r["rate"] for r in rows],
    }
    group_by = form.cleaned_data["group_by"] if form.is_valid() else "month"
    context = {
        "form": form,
        "rows": rows,
        "chart": chart,
        "group_label": reports.GROUPS[group_by][1],
    }
    return render(request, "sla/report.html", context)


def _visible_notices(user):
    notices = RectificationNotice.objects.select_related("work_order", "department", "replied_by")
    if user.is_handler:
        return notices.filter(department_id=user.department_id)
    return notices.filter(visibility_q(user, prefix="work_order__"))


@login_required
def rectifications(request):
    _require_supervising_or_handler(request.user)
    notices = _visible_notices(request.user)
    if request.GET.get("open") == "1":
        notices = notices.filter(replied_at__isnull=True)
    return render(
        request, "sla/rectifications.html", {"notices": notices[:300], "form": ReplyForm()}
    )


@login_required
def reply(request, pk):
    notice = get_object_or_404(_visible_notices(request.user), pk=pk)
    if request.method != "POST":
        return redirect("sla:rectifications")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_to_rectification(
                notice, user=request.user, reply=form.cleaned_data["reply"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("sla:rectifications")
    notices = _visible_notices(request.user)[:300]
    return render(
        request,
        "sla/rectifications.html",
        {"notices": notices, "form": form, "failed": notice.pk},
        status=400,
    )
