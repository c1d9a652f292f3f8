"""What a user may see and manage of the call center, and the PBX entry point."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import scoping, timeline
from kefu.customers import phones
from kefu.telephony import metrics
from kefu.telephony.models import (
    AgentState,
    AgentStatus,
    BlockedNumber,
    Call,
    Pbx,
    Queue,
)

_PBX_CACHE: dict[str, tuple[float, Pbx]] = {}
PBX_CACHE_SECONDS = 30


def pbx_for_token(token) -> Pbx:
    """The active PBX with this token; ``PermissionDenied`` otherwise. The
    answer is kept for a few seconds: every event asks."""
    now = timezone.now().timestamp()
    cached = _PBX_CACHE.get(token)
    if cached and cached[0] > now:
        return cached[1]
    pbx = Pbx.objects.select_related("unit").filter(token=token, is_active=True).first()
    if pbx is None or not token:
        raise PermissionDenied(_("Unknown or inactive PBX token."))
    _PBX_CACHE[token] = (now + PBX_CACHE_SECONDS, pbx)
    return pbx


def forget_pbx_tokens():
    _PBX_CACHE.clear()


def visible_calls(user):
    if not user.is_center_staff:
        return Call.objects.none()
    return scoping.scope_by_unit(Call.objects.all(), user)


def visible_queues(user):
    if not user.is_center_staff:
        return Queue.objects.none()
    return scoping.scope_by_unit(Queue.objects.filter(is_active=True), user)


def visible_agent_states(user):
    if not user.is_center_staff:
        return AgentState.objects.none()
    states = AgentState.objects.select_related("agent").exclude(status=AgentStatus.LOGGED_OUT)
    if user.is_supervising:
        return scoping.scope_by_unit(states, user, field="agent__unit")
    return states.filter(agent=user)


@transaction.atomic
def block_number(*, user, unit, number, reason="") -> BlockedNumber:
    if not user.is_supervising or not scoping.can_see_unit(user, unit):
        raise PermissionDenied(_("Only a supervisor of this unit can block callers."))
    e164 = phones.try_normalize(number or "")
    if e164 is None:
        raise ValidationError({"number": [_("This is not a phone number.")]})
    if BlockedNumber.objects.filter(unit=unit, number=e164).exists():
        raise ValidationError({"number": [_("This number is already blocked.")]})
    blocked = BlockedNumber.objects.create(unit=unit, number=e164, reason=reason.strip())
    timeline.record(
        blocked, "blocked.created", actor=user, after={"number": e164, "reason": reason}
    )
    return blocked


def wallboard(user, now=None) -> dict:
    """Everything the wallboard shows, for the queues and agents ``user`` sees."""
    now = now or timezone.now()
    queues = list(
        visible_queues(user).select_related("unit").order_by("unit__path", "position", "code")
    )
    calls = visible_calls(user)
    waiting = metrics.waiting_now(calls, now)
    start = metrics.start_of_today(now)
    rows = []
    for queue in queues:
        summary = metrics.period_summary(
            calls.filter(queue=queue),
            start,
            now,
            target_seconds=queue.service_level_seconds,
            short_abandon_seconds=queue.short_abandon_seconds,
        )
        count, longest = waiting.get(queue.pk, (0, 0.0))
        rows.append(
            {
                "code": queue.code,
                "name": queue.label,
                "unit": queue.unit.name,
                "waiting": count,
                "longest_wait": round(longest),
                "target": float(queue.service_level_target),
                **summary.as_dict(),
            }
        )
    total = metrics.period_summary(calls, start, now)
    states = visible_agent_states(user).order_by("status", "since")
    agents = [
        {
            "id": state.agent_id,
            "name": state.agent.display_name,
            "status": state.status,
            "status_label": state.get_status_display(),
            "reason": state.get_reason_display() if state.reason else "",
            "seconds": max(0, round((now - state.since).total_seconds())),
        }
        for state in states
    ]
    by_state = {}
    for agent in agents:
        by_state[agent["status"]] = by_state.get(agent["status"], 0) + 1
    return {
        "at": now.isoformat(),
        "queues": rows,
        "total": total.as_dict(),
        "waiting": sum(r["waiting"] for r in rows),
        "longest_wait": max((r["longest_wait"] for r in rows), default=0),
        "agents": agents,
        "agents_by_state": by_state,
    }
