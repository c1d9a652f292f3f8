from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.complaints import actions, analytics, services
from kefu.complaints.forms import CommentForm, ComplaintFilter, RegisterForm, VerifyForm
from kefu.complaints.models import CorrectiveAction, ResolutionPlan
from kefu.core.forms import apply_errors
from kefu.core.paging import paginate
from kefu.core.spreadsheets import xlsx_response
from kefu.core.timeline import events_for
from kefu.sla.reports import prefetch_clocks


def _require_staff(user):
    if not (user.is_center_staff or user.is_handler):
        raise PermissionDenied(_("This page is for service-center staff and departments."))


@login_required
def complaint_list(request):
    _require_staff(request.user)
    form = ComplaintFilter(request.GET or None)
    queryset = services.visible_complaints(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(number__icontains=q) | Q(complainant_name__icontains=q) | Q(content__icontains=q)
            )
        if data["status"] == "open":
            queryset = queryset.exclude(status="closed")
        elif data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["severity"]:
            queryset = queryset.filter(severity=data["severity"])
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
    page = paginate(queryset, request.GET.get("page"))
    prefetch_clocks(page.items)
    return render(request, "complaints/list.html", {"form": form, "page": page})


@login_required
def register(request):
    if not request.user.is_center_staff:
        raise PermissionDenied(_("Only service-center staff register complaints."))
    initial = {}
    if request.GET.get("customer"):
        initial["customer"] = request.GET["customer"]
    form = RegisterForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            complaint = services.register(user=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Complaint %(number)s registered.") % {"number": complaint.number}
            )
            return redirect(complaint)
    return render(request, "complaints/register.html", {"form": form})


def _get(request, pk):
    _require_staff(request.user)
    return get_object_or_404(services.visible_complaints(request.user), pk=pk)


def _detail(request, complaint, open_action=None, bound_form=None, status=200):
    user = request.user
    offered = []
    for action in actions.offered(complaint, user):
        form = bound_form if action.code == open_action else actions.make_form(action, user)
        offered.append({"action": action, "form": form, "open": action.code == open_action})
    plans = complaint.plans.select_related(
        "department", "proposed_by", "decided_by", "manager_approved_by"
    )
    context = {
        "complaint": complaint,
        "offered": offered,
        "plans": plans,
        "may_decide_plans": complaint.status == complaint.Status.HANDLING
        and (user.is_superuser or user.role in services.APPROVER_ROLES),
        "compensations": complaint.compensations.select_related("approved_by"),
        "corrective_actions": complaint.actions.select_related("owner", "verified_by"),
        "events": events_for(complaint).order_by("-at", "-id"),
        "comment_form": CommentForm(),
        "verify_form": VerifyForm(),
        "recurring": analytics.recurring_count(user, complaint),
    }
    return render(request, "complaints/detail.html", context, status=status)


@login_required
def detail(request, pk):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def act(request, pk, code):
    complaint = _get(request, pk)
    action = actions.BY_CODE.get(code)
    if action is None:
        raise Http404
    if not action.offered(complaint, request.user):
        raise PermissionDenied(_("This action is not available to you now."))
    form = actions.make_form(action, request.user, request.POST)
    if form.is_valid():
        try:
            action.run(complaint, request.user, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(complaint)
    return _detail(request, complaint, code, form, status=400)


@login_required
@require_POST
def decide_plan(request, pk, decision):
    _require_staff(request.user)
    plan = get_object_or_404(
        ResolutionPlan.objects.filter(complaint__in=services.visible_complaints(request.user)),
        pk=pk,
    )
    form = CommentForm(request.POST)
    comment = form.data.get("comment", "")
    run = {"approve": services.approve_plan, "reject": services.reject_plan}.get(decision)
    if run is None:
        raise Http404
    try:
        run(plan, user=request.user, comment=comment)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(plan.complaint)


@login_required
@require_POST
def action_step(request, pk, step):
    _require_staff(request.user)
    action = get_object_or_404(
        CorrectiveAction.objects.filter(
            complaint__in=services.visible_complaints(request.user)
        ).select_related("complaint"),
        pk=pk,
    )
    try:
        if step == "done":
            services.complete_action(action, user=request.user)
        elif step == "verify":
            services.verify_action(
                action, user=request.user, verification=request.POST.get("verification", "")
            )
        else:
            raise Http404
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(action.complaint)


@login_required
def analytics_page(request):
    if not request.user.is_supervising:
        raise PermissionDenied(_("Complaint analytics are for supervisors and managers."))
    # The export link carries only the filters the user set; the rest default.
    form = analytics.PeriodForm({**analytics.PeriodForm.initial_values(), **request.GET.dict()})
    report = analytics.build(request.user, **form.cleaned_data) if form.is_valid() else None
    if report and request.GET.get("format") == "xlsx":
        return xlsx_response(
            f"complaints-{form.cleaned_data['date_from']}-{form.cleaned_data['date_to']}.xlsx",
            _("Complaints"),
            *analytics.export_rows(report),
        )
    return render(
        request,
        "complaints/analytics.html",
        {"form": form, "report": report, "chart": analytics.chart_data(report) if report else {}},
    )
