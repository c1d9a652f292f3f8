"""The phone desk (agent desktop) and the wallboard pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.htmx import is_htmx
from kefu.core.paging import paginate
from kefu.core.spreadsheets import xlsx_response
from kefu.core.timeline import events_for
from kefu.desk import services
from kefu.desk.forms import CallRecordFilter
from kefu.desk.phrases import phrases_for
from kefu.messaging.services import send_satisfaction_request
from kefu.telephony import agents, conduct, records
from kefu.telephony.models import AgentStatus, Call, NotReadyReason
from kefu.telephony.services import wallboard as board_now


def _center_staff(user):
    if not user.is_center_staff:
        raise PermissionDenied(_("The phone desk is for the service center's staff."))


def _state_context(user, errors=None):
    return {
        "state": agents.state_of(user),
        "reasons": NotReadyReason.choices,
        "errors": errors or {},
        "S": AgentStatus,
    }


@login_required
def desktop(request):
    _center_staff(request.user)
    current = (
        Call.objects.filter(agent=request.user)
        .exclude(status=Call.Status.ENDED)
        .order_by("-offered_at")
        .first()
    )
    recent = Call.objects.filter(agent=request.user).select_related("customer")[:10]
    context = _state_context(request.user)
    context.update(current=current, recent=recent, phrases=phrases_for(request.user))
    return render(request, "desk/desktop.html", context)


def _filtered_calls(request, first_day, leave_out=()):
    """The call-record filter of the request (from ``first_day`` to today
    unless days are chosen) and the calls it finds."""
    data = request.GET.copy()
    if "date_from" not in data and "date_to" not in data:
        data["date_from"] = first_day.isoformat()
        data["date_to"] = timezone.localdate().isoformat()
    form = CallRecordFilter(data, user=request.user)
    for name in leave_out:
        form.fields.pop(name, None)
    calls = records.calls_for(request.user)
    return form, records.search(calls, **form.cleaned_data) if form.is_valid() else calls.none()


@login_required
def call_records(request):
    """话单: the calls of a day (today unless chosen), filtered, and exported."""
    _center_staff(request.user)
    today = timezone.localdate()
    form, calls = _filtered_calls(request, today)
    if request.GET.get("export") == "xlsx" and form.is_valid() and request.user.is_supervising:
        return xlsx_response(
            f"calls-{today:%Y%m%d}.xlsx",
            _("Call records"),
            records.EXPORT_HEADERS,
            records.export_rows(calls),
        )
    page = paginate(calls, request.GET.get("page"))
    for call in page:
        call.caller_shown = records.shown_number(call.caller)
        call.called_shown = records.shown_number(call.called)
    return render(
        request,
        "desk/calls.html",
        {"form": form, "page": page, "limit": conduct.LONG_HOLD_SECONDS},
    )


@login_required
def call_conduct(request):
    """通话规范: per agent, holds over a minute and calls the agent ended,
    this month unless other days are chosen."""
    if not request.user.is_supervising:
        raise PermissionDenied(_("Call conduct is for team leads and supervisors."))
    form, calls = _filtered_calls(
        request,
        timezone.localdate().replace(day=1),
        leave_out=("agent", "disposition", "conduct", "number"),
    )
    return render(
        request,
        "desk/conduct.html",
        {"form": form, "rows": conduct.by_agent(calls), "limit": conduct.LONG_HOLD_SECONDS},
    )


@login_required
def change_state(request):
    """GET: the state panel as it is now; POST: change it."""
    _center_staff(request.user)
    errors = None
    if request.method != "POST":
        return render(request, "desk/includes/state.html", _state_context(request.user))
    try:
        agents.change_state(
            user=request.user,
            agent=request.user,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            extension=request.POST.get("extension") or None,
        )
    except ValidationError as error:
        errors = error.message_dict
    return render(request, "desk/includes/state.html", _state_context(request.user, errors))


@login_required
def pop(request, pk):
    """The call's screen pop: a fragment for the desk, a page of its own
    when opened directly (a link from a notification or a new tab)."""
    call = _call_or_404(request.user, pk)
    if is_htmx(request):
        return render(request, "desk/includes/pop.html", _pop_context(request.user, call))
    context = _pop_context(request.user, call)
    context["events"] = events_for(call).order_by("-at", "-id")
    context["limit"] = conduct.LONG_HOLD_SECONDS
    return render(request, "desk/call.html", context)


def _call_or_404(user, pk):
    """A call the user may see; any other is not found, not forbidden."""
    try:
        return services.call_for(user, pk)
    except PermissionDenied as error:
        raise Http404 from error


def _pop_context(user, call, errors=None):
    return {
        "call": call,
        "customer": call.customer,
        "orders": services.open_orders(user, call.customer),
        "errors": errors or {},
    }


@login_required
@require_POST
def register_contact(request, pk):
    call = _call_or_404(request.user, pk)
    errors = None
    try:
        services.register_call_contact(
            user=request.user, call=call, content=request.POST.get("content", "")
        )
        messages.success(request, _("Contact registered and linked to the call."))
        call.refresh_from_db()
    except ValidationError as error:
        errors = error.message_dict
    return render(request, "desk/includes/pop.html", _pop_context(request.user, call, errors))


@login_required
def wallboard(request):
    if not request.user.is_supervising:
        raise PermissionDenied(_("The wallboard is for supervisors."))
    text = {
        "waiting": _("Calls waiting"),
        "longest": _("Longest wait"),
        "service_level": _("Service level today"),
        "offered": _("Offered / answered"),
        "abandon_rate": _("Abandon rate"),
        "asa_aht": _("ASA / AHT"),
        "live": _("Live"),
        "reconnecting": _("Reconnecting…"),
    }
    return render(
        request,
        "desk/wallboard.html",
        {
            "big": request.GET.get("big") == "1",
            "labels": dict(AgentStatus.choices),
            "text": text,
            "board": board_now(request.user),
        },
    )


@login_required
@require_POST
def link_order(request, pk):
    call = _call_or_404(request.user, pk)
    errors = None
    try:
        call = services.link_order(user=request.user, call=call, order_pk=request.POST.get("order"))
    except ValidationError as error:
        errors = error.message_dict
    return render(request, "desk/includes/pop.html", _pop_context(request.user, call, errors))


@login_required
@require_POST
def request_satisfaction(request, pk):
    """After the call: send the caller the short satisfaction survey by SMS."""
    call = _call_or_404(request.user, pk)
    errors = None
    if call.customer is None:
        errors = {"satisfaction": [_("Only a known customer can be asked for a rating.")]}
    else:
        try:
            send_satisfaction_request(customer=call.customer, subject=call, user=request.user)
            messages.success(request, _("The satisfaction survey goes out by SMS."))
        except ValidationError as error:
            errors = error.message_dict
    return render(request, "desk/includes/pop.html", _pop_context(request.user, call, errors))
