from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.callbacks import services, supervision
from kefu.callbacks.forms import (
    DistributeForm,
    MonthForm,
    ResultForm,
    SolveForm,
    SpotCheckForm,
    SpotCheckPickForm,
)
from kefu.callbacks.models import CallbackTask, Method, SpotCheck
from kefu.callbacks.quiet import VOICE_METHODS, is_quiet
from kefu.core import scoping, timeline
from kefu.core.models import OrgUnit, User
from kefu.core.spreadsheets import xlsx_response
from kefu.customers import phones

Status = CallbackTask.Status


def _form_errors(form, error):
    for name, errors in error.message_dict.items():
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


@login_required
def my_list(request):
    if not request.user.is_center_staff:
        raise PermissionDenied
    now = timezone.now()
    tasks = services.agent_list(request.user, now=now)
    return render(
        request,
        "callbacks/my_list.html",
        {"tasks": tasks, "now": now, "quiet_now": any(t.quiet for t in tasks)},
    )


def _task(request, pk):
    return get_object_or_404(services.visible_tasks(request.user), pk=pk)


@login_required
def task_detail(request, pk):
    task = _task(request, pk)
    form = ResultForm(request.POST or None)
    solve_form = SolveForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.record_result(task, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Callback recorded."))
            return (
                redirect("callbacks:my_list")
                if task.assignee_id == request.user.pk
                else redirect("callbacks:task", pk=task.pk)
            )
    script = task.policy.script if task.policy and task.policy.script_id else None
    names = {"agent": request.user.display_name, "customer": task.customer.name}
    phone = task.customer.phones.order_by("-is_primary", "id").first()
    return render(
        request,
        "callbacks/task.html",
        {
            "task": task,
            "form": form,
            "solve_form": solve_form,
            "opening": script.opening.format_map(names) if script else "",
            "script": script,
            "phone": phones.mask(phone.number) if phone else "",
            "quiet": task.method in VOICE_METHODS and is_quiet(timezone.now(), task.unit),
            "may_work": not task.is_closed
            and (task.assignee_id == request.user.pk or request.user.is_supervising),
            "events": timeline.events_for(task),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def solve(request, pk):
    task = _task(request, pk)
    form = SolveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.solve_problem(task, user=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Problem marked as solved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("callbacks:task", pk=task.pk)


@login_required
@require_POST
def to_order(request, pk):
    task = _task(request, pk)
    try:
        order = services.problem_to_order(task, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("callbacks:task", pk=task.pk)
    messages.success(request, _("Work order %(number)s registered.") % {"number": order.number})
    return redirect("callbacks:task", pk=task.pk)


def _unit(request):
    """The supervisor's unit, or the one chosen in ``?unit=`` within scope."""
    user = request.user
    if not user.is_supervising:
        raise PermissionDenied(_("This page is for supervisors."))
    units = scoping.scope_by_unit(OrgUnit.objects.all(), user, field="pk").order_by("path")
    chosen = request.GET.get("unit") or request.POST.get("unit")
    if chosen and chosen.isdigit():
        unit = units.filter(pk=chosen).first()
    else:
        unit = user.unit if user.unit_id else units.first()
    if unit is None:
        raise PermissionDenied
    return unit, units


def _month(request):
    form = MonthForm(request.GET or None)
    if form.is_valid():
        return form.cleaned_data["month"], form
    today = timezone.localdate()
    return today.replace(day=1), MonthForm(initial={"month": today.replace(day=1)})


@login_required
def board(request):
    unit, units = _unit(request)
    month, month_form = _month(request)
    tasks = services.visible_tasks(request.user).filter(unit__path__startswith=unit.path)
    form = DistributeForm(request.POST or None, user=request.user)
    distributing = request.method == "POST" and request.POST.get("action") == "distribute"
    if distributing and form.is_valid():
        try:
            given = services.distribute(
                user=request.user, unit=unit, agents=form.cleaned_data["agents"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("%(n)s callbacks distributed.") % {"n": sum(given.values())}
            )
            return redirect(f"{request.path}?unit={unit.pk}")
    if request.method == "POST" and request.POST.get("action") == "collect":
        agent = User.objects.filter(pk=request.POST.get("agent") or 0).first()
        count = services.collect(user=request.user, unit=unit, agent=agent)
        messages.success(request, _("%(n)s callbacks collected.") % {"n": count})
        return redirect(f"{request.path}?unit={unit.pk}")
    open_tasks = tasks.filter(status__in=(Status.OPEN, Status.ASSIGNED))
    lists = {}
    for row in open_tasks.filter(status=Status.ASSIGNED).values(
        "assignee", "assignee__username", "assignee__first_name", "assignee__last_name"
    ):
        entry = lists.setdefault(row["assignee"], {"row": row, "count": 0})
        entry["count"] += 1
    return render(
        request,
        "callbacks/board.html",
        {
            "unit": unit,
            "units": units,
            "form": form,
            "month_form": month_form,
            "unassigned": open_tasks.filter(status=Status.OPEN).count(),
            "overdue": open_tasks.filter(due_at__lt=timezone.now()).count(),
            "pool": open_tasks.filter(status=Status.OPEN)[:50],
            "lists": list(lists.values()),
            "score": supervision.unit_score(unit, month),
            "month": month,
        },
        status=400 if form.errors else 200,
    )


@login_required
def spot_checks(request):
    unit, units = _unit(request)
    month, month_form = _month(request)
    pick_form = SpotCheckPickForm(request.POST or None)
    if request.method == "POST" and pick_form.is_valid():
        try:
            picked = supervision.pick_spot_checks(
                user=request.user, unit=unit, count=pick_form.cleaned_data["count"], month=month
            )
        except ValidationError as error:
            _form_errors(pick_form, error)
        else:
            messages.success(request, _("%(n)s callbacks picked.") % {"n": len(picked)})
            return redirect(request.get_full_path())
    checks = SpotCheck.objects.filter(task__unit__path__startswith=unit.path).select_related(
        "task", "task__customer", "task__executed_by", "checked_by"
    )[:100]
    return render(
        request,
        "callbacks/spot_checks.html",
        {
            "unit": unit,
            "units": units,
            "month": month,
            "month_form": month_form,
            "pick_form": pick_form,
            "checks": checks,
            "outcomes": SpotCheckForm().fields["outcome"].choices,
        },
    )


@login_required
@require_POST
def spot_check_record(request, pk):
    check = get_object_or_404(
        SpotCheck.objects.filter(scoping.unit_q(request.user, "task__unit")), pk=pk
    )
    form = SpotCheckForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        supervision.record_spot_check(check, user=request.user, **form.cleaned_data)
        messages.success(request, _("Spot check recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(request.META.get("HTTP_REFERER") or "callbacks:spot_checks")


@login_required
def scores(request):
    if not request.user.is_supervising:
        raise PermissionDenied
    month, month_form = _month(request)
    rows = supervision.monthly_scores(request.user, month)
    if request.GET.get("format") == "xlsx":
        pct = lambda v: None if v is None else round(100 * v, 1)  # noqa: E731
        return xlsx_response(
            f"callback-scores-{month:%Y-%m}.xlsx",
            _("Callback scores"),
            [
                _("Unit"),
                _("Completeness %"),
                _("Ratio compliance %"),
                _("Timeliness %"),
                _("Spot checks confirmed %"),
                _("Score"),
            ],  # fmt: skip
            [
                (
                    r.unit.name,
                    pct(r.completeness),
                    pct(r.compliance),
                    pct(r.timeliness),
                    pct(r.spot_check),
                    r.score,
                )  # fmt: skip
                for r in rows
            ],
        )
    return render(
        request,
        "callbacks/scores.html",
        {"rows": rows, "month": month, "month_form": month_form},
    )


@login_required
def evaluation(request):
    unit, units = _unit(request)
    month, month_form = _month(request)
    report = supervision.evaluation(request.user, unit, month)
    return render(
        request,
        "callbacks/evaluation.html",
        {"report": report, "units": units, "unit": unit, "month_form": month_form},
    )


@login_required
def letters(request):
    """Printable letters and address labels for the mail callbacks."""
    unit, units = _unit(request)
    tasks = (
        services.visible_tasks(request.user)
        .filter(
            unit__path__startswith=unit.path,
            method=Method.MAIL,
            status__in=(Status.OPEN, Status.ASSIGNED),
        )
        .prefetch_related("customer__addresses")[:200]
    )
    return render(request, "callbacks/letters.html", {"tasks": tasks, "unit": unit})
