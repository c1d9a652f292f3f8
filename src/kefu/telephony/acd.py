"""Automatic call distribution: where a call goes.

The PBX asks for each call (and again, while the call waits, every few
seconds), or a PBX that takes pushes is told (``pushes``); the answer is
one of

- ``reject``: the caller is blocked (黑名单);
- ``voicemail`` or ``message``: the queue is closed (business hours,
  holidays);
- ``agent``: ring this agent's extension — the longest-idle ready member
  of the queue with the skill, once no call of higher priority (key
  customers) or of the same priority that came earlier is waiting;
- ``queue``: wait and ask again; after the queue's overflow time the call
  moves to the overflow queue.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.core.calendars import schedule_for_unit
from kefu.telephony import agents, cti, rows, signals
from kefu.telephony.models import AgentStatus, Call, ClosedAction, Queue

RETRY_SECONDS = 2
# A call the PBX forgot to end (it lost the ``ended``) does not hold back
# the queue for ever: waiting calls offered longer ago are not counted.
STALE_WAIT = timedelta(hours=1)


def schedule_of(queue):
    if queue.calendar_id:
        return queue.calendar.schedule()
    return schedule_for_unit(queue.unit)


def default_queue(pbx):
    return Queue.objects.filter(unit=pbx.unit, is_active=True).order_by("position", "code").first()


def route(pbx, payload) -> dict:
    try:
        return _route(pbx, payload)
    except IntegrityError:
        # Another request stored this call's offer at the same moment.
        return _route(pbx, payload)


def _route(pbx, payload) -> dict:
    """Answer a routing request; the request also stands for the call's
    ``offered`` event when Kefu has not heard of the call yet."""
    if not isinstance(payload, dict):
        raise ValidationError({"call_id": [_("Send a JSON object.")]})
    event = cti.parse_event(dict(payload, event="offered"))
    at = event.at
    with transaction.atomic(), rows.one_unit():
        call = cti.known_call(pbx, event.call_id)
        if call is None or not call.caller:
            # Kefu has not had the call's offer: this request stands for it.
            # A call asking again while it waits (every few seconds) has.
            call = cti.apply(pbx, event).call
        decision = decide(call, event.queue, at, no_answer=bool(payload.get("no_answer")))
        rows.save_call(call)
    return decision


def _ring_no_answer(call, at):
    """The agent let the call ring out: they are set not ready (so the next
    call does not ring at an empty desk) and the call waits again."""
    state = agents.locked_state(call.agent)
    agents.call_move(state, AgentStatus.NOT_READY, at=at)
    before = {"status": call.status, "agent": call.agent_id}
    call.agent = None
    call.extension = ""
    call.status = Call.Status.QUEUED
    cti.record_call(
        call, "call.ring_no_answer", before, "", after={"status": call.status, "agent": None}
    )


def decide(call, queue_code, at, no_answer=False):
    if call.status == Call.Status.ENDED:
        return {"action": "hangup"}
    if call.disposition == Call.Disposition.REJECTED:
        return {"action": "reject", "reason": "busy"}
    queue = call.queue
    if queue is None and queue_code:
        queue = cti.cached_queue(queue_code)
        if queue is None:
            raise ValidationError(
                {"queue": [_("There is no active queue %(code)s.") % {"code": queue_code}]}
            )
    queue = queue or default_queue(call.pbx)
    if queue is None:
        raise ValidationError({"queue": [_("Name the queue: this PBX's unit has none.")]})
    call.queue = queue
    if not schedule_of(queue).is_open(at):
        return _closed(call, queue)
    if call.status == Call.Status.RINGING and call.agent_id:
        if not no_answer:
            return _ring_answer(call, call.extension)
        _ring_no_answer(call, at)
    if (
        not call.overflowed
        and queue.overflow_queue_id
        and queue.overflow_after_seconds is not None
        and (at - call.offered_at).total_seconds() >= queue.overflow_after_seconds
    ):
        before = queue.code
        queue = queue.overflow_queue
        call.queue = queue
        call.overflowed = True
        cti.record_call(
            call, "call.overflowed", {"queue": before}, queue.label, after={"queue": queue.code}
        )
    if call.queued_at is None:
        call.queued_at = at
    since = at - STALE_WAIT
    state = pick_agent(call, queue, at, since)
    if state is None:
        return _wait(call, queue, rows.calls_ahead(call, queue, since))
    return _assign(call, state, at)


def _closed(call, queue):
    before = {"status": call.status}
    call.after_hours = True
    voicemail = queue.closed_action == ClosedAction.VOICEMAIL
    call.disposition = Call.Disposition.VOICEMAIL if voicemail else Call.Disposition.CLOSED
    cti.record_call(
        call, "call.closed", before, queue.closed_message, after={"disposition": call.disposition}
    )
    return {
        "action": "voicemail" if voicemail else "message",
        "queue": queue.code,
        "message": queue.closed_message,
    }


def pick_agent(call, queue, at, since):
    """The longest-idle ready member with at least the queue's skill level;
    among agents idle equally long, the more skilled; none while calls
    offered since ``since`` go before ``call``. One whose after-call work
    is over is made ready first, as of the end of its limit."""
    state = rows.longest_idle(queue, at, call, since)
    if state is not None and state.status == AgentStatus.WRAP_UP:
        agents.release_wrapup(state)
    return state


def _assign(call, state, at):
    before = {"status": call.status, "agent": call.agent_id}
    call.agent = state.agent
    call.extension = state.extension
    call.status = Call.Status.RINGING
    call.ringing_at = at
    agents.call_move(state, AgentStatus.RINGING, at=at)
    agent = state.agent
    cti.record_call(
        call, "call.routed", before, str(agent), after={"status": call.status, "agent": agent.pk}
    )
    transaction.on_commit(lambda: signals.call_ringing.send(sender=Call, call=call, agent=agent))
    return _ring_answer(call, state.extension)


def _ring_answer(call, extension):
    return {
        "action": "agent",
        "queue": call.queue.code,
        "extension": extension,
        "agent": call.agent.username,
        "priority": call.priority,
    }


def _wait(call, queue, ahead):
    """Wait and ask again; the position counts the calls that go first."""
    if call.status == Call.Status.OFFERED:
        call.status = Call.Status.QUEUED
    return {
        "action": "queue",
        "queue": queue.code,
        "position": ahead + 1,
        "retry_after": RETRY_SECONDS,
    }
