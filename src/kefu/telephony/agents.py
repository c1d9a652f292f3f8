"""Agent states: the state machine, its log and who may change what.

Agents (and their supervisors) choose ready, not ready with a reason, and
logged out; the call events move an agent through ringing, on call and
after-call work. Every change closes the open ``AgentStateLog`` row and
opens the next, so adherence and assessment can sum the time in each state."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import scoping
from kefu.telephony import rows, signals
from kefu.telephony.models import AgentState, AgentStatus, NotReadyReason

S = AgentStatus

# The states a person may choose, from the states they may choose them in.
MANUAL_MOVES = {
    S.LOGGED_OUT: {S.READY, S.NOT_READY},
    S.READY: {S.NOT_READY, S.LOGGED_OUT},
    S.NOT_READY: {S.READY, S.NOT_READY, S.LOGGED_OUT},
    S.WRAP_UP: {S.READY, S.NOT_READY, S.LOGGED_OUT},
    S.RINGING: set(),
    S.ON_CALL: set(),
}

# What the call events do; a call may reach an agent who is not ready (a
# direct extension call), so ringing and on call are allowed from any
# logged-in state.
CALL_MOVES = {
    S.RINGING: {S.READY, S.NOT_READY, S.WRAP_UP, S.RINGING},
    S.ON_CALL: {S.READY, S.NOT_READY, S.WRAP_UP, S.RINGING, S.ON_CALL},
    S.READY: {S.RINGING, S.WRAP_UP},
    # Ring, no answer: the agent is taken out of routing.
    S.NOT_READY: {S.RINGING},
    S.WRAP_UP: {S.ON_CALL, S.RINGING},
}


def state_of(agent) -> AgentState:
    state, _created = AgentState.objects.get_or_create(agent=agent)
    return state


def locked_state(agent) -> AgentState:
    """The agent's state row, locked for the rest of the transaction."""
    return rows.locked_state(agent) or state_of(agent)


def _may_control(user, agent) -> bool:
    if user.pk == agent.pk:
        return user.is_center_staff
    return user.is_supervising and scoping.can_see_unit(user, agent.unit)


@transaction.atomic
def change_state(*, user, agent, status, reason="", extension=None, at=None) -> AgentState:
    """An agent (or a supervisor of their unit) sets ready, not ready or logged out."""
    if not _may_control(user, agent):
        raise PermissionDenied(_("You cannot change this agent's state."))
    if status not in MANUAL_MOVES:
        raise ValidationError({"status": [_("Unknown agent state.")]})
    if status == S.NOT_READY and reason not in NotReadyReason.values:
        raise ValidationError({"reason": [_("Choose why you are not ready.")]})
    if status != S.NOT_READY:
        reason = ""
    state = locked_state(agent)
    if status not in MANUAL_MOVES[state.status]:
        raise ValidationError(
            {
                "status": [
                    _("An agent who is %(current)s cannot switch to %(target)s.")
                    % {
                        "current": state.get_status_display(),
                        "target": AgentStatus(status).label,
                    }
                ]
            }
        )
    if status == S.READY and not (extension or state.extension):
        raise ValidationError({"extension": [_("Enter the extension of your phone.")]})
    if extension is not None:
        state.extension = extension.strip()
    return _move(state, status, reason=reason, at=at, actor=user)


def call_move(state: AgentState, status, *, at, wrapup_seconds=None) -> AgentState:
    """A move caused by a call event; the caller holds the row locked.
    Events arriving for a logged-out agent, or out of order, change nothing."""
    allowed = CALL_MOVES.get(status, set())
    if state.status not in allowed:
        return state
    if state.status == status and status != S.RINGING:
        return state
    wrapup_until = None
    if status == S.WRAP_UP and wrapup_seconds is not None:
        wrapup_until = at + timedelta(seconds=wrapup_seconds)
    reason = NotReadyReason.OTHER if status == S.NOT_READY else ""
    return _move(state, status, reason=reason, at=at, wrapup_until=wrapup_until)


def _move(state, status, *, reason="", at=None, actor=None, wrapup_until=None):
    at = at or timezone.now()
    # A late event never moves the clock back: the log stays ordered.
    if state.status != S.LOGGED_OUT:
        at = max(at, state.since)
    previous = state.status
    previous_reason = state.reason
    rows.close_state_log(state.agent_id, at)
    if status != S.LOGGED_OUT:
        rows.open_state_log(state.agent_id, status, reason, at)
    if previous == S.WRAP_UP:
        # Leaving after-call work closes the wrap-up time of the call it followed.
        rows.end_wrapups(state.agent_id, at)
    state.status = status
    state.reason = reason
    state.since = at
    state.wrapup_until = wrapup_until
    if status == S.READY:
        state.idle_since = at
    elif status != S.WRAP_UP:
        state.idle_since = None
    rows.save_state(state)
    rows.record(
        state,
        "agent.state",
        actor=actor,
        at=at,
        message=state.get_status_display(),
        before={"status": previous, "reason": previous_reason},
        after={"status": status, "reason": reason},
    )
    transaction.on_commit(
        lambda: signals.agent_state_changed.send(
            sender=AgentState, agent=state.agent, state=state, previous=previous
        )
    )
    return state


def release_overdue_wrapups(now=None) -> int:
    """After-call work that passed its limit ends: the agent is ready again."""
    now = now or timezone.now()
    overdue = rows.overdue_wrapups(now)
    for state in overdue:
        release_wrapup(state)
    return len(overdue)


def release_wrapup(state):
    """The agent's after-call work ends at its limit; the row is locked."""
    return _move(state, S.READY, at=state.wrapup_until)
