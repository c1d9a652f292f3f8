"""Complaint pages: list, registration, the complaint page with one form per
step, and the analytics dashboard with its Excel export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.decorators import center_staff_required
from kefu.core.forms import apply_errors
from kefu.core.paging import paginate
from kefu.core.spreadsheets import xlsx_response
from kefu.core.timeline import events_for

from . import analytics, services
from .forms import (
    ActionForm,
    CallbackForm,
    DecideForm,
    FilterForm,
    JudgeForm,
    PlanForm,
    RegisterForm,
    ResultForm,
    RootCauseForm,
    VerifyForm,
)
from .models import CorrectiveAction, ResolutionPlan
from .permissions import complaint_staff_required, supervising_required


@complaint_staff_required
def complaint_list(request):
    form = FilterForm(request.GET or None)
    complaints = services.visible_complaints(request.user).select_related(
        "unit", "customer", "responsible_department"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            complaints = complaints.filter(
                Q(number=q) | Q(complainant_name__icontains=q) | Q(content__icontains=q)
            )
        for name in ("status", "severity", "category"):
            if data[name]:
                complaints = complaints.filter(**{name: data[name]})
    page = paginate(complaints, request.GET.get("page"))
    return render(request, "complaints/list.html", {"form": form, "page": page})


@center_staff_required
def complaint_new(request):
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.register(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Complaint %s registered.") % complaint.number)
            return redirect(complaint)
    return render(request, "complaints/new.html", {"form": form})


def _detail_context(request, complaint, **forms):
    user = request.user
    context = {
        "complaint": complaint,
        "plans": complaint.plans.select_related("department", "proposed_by", "decided_by"),
        "actions": complaint.corrective_actions.select_related("owner", "verified_by"),
        "events": events_for(complaint).order_by("-at", "-id"),
        "may_judge": services.may_judge(user),
        "may_approve": services.may_approve(user, complaint),
        "may_analyse": services.may_analyse(user),
        "judge_form": JudgeForm(user=user),
        "plan_form": PlanForm(user=user),
        "decide_form": DecideForm(),
        "result_form": ResultForm(),
        "callback_form": CallbackForm(),
        "root_cause_form": RootCauseForm(initial={"root_cause": complaint.root_cause}),
        "action_form": ActionForm(user=user),
        "verify_form": VerifyForm(),
    }
    context.update(forms)
    return context


@complaint_staff_required
def complaint_detail(request, pk):
    complaint = get_object_or_404(services.visible_complaints(request.user), pk=pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _step(form_class, context_name, call, needs_user=False, target=None):
    """A POST view for one step: bind the form, call the service, show the
    service's errors on the form in the complaint page."""

    @require_POST
    @complaint_staff_required
    def view(request, pk, item=None):
        complaint = get_object_or_404(services.visible_complaints(request.user), pk=pk)
        obj = complaint
        if target is not None:
            obj = get_object_or_404(target.objects.filter(complaint=complaint), pk=item)
        form = (
            form_class(request.POST, user=request.user) if needs_user else form_class(request.POST)
        )
        if form.is_valid():
            try:
                call(obj, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(complaint)
        context = _detail_context(request, complaint, **{context_name: form})
        return render(request, "complaints/detail.html", context, status=400)

    return view


complaint_judge = _step(JudgeForm, "judge_form", services.judge, needs_user=True)
complaint_plan = _step(PlanForm, "plan_form", services.propose_plan, needs_user=True)
complaint_decide = _step(DecideForm, "decide_form", services.decide_plan, target=ResolutionPlan)
complaint_result = _step(ResultForm, "result_form", services.record_result)
complaint_callback = _step(CallbackForm, "callback_form", services.record_callback)
complaint_root_cause = _step(RootCauseForm, "root_cause_form", services.set_root_cause)
complaint_action = _step(ActionForm, "action_form", services.add_corrective_action, needs_user=True)
complaint_verify = _step(VerifyForm, "verify_form", services.verify_action, target=CorrectiveAction)


@supervising_required
def complaint_analytics(request):
    form = analytics.PeriodForm(request.GET or None)
    period = form.period()
    complaints = services.visible_complaints(request.user)
    report = analytics.build(complaints, *period)
    if request.GET.get("format") == "xlsx":
        title, headers, rows = analytics.sheet(complaints, *period)
        return xlsx_response("complaints.xlsx", title, headers, rows)
    return render(
        request, "complaints/analytics.html", {"form": form, "report": report, "period": period}
    )
