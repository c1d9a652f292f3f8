import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kefu.core.models import OrgUnit
from kefu.core.scoping import scope_by_unit
from kefu.telephony.models import Queue

from . import attendance, leave, planning, rosters, training
from .forms import ExamForm, ForecastForm, LeaveForm, ReviewForm, ShiftTemplateForm, next_monday
from .models import (
    EntryExam,
    Forecast,
    LeaveRequest,
    Probation,
    Roster,
    Shift,
    ShiftTemplate,
    TrainingSession,
)
from .permissions import is_planner


def _require_planner(user):
    if not is_planner(user):
        raise PermissionDenied(_("This page is for team leads, supervisors and managers."))


def _run(request, action, success):
    """Call a service; show its validation errors as a message."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    messages.success(request, success)
    return result


def _unit(request):
    code = request.GET.get("unit") or request.POST.get("unit")
    units = scope_by_unit(OrgUnit.objects.all(), request.user, field="pk")
    unit = units.filter(code=code).first() if code else None
    return unit or request.user.unit or units.order_by("path").first()


def _scheduled_per_interval(forecast, intervals):
    """Agents rostered on the forecast's queue working each whole interval."""
    if not forecast.queue_id or not intervals:
        return [None] * len(intervals)
    length = datetime.timedelta(minutes=forecast.interval_minutes)
    shifts = Shift.objects.filter(
        queue_id=forecast.queue_id,
        leave__isnull=True,
        starts_at__lt=intervals[-1].starts_at + length,
        ends_at__gt=intervals[0].starts_at,
    )
    parts = []
    for shift in shifts:
        if shift.break_starts_at:
            parts += [
                (shift.starts_at, shift.break_starts_at),
                (shift.break_ends_at, shift.ends_at),
            ]
        else:
            parts.append((shift.starts_at, shift.ends_at))
    return [
        sum(1 for begin, end in parts if begin <= i.starts_at and i.starts_at + length <= end)
        for i in intervals
    ]


@login_required
def plan(request):
    _require_planner(request.user)
    form = ForecastForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        forecast = _run(
            request,
            lambda: planning.build_forecast(
                user=request.user, unit=_unit(request), default_aht=planning.DEFAULT_AHT, **data
            ),
            _("Forecast built."),
        )
        if forecast:
            return redirect(f"{request.path}?forecast={forecast.pk}")
    forecasts = scope_by_unit(Forecast.objects.select_related("queue"), request.user)[:20]
    selected = None
    if request.GET.get("forecast", "").isdigit():
        selected = get_object_or_404(
            scope_by_unit(Forecast.objects.all(), request.user), pk=request.GET["forecast"]
        )
    elif forecasts:
        selected = forecasts[0]
    chart = None
    if selected:
        intervals = list(selected.intervals.all())
        tz = timezone.get_current_timezone()
        chart = {
            "labels": [i.starts_at.astimezone(tz).strftime("%m-%d %H:%M") for i in intervals],
            "volume": [i.volume for i in intervals],
            "agents": [i.agents for i in intervals],
            "required": [i.required for i in intervals],
            "scheduled": _scheduled_per_interval(selected, intervals),
        }
    return render(
        request,
        "workforce/plan.html",
        {"form": form, "forecasts": forecasts, "selected": selected, "chart": chart},
    )


def _week(request):
    day = parse_date(request.GET.get("week") or request.POST.get("week") or "")
    day = day or next_monday(timezone.localdate() - datetime.timedelta(days=7))
    return day - datetime.timedelta(days=day.weekday())


def _roster_unit(request, week):
    """The chosen unit; by default the first visible one with a roster that week."""
    if request.GET.get("unit") or request.POST.get("unit"):
        return _unit(request)
    with_roster = (
        scope_by_unit(Roster.objects.filter(week_start=week), request.user)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    return with_roster.unit if with_roster else _unit(request)


@login_required
def roster(request):
    week = _week(request)
    unit = _roster_unit(request, week)
    planner = is_planner(request.user)
    current = Roster.objects.filter(unit=unit, week_start=week).first() if unit else None
    if request.method == "POST":
        _require_planner(request.user)
        action = request.POST.get("action")
        if action == "generate":
            _run(
                request,
                lambda: rosters.generate_roster(user=request.user, unit=unit, week_start=week),
                _("Roster generated."),
            )
        elif action == "templates":
            _run(
                request,
                lambda: rosters.install_templates(user=request.user, unit=unit),
                _("Shift templates set up."),
            )
        elif current and action == "publish":
            _run(
                request,
                lambda: rosters.publish_roster(user=request.user, roster=current),
                _("Roster published."),
            )
        elif current and action == "set":
            _set_shift(request, current)
        return redirect(f"{request.path}?unit={unit.code}&week={week}")
    context = {
        "unit": unit,
        "week": week,
        "roster": current,
        "planner": planner,
        "previous": week - datetime.timedelta(days=7),
        "templates": rosters.templates_for(unit) if planner and unit else [],
        "units": scope_by_unit(OrgUnit.objects.all(), request.user, field="pk").order_by("path"),
        "next": week + datetime.timedelta(days=7),
    }
    if current:
        shifts = current.shifts.select_related("agent", "template", "queue", "leave")
        if not planner:
            shifts = shifts.filter(agent=request.user)
        grid = {}
        for shift in shifts:
            grid.setdefault(shift.agent, {})[shift.day] = shift
        agents = sorted(grid) if not planner else list(rosters.rostered_agents(unit))
        context["rows"] = [(a, [grid.get(a, {}).get(d) for d in current.days]) for a in agents]
        if planner:
            context["coverage"] = _coverage_chart(current)
            context["templates"] = rosters.templates_for(unit)
            context["queues"] = Queue.objects.filter(unit__path__startswith=unit.path)
    return render(request, "workforce/roster.html", context)


@login_required
def shift_templates(request):
    """The unit's shift templates, added and changed by its planners."""
    _require_planner(request.user)
    unit = _unit(request)
    own = ShiftTemplate.objects.filter(unit=unit)
    editing = own.filter(pk=request.GET.get("edit") or request.POST.get("template") or 0).first()
    form = ShiftTemplateForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        # Read again: the form has changed its instance in memory.
        current = own.filter(pk=editing.pk).first() if editing else None
        try:
            rosters.save_template(
                user=request.user, unit=unit, values=form.cleaned_data, template=current
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Shift template saved."))
            return redirect(f"{request.path}?unit={unit.code}")
    context = {
        "unit": unit,
        "units": scope_by_unit(OrgUnit.objects.all(), request.user, field="pk").order_by("path"),
        "own": own.order_by("start", "code"),
        "inherited": [] if own.exists() else rosters.templates_for(unit),
        "form": form,
        "editing": editing,
    }
    return render(request, "workforce/shift_templates.html", context)


def _coverage_chart(current):
    queues = {q.id: q for q in Queue.objects.all()}
    weekdays = [d.strftime("%m-%d") for d in current.days]
    result = []
    for queue_id, rows in rosters.coverage(current).items():
        cells = {(day, slot): (want, have, gap) for day, slot, want, have, gap in rows}
        # 07:00-23:00, or the whole day where the night is planned or worked.
        busy = [slot for (_day, slot), (w, h, _g) in cells.items() if w or h]
        hours = range(min([14, *busy]), max([45, *busy]) + 1)
        labels, want, have, gap = [], [], [], []
        for day in range(7):
            for slot in hours:
                w, h, g = cells.get((day, slot), (0, 0, 0))
                labels.append(f"{weekdays[day]} {slot // 2:02d}:{slot % 2 * 30:02d}")
                want.append(w)
                have.append(h)
                gap.append(g)
        result.append(
            {
                "queue": str(queues.get(queue_id, "—")),
                "labels": labels,
                "required": want,
                "scheduled": have,
                "gap": gap,
                "short": sum(gap),
            }
        )
    return result


def _set_shift(request, current):
    users = get_user_model().objects
    agent = get_object_or_404(users, pk=request.POST.get("agent"))
    day = parse_date(request.POST.get("day") or "")
    template_id = request.POST.get("template")
    existing = Shift.objects.filter(roster=current, agent=agent, day=day).first()
    if template_id == "off":
        if existing:
            _run(
                request,
                lambda: rosters.remove_shift(user=request.user, shift=existing),
                _("Shift removed."),
            )
        return
    template = next(
        (t for t in rosters.templates_for(current.unit) if str(t.pk) == template_id), None
    )
    queue = Queue.objects.filter(pk=request.POST.get("queue") or 0).first()
    if template is None or day is None:
        messages.error(request, _("Choose a day and a shift."))
        return
    _run(
        request,
        lambda: rosters.set_shift(
            user=request.user, roster=current, agent=agent, day=day, template=template, queue=queue
        ),
        _("Shift saved."),
    )


@login_required
def leave_requests(request):
    planner = is_planner(request.user)
    form = LeaveForm(request.POST or None if request.POST.get("action") == "request" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        visible = scope_by_unit(LeaveRequest.objects.all(), request.user)
        if action == "request" and form.is_valid():
            data = form.cleaned_data
            if _run(
                request,
                lambda: leave.request_leave(user=request.user, **data),
                _("Leave requested."),
            ):
                return redirect(request.path)
        elif action in ("approve", "reject", "cancel"):
            item = get_object_or_404(
                visible | LeaveRequest.objects.filter(agent=request.user),
                pk=request.POST.get("leave"),
            )
            if action == "cancel":
                _run(
                    request,
                    lambda: leave.cancel_leave(user=request.user, leave=item),
                    _("Leave cancelled."),
                )
            else:
                _run(
                    request,
                    lambda: leave.decide_leave(
                        user=request.user,
                        leave=item,
                        approve=action == "approve",
                        note=request.POST.get("note", ""),
                    ),
                    _("Decision recorded."),
                )
            return redirect(request.path)
        elif action == "cover":
            shift = get_object_or_404(
                scope_by_unit(Shift.objects.all(), request.user, "roster__unit"),
                pk=request.POST.get("shift"),
            )
            agent = get_object_or_404(get_user_model().objects, pk=request.POST.get("agent"))
            _run(
                request,
                lambda: leave.assign_cover(user=request.user, shift=shift, agent=agent),
                _("Cover assigned."),
            )
            return redirect(request.path)
    if planner:
        items = scope_by_unit(LeaveRequest.objects.select_related("agent"), request.user)[:100]
    else:
        items = LeaveRequest.objects.filter(agent=request.user)[:100]
    open_shifts = []
    if planner:
        for shift in (
            scope_by_unit(Shift.objects, request.user, "roster__unit")
            .filter(leave__status=LeaveRequest.Status.APPROVED, day__gte=timezone.localdate())
            .select_related("agent", "template", "queue", "leave", "roster")[:30]
        ):
            if not Shift.objects.filter(
                roster=shift.roster,
                day=shift.day,
                source=Shift.Source.COVER,
                template=shift.template,
                queue=shift.queue,
            ).exists():
                open_shifts.append((shift, leave.cover_candidates(shift)[:5]))
    return render(
        request,
        "workforce/leave.html",
        {"form": form, "items": items, "planner": planner, "open_shifts": open_shifts},
    )


@login_required
def people(request):
    _require_planner(request.user)
    agents = scope_by_unit(rosters.rostered_agents(OrgUnit(path="/")), request.user)
    exam_form = ExamForm(
        request.POST or None if request.POST.get("action") == "exam" else None, agents=agents
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "exam" and exam_form.is_valid():
            if _run(
                request,
                lambda: training.record_exam(user=request.user, **exam_form.cleaned_data),
                _("Examination recorded."),
            ):
                return redirect(request.path)
        elif action == "review":
            probation = get_object_or_404(
                scope_by_unit(Probation.objects, request.user, "agent__unit"),
                pk=request.POST.get("probation"),
            )
            review = ReviewForm(request.POST)
            if review.is_valid():
                _run(
                    request,
                    lambda: training.review_probation(
                        user=request.user, probation=probation, **review.cleaned_data
                    ),
                    _("Review recorded."),
                )
            else:
                messages.error(request, _("Choose an outcome and write the review."))
            return redirect(request.path)
    day = parse_date(request.GET.get("day") or "") or timezone.localdate()
    shifts = (
        scope_by_unit(Shift.objects, request.user, "roster__unit")
        .filter(day=day)
        .select_related("agent", "template")
    )
    return render(
        request,
        "workforce/people.html",
        {
            "exam_form": exam_form,
            "review_form": ReviewForm(),
            "exams": scope_by_unit(
                EntryExam.objects.select_related("agent"), request.user, "agent__unit"
            )[:30],
            "probations": training.due_reviews(
                scope_by_unit(
                    Probation.objects.select_related("agent"), request.user, "agent__unit"
                ),
                day,
            ),
            "sessions": scope_by_unit(
                TrainingSession.objects.prefetch_related("records__agent"), request.user
            )[:10],
            "adherence": attendance.adherence(shifts, timezone.now()),
            "day": day,
        },
    )
