"""The CTI interface: call events from a PBX become call records (CDR).

An event is applied once: its key (``event_id``, or the call id and the
event's kind and time) is stored with it, and the same event again changes
nothing. Events may arrive in any order: every time is kept as the earliest
(or latest) the PBX reported, the hold time is recomputed from all hold
events, and a call is created by whichever of its events comes first."""

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kefu.core.api import validation_payload
from kefu.customers import phones
from kefu.telephony import agents, rows, signals
from kefu.telephony.models import AgentStatus, BlockedNumber, Call, HangupSide, Pbx, Queue

KINDS = (
    "offered",
    "queued",
    "ringing",
    "answered",
    "held",
    "unheld",
    "transferred",
    "ended",
    "recording",
)
# Events a call can have more than once: their key includes their time.
REPEATABLE = {"ringing", "held", "unheld", "transferred"}
KEY_PRIORITY = 10

# Causes of an end, as Kefu and the PBXs name them, and the disposition of
# a call that nobody answered.
UNANSWERED_CAUSES = {
    "voicemail": Call.Disposition.VOICEMAIL,
    "busy": Call.Disposition.BUSY,
    "no_answer": Call.Disposition.NO_ANSWER,
    "noanswer": Call.Disposition.NO_ANSWER,
    "failed": Call.Disposition.FAILED,
    "congestion": Call.Disposition.FAILED,
    "notfound": Call.Disposition.FAILED,
    "rejected": Call.Disposition.REJECTED,
}


@dataclass
class Event:
    """One PBX event, validated, in Kefu's terms."""

    kind: str
    call_id: str
    at: datetime
    key: str
    payload: dict
    caller: str = ""
    called: str = ""
    direction: str = Call.Direction.INBOUND
    queue: str = ""
    agent: str = ""
    extension: str = ""
    cause: str = ""
    url: str = ""
    target_queue: str = ""
    target_agent: str = ""
    hangup_by: str = ""
    # The PBX named the event (``event_id``) rather than Kefu keying it.
    given_key: bool = False


@dataclass
class Outcome:
    call: Call | None
    duplicate: bool = False
    blocked: bool = False
    extra: dict = field(default_factory=dict)


def _text(payload, name, limit=100):
    value = payload.get(name, "")
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if not isinstance(value, str | int):
        raise ValidationError({name: [_("Must be a text.")]})
    return str(value).strip()[:limit]


def parse_event(payload) -> Event:
    """Kefu's own event format (docs/cti.md); ``ValidationError`` names
    every field that is wrong."""
    if not isinstance(payload, dict):
        raise ValidationError({"event": [_("Send a JSON object.")]})
    errors = {}
    kind = _text(payload, "event", 30)
    if kind not in KINDS:
        errors["event"] = [
            _("Unknown event %(event)r; expected one of: %(kinds)s.")
            % {"event": kind, "kinds": ", ".join(KINDS)}
        ]
    call_id = _text(payload, "call_id", 200)
    if not call_id or len(str(payload.get("call_id"))) > 100:
        errors["call_id"] = [_("A call id of at most 100 characters is required.")]
    at = timezone.now()
    raw_at = payload.get("at")
    if raw_at not in (None, ""):
        parsed = parse_datetime(raw_at) if isinstance(raw_at, str) else None
        if parsed is None:
            errors["at"] = [_("Give the time in ISO 8601, e.g. 2026-12-03T09:30:00+08:00.")]
        else:
            at = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    direction = _text(payload, "direction", 3) or Call.Direction.INBOUND
    if direction not in Call.Direction.values:
        errors["direction"] = [_("Direction is in or out.")]
    url = _text(payload, "url", 500)
    if kind == "recording" and not url.startswith(("http://", "https://")):
        errors["url"] = [_("A recording event needs the recording's http(s) URL.")]
    if kind == "offered" and direction == Call.Direction.INBOUND and not payload.get("caller"):
        errors["caller"] = [_("An offered call needs the caller's number (or anonymous).")]
    hangup_by = _text(payload, "hangup_by", 10)
    if hangup_by and hangup_by not in HangupSide.values:
        errors["hangup_by"] = [_("Who hung up is one of: customer, agent, system.")]
    if errors:
        raise ValidationError(errors)
    event_id = _text(payload, "event_id", 200)
    if event_id:
        key = event_id
    elif kind in REPEATABLE:
        key = f"{call_id}:{kind}:{at.isoformat()}"
    else:
        key = f"{call_id}:{kind}"
    return Event(
        kind=kind,
        call_id=call_id,
        at=at,
        key=key,
        payload=payload,
        caller=_text(payload, "caller", 40),
        called=_text(payload, "called", 40),
        direction=direction,
        queue=_text(payload, "queue", 40),
        agent=_text(payload, "agent", 150),
        extension=_text(payload, "extension", 20),
        cause=_text(payload, "cause", 40),
        url=url,
        target_queue=_text(payload, "target_queue", 40),
        target_agent=_text(payload, "target_agent", 150) or _text(payload, "target_extension", 20),
        hangup_by=hangup_by,
        given_key=bool(event_id),
    )


def find_agent(reference):
    """The agent a PBX names: by extension, then login, agent number,
    phone, or user id (the order Zammad's ``answeringNumber`` documents).
    Found by extension, the agent's state is read locked with it
    (``agents.locked_state`` takes it from there)."""
    if not reference:
        return None
    state = rows.state_by_extension(reference)
    if state is not None:
        return state.agent
    User = get_user_model()
    cond = Q(username=reference) | Q(agent_no=reference) | Q(phone=reference)
    if reference.isdigit():
        cond |= Q(pk=int(reference))
    return User.objects.filter(cond).order_by("pk").first()


def is_blocked(pbx, number) -> bool:
    e164 = phones.try_normalize(number) if number else None
    candidates = {number, e164} - {None, ""}
    if not candidates:
        return False
    blocked = cached(
        ("blocked", pbx.unit_id),
        lambda: set(
            BlockedNumber.objects.filter(
                Q(unit=pbx.unit) | Q(unit__path__in=_ancestor_paths(pbx.unit))
            ).values_list("number", flat=True)
        ),
    )
    return bool(blocked & candidates)


def _ancestor_paths(unit):
    path = unit.path
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]


def receive(pbx, event: Event) -> Outcome:
    """``apply`` in its own transaction; a copy of a new call's first
    event that lost the race on the call's key is applied again, to the
    call the winner created."""
    try:
        with transaction.atomic():
            return apply(pbx, event)
    except IntegrityError:
        with transaction.atomic():
            return apply(pbx, event)


BATCH_LIMIT = 500


def receive_batch(pbx, payloads) -> list[dict]:
    """A list of events in one transaction (a PBX listener that buffers its
    events): each applied as ``receive`` would, in order, with an answer
    each, while the rows they touch are read and written once for the
    whole list (``rows.one_batch``). A malformed event is answered with its
    errors and the others go on; the list itself must hold 1 to
    ``BATCH_LIMIT`` events."""
    if not isinstance(payloads, list) or not 1 <= len(payloads) <= BATCH_LIMIT:
        raise ValidationError(
            {"events": [_("Send a list of 1 to %(limit)d events.") % {"limit": BATCH_LIMIT}]}
        )
    answers = [None] * len(payloads)
    events = []
    for number, payload in enumerate(payloads):
        try:
            events.append((number, parse_event(payload)))
        except ValidationError as error:
            answers[number] = {"result": "error", "errors": validation_payload(error)}
    if events:
        with transaction.atomic(), rows.one_batch(pbx, [event for _n, event in events]):
            for number, event in events:
                try:
                    outcome = apply(pbx, event)
                except ValidationError as error:
                    answers[number] = {"result": "error", "errors": validation_payload(error)}
                    continue
                answer = answer_for(outcome)
                answer["result"] = "duplicate" if outcome.duplicate else "applied"
                answers[number] = answer
    return answers


def answer_for(outcome: Outcome) -> dict:
    """What the PBX is told about an event it posted."""
    answer = {"duplicate": outcome.duplicate}
    if outcome.call is not None:
        answer.update(call=outcome.call.call_id, status=outcome.call.status)
        answer["disposition"] = outcome.call.disposition
    if outcome.blocked:
        answer.update(action="reject", reason="busy")
    return answer


def apply(pbx, event: Event) -> Outcome:
    """Store and apply one event; signals go out after the commit.

    A repeated event is recognised by its stored key: storing it again
    changes nothing, and a copy racing the first on PostgreSQL waits for it
    and finds it stored. A key the PBX used for another call is refused
    rather than taken for a repeat."""
    # In a batch the stored keys are known before the call is made (and
    # the error must not reach a batch's transaction, which has no savepoint).
    _refuse_a_reused_key(event, rows.known_owner(event.key))
    with transaction.atomic(savepoint=False), rows.one_unit():
        call, created = _call_for(pbx, event)
        if not rows.add_event(pbx, call, event):
            # A key Kefu made holds the call id: only a PBX's own event id
            # can have been used for another call.
            if event.given_key:
                _refuse_a_reused_key(event, rows.call_of_event(pbx, event.key))
            return Outcome(call=call, duplicate=True)
        if event.at < call.offered_at:
            call.offered_at = event.at
        handler = HANDLERS[event.kind]
        outcome = handler(call, event, created) or Outcome(call=call)
        rows.save_call(call)
        return outcome


def _refuse_a_reused_key(event, owner):
    if owner is not None and owner != event.call_id:
        raise ValidationError(
            {
                "event_id": [
                    _("This event id was already sent for another call (%(call)s).")
                    % {"call": owner}
                ]
            }
        )


def known_call(pbx, call_id):
    """The PBX's call, locked, with its queue; ``None`` if Kefu has not
    heard of it."""
    call = rows.locked_call(pbx, call_id)
    if call is not None and call.queue_id:
        call.queue = queue_by_id(call.queue_id)
    return call


def _call_for(pbx, event):
    call = known_call(pbx, event.call_id)
    if call is not None:
        return call, False
    call = rows.create_call(
        pbx_id=pbx.pk,
        call_id=event.call_id,
        unit_id=pbx.unit_id,
        offered_at=event.at,
        direction=event.direction,
    )
    call.pbx = pbx
    return call, True


def _set_queue(call, code):
    if code and (call.queue is None or call.queue.code != code):
        queue = cached_queue(code)
        if queue is not None:
            call.queue = queue


# Queues, blocked numbers and the PBX change seldom and are read by every
# call: each process keeps them for a few seconds.
CACHE_SECONDS = 10
CACHE_ENTRIES = 10_000
_cache: dict = {}


def cached(key, load):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_cache) >= CACHE_ENTRIES:
        # A PBX may name any queue code: the cache is bounded by starting over.
        _cache.clear()
    _cache[key] = (now + CACHE_SECONDS, value)
    return value


def forget_cache(**kwargs):
    _cache.clear()


def _queues():
    return Queue.objects.select_related("calendar", "overflow_queue", "unit")


def cached_queue(code):
    return cached(("queue", code), lambda: _queues().filter(code=code, is_active=True).first())


def queue_by_id(pk):
    """The call's queue, active or not."""
    return cached(("queue-id", pk), lambda: _queues().get(pk=pk))


def _identify(call):
    """Caller-ID lookup and priority: key customers go first. Looked up
    once per call (not cached: a customer registered a moment ago is
    recognised on their next call)."""
    number = call.caller if call.direction == Call.Direction.INBOUND else call.called
    customer = rows.caller(number) if number else None
    if customer is not None:
        call.customer_id = customer.id
        if customer.is_key:
            call.priority = max(call.priority, KEY_PRIORITY)


def on_offered(call, event, created):
    before = {"status": call.status}
    call.caller = event.caller or call.caller
    call.called = event.called or call.called
    call.direction = event.direction
    _set_queue(call, event.queue)
    if call.customer_id is None:
        _identify(call)
    blocked = call.direction == Call.Direction.INBOUND and is_blocked(call.pbx, call.caller)
    if blocked and not call.answered_at:
        call.disposition = Call.Disposition.REJECTED
    # The number in before and after too: the timeline titles the event
    # with it in the reader's language (the message is the writer's).
    before["caller"] = call.caller
    record_call(
        call,
        "call.offered",
        before,
        _("Call from %(caller)s") % {"caller": call.caller},
        after={"status": call.status, "caller": call.caller},
    )
    transaction.on_commit(lambda: signals.call_offered.send(sender=Call, call=call))
    return Outcome(call=call, blocked=blocked)


def on_queued(call, event, created):
    before = {"status": call.status}
    _set_queue(call, event.queue)
    if call.queued_at is None or event.at < call.queued_at:
        call.queued_at = event.at
    if call.status == Call.Status.OFFERED:
        call.status = Call.Status.QUEUED
    record_call(call, "call.queued", before, str(call.queue or ""))
    transaction.on_commit(lambda: signals.call_queued.send(sender=Call, call=call))


def on_ringing(call, event, created):
    before = {"status": call.status, "agent": call.agent_id}
    agent = find_agent(event.agent or event.extension)
    if call.status in (Call.Status.OFFERED, Call.Status.QUEUED, Call.Status.RINGING):
        call.status = Call.Status.RINGING
        call.ringing_at = event.at
        if agent is not None:
            call.agent = agent
            call.extension = event.extension or call.extension
            state = agents.locked_state(agent)
            agents.call_move(state, AgentStatus.RINGING, at=event.at)
            transaction.on_commit(
                lambda: signals.call_ringing.send(sender=Call, call=call, agent=agent)
            )
        record_call(
            call,
            "call.ringing",
            before,
            str(agent or ""),
            after={"status": call.status, "agent": call.agent_id},
        )


def on_answered(call, event, created):
    before = {"status": call.status, "agent": call.agent_id}
    agent = find_agent(event.agent or event.extension) or call.agent
    if call.answered_at is None or event.at < call.answered_at:
        call.answered_at = event.at
    if agent is not None:
        call.agent = agent
    call.extension = event.extension or call.extension
    if call.status != Call.Status.ENDED:
        call.status = Call.Status.ANSWERED
        if agent is not None:
            state = agents.locked_state(agent)
            agents.call_move(state, AgentStatus.ON_CALL, at=event.at)
    if call.disposition in ("", Call.Disposition.ABANDONED, Call.Disposition.NO_ANSWER):
        call.disposition = Call.Disposition.ANSWERED if call.ended_at else ""
    record_call(
        call,
        "call.answered",
        before,
        str(agent or ""),
        after={"status": call.status, "agent": call.agent_id},
    )
    transaction.on_commit(lambda: signals.call_answered.send(sender=Call, call=call, agent=agent))


def _recompute_hold(call):
    """Hold time from all hold events in time order, whatever order they came in."""
    total = longest = 0
    held_since = None
    for kind, at in rows.hold_events(call):
        if kind == "held" and held_since is None:
            held_since = at
        elif kind == "unheld" and held_since is not None:
            held = (at - held_since).total_seconds()
            total += held
            longest = max(longest, held)
            held_since = None
    call.hold_seconds = int(round(total))
    call.longest_hold_seconds = int(round(longest))
    call.held_since = held_since
    if call.status in (Call.Status.ANSWERED, Call.Status.HELD):
        call.status = Call.Status.HELD if held_since else Call.Status.ANSWERED


def on_hold_change(call, event, created):
    before = {"hold_seconds": call.hold_seconds}
    _recompute_hold(call)
    verb = "call.held" if event.kind == "held" else "call.unheld"
    record_call(call, verb, before, "", after={"hold_seconds": call.hold_seconds})


def on_transferred(call, event, created):
    before = {"agent": call.agent_id, "queue": call.queue.code if call.queue else None}
    call.transfers += 1
    previous = call.agent
    target = find_agent(event.target_agent) if event.target_agent else None
    if previous is not None and target != previous and call.status != Call.Status.ENDED:
        _enter_wrapup(previous, call, event.at)
    if target is not None:
        call.agent = target
        if call.status != Call.Status.ENDED:
            state = agents.locked_state(target)
            agents.call_move(state, AgentStatus.ON_CALL, at=event.at)
    elif event.target_queue:
        _set_queue(call, event.target_queue)
        if call.status != Call.Status.ENDED:
            call.status = Call.Status.QUEUED
            transaction.on_commit(lambda: signals.call_queued.send(sender=Call, call=call))
    record_call(
        call,
        "call.transferred",
        before,
        _("Transferred to %(target)s") % {"target": event.target_agent or event.target_queue},
        after={"agent": call.agent_id, "queue": call.queue.code if call.queue else None},
    )


def _enter_wrapup(agent, call, at):
    state = agents.locked_state(agent)
    if state.status == AgentStatus.ON_CALL:
        limit = call.queue.wrapup_limit_seconds if call.queue else 60
        agents.call_move(state, AgentStatus.WRAP_UP, at=at, wrapup_seconds=limit)
    elif state.status == AgentStatus.RINGING:
        agents.call_move(state, AgentStatus.READY, at=at)


def disposition_for(call, cause) -> str:
    if call.answered_at:
        return Call.Disposition.ANSWERED
    if call.disposition in (
        Call.Disposition.REJECTED,
        Call.Disposition.VOICEMAIL,
        Call.Disposition.CLOSED,
    ):
        return call.disposition
    normal = cause.lower().replace("-", "_")
    if normal in UNANSWERED_CAUSES:
        return UNANSWERED_CAUSES[normal]
    if call.direction == Call.Direction.OUTBOUND:
        return Call.Disposition.NO_ANSWER
    return Call.Disposition.ABANDONED


def on_ended(call, event, created):
    before = {"status": call.status}
    if call.ended_at is not None and call.ended_at <= event.at:
        return
    call.ended_at = event.at
    call.end_cause = event.cause or call.end_cause
    call.hung_up_by = event.hangup_by or call.hung_up_by
    call.status = Call.Status.ENDED
    _recompute_hold(call)
    call.status = Call.Status.ENDED
    call.disposition = disposition_for(call, event.cause)
    if call.agent is not None:
        _enter_wrapup(call.agent, call, event.at)
    record_call(
        call,
        "call.ended",
        before,
        call.get_disposition_display(),
        after={"status": call.status, "disposition": call.disposition},
    )
    transaction.on_commit(lambda: signals.call_ended.send(sender=Call, call=call))


def on_recording(call, event, created):
    before = {"recording_url": call.recording_url}
    call.recording_url = event.url
    record_call(call, "call.recording", before, "", after={"recording_url": event.url})


def record_call(call, verb, before, message, after=None):
    rows.record(
        call,
        verb,
        at=timezone.now(),
        customer_id=call.customer_id,
        message=message,
        before=before,
        after=after or {"status": call.status},
    )


HANDLERS = {
    "offered": on_offered,
    "queued": on_queued,
    "ringing": on_ringing,
    "answered": on_answered,
    "held": on_hold_change,
    "unheld": on_hold_change,
    "transferred": on_transferred,
    "ended": on_ended,
    "recording": on_recording,
}


for _model in (Pbx, Queue, BlockedNumber):
    post_save.connect(forget_cache, sender=_model)
    post_delete.connect(forget_cache, sender=_model)
