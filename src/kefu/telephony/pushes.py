"""Push routing: Kefu tells the PBX where to send a call, instead of the
PBX asking (``acd.route``). A PBX opts in with its ``route_url``; one that
runs its own ACD must not, or Kefu would ring agents the PBX never rings.

Kefu decides for a call of such a PBX when the call starts waiting in a
queue (the PBX's ``queued`` event, or a transfer to a queue), when an agent
becomes ready while calls wait for them, and when a waiting call's
overflow time comes. A decision that does something (ring an agent,
voicemail, message, reject) is posted to the PBX; "wait" is not.

Delivery runs in a thread of the web process beside the request, so the
PBX's event is answered without waiting on the PBX's own web server. A
failed post is tried twice more; given up, the agent it rang is freed, the
call waits again, and pushes to that PBX pause for ``PAUSE`` (the PBX can
still ask). The worker's minute sweep gives up deliveries a stopped process
left behind (without a pause) and decides again for the waiting calls."""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.telephony import acd, agents, cti, rows, signals
from kefu.telephony.models import AgentStatus, Call, Pbx, RoutePush

log = logging.getLogger(__name__)

PAUSE = timedelta(seconds=30)
# Seconds to wait before each further try of a failed post.
RETRY_DELAYS = (0.5, 2.0)
TIMEOUT_SECONDS = 3
# A delivery not finished by then was left by a stopped process.
ABANDONED_AFTER = timedelta(seconds=60)

_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kefu-route-push")


class PushError(Exception):
    pass


def pushes_to(pbx) -> bool:
    return pbx.is_active and bool(pbx.route_url)


def any_pbx_pushes() -> bool:
    """Asked on every agent's return to ready: kept a few seconds, so a
    center whose PBXs all ask pays nothing for push routing."""
    return cti.cached(
        ("pushing-pbx",), lambda: Pbx.objects.filter(is_active=True).exclude(route_url="").exists()
    )


def is_paused(pbx, now) -> bool:
    """A delivery to this PBX was given up on a moment ago."""
    return RoutePush.objects.filter(
        pbx=pbx, status=RoutePush.Status.FAILED, finished_at__gt=now - PAUSE
    ).exists()


def decide(pbx, call_id, *, now=None) -> RoutePush | None:
    """Decide for a waiting call of a pushing PBX; the decision is posted
    after the commit. ``None`` when there is nothing to tell the PBX."""
    now = now or timezone.now()
    if not pushes_to(pbx) or is_paused(pbx, now):
        return None
    with transaction.atomic(), rows.one_unit():
        call = cti.known_call(pbx, call_id)
        if call is None or call.status not in Call.WAITING or call.after_hours:
            return None
        try:
            decision = acd.decide(call, "", now)
        except ValidationError as error:
            # No queue to route in: the PBX's own routing or its request decides.
            log.warning("No routing push for call %s: %s", call_id, error.messages)
            return None
        rows.save_call(call)
        if decision["action"] == "queue":
            return None
        push = RoutePush.objects.create(
            pbx=pbx,
            call_id=call.pk,
            agent_id=call.agent_id if decision["action"] == "agent" else None,
            decision={"call": call.call_id, **decision},
            created_at=now,
        )
        transaction.on_commit(lambda: deliver_soon(push.pk))
    return push


def schedule_overflow(call, now):
    """Decide for the call again at its queue's overflow time, if it is
    still waiting then; once, when the call starts waiting."""
    queue = call.queue
    if queue is None or call.overflowed or not queue.overflow_queue_id:
        return
    if queue.overflow_after_seconds is None:
        return
    eta = call.offered_at + timedelta(seconds=queue.overflow_after_seconds)
    if eta > now:
        from kefu.telephony.tasks import decide_waiting_call

        decide_waiting_call.schedule(args=(call.pbx_id, call.call_id), eta=eta)


def waiting_call_for(agent, now):
    """The (PBX, call id) of the pushing PBXs' waiting call that goes first
    among the queues the agent serves with their skill."""
    return (
        Call.objects.filter(
            status__in=Call.WAITING,
            after_hours=False,
            offered_at__gte=now - acd.STALE_WAIT,
            pbx__is_active=True,
            queue__members__agent=agent,
            queue__members__skill_level__gte=F("queue__min_skill_level"),
        )
        .exclude(pbx__route_url="")
        .order_by("-priority", "offered_at")
        .values_list("pbx_id", "call_id")
        .first()
    )


@receiver(signals.call_queued, dispatch_uid="telephony.push_on_queued")
def call_queued(sender, call, **kwargs):
    if pushes_to(call.pbx):
        decide(call.pbx, call.call_id)
        schedule_overflow(call, timezone.now())


@receiver(signals.agent_state_changed, dispatch_uid="telephony.push_on_ready")
def agent_ready(sender, agent, state, previous, **kwargs):
    if state.status != AgentStatus.READY or not any_pbx_pushes():
        return
    found = waiting_call_for(agent, timezone.now())
    if found is not None:
        decide(Pbx.objects.get(pk=found[0]), found[1])


def deliver_soon(push_id):
    _executor.submit(_deliver_in_thread, push_id)


def _deliver_in_thread(push_id):
    try:
        deliver(push_id)
    except Exception:
        log.exception("Routing push %s failed", push_id)
    finally:
        connections.close_all()


def post_decision(url, decision, token):
    """POST the decision as JSON; the PBX's token tells it the post is Kefu's."""
    import requests

    try:
        response = requests.post(
            url, json=decision, headers={"X-Kefu-Token": token}, timeout=TIMEOUT_SECONDS
        )
    except requests.Timeout as error:
        raise PushError(
            _("no answer within %(seconds)d s") % {"seconds": TIMEOUT_SECONDS}
        ) from error
    except requests.ConnectionError as error:
        raise PushError(_("cannot connect")) from error
    except requests.RequestException as error:
        raise PushError(type(error).__name__) from error
    if not 200 <= response.status_code < 300:
        raise PushError(f"HTTP {response.status_code}")


def is_current(push, call) -> bool:
    """The decision still holds: the call goes on, and still rings the
    agent the decision chose."""
    if call.status == Call.Status.ENDED:
        return False
    if push.agent_id is not None:
        return call.status == Call.Status.RINGING and call.agent_id == push.agent_id
    return True


def _claim(push_id):
    """Take a pending push for one try, or ``None`` (delivered, given up,
    or no longer current, which is then recorded)."""
    with transaction.atomic():
        push = (
            RoutePush.objects.select_for_update()
            .select_related("pbx", "call")
            .filter(pk=push_id, status=RoutePush.Status.PENDING)
            .first()
        )
        if push is None:
            return None
        if not is_current(push, push.call):
            _finish(push, RoutePush.Status.STALE)
            return None
        push.attempts += 1
        push.save(update_fields=["attempts"])
        return push


def _finish(push, status, error=""):
    push.status = status
    push.error = error[:255]
    push.finished_at = timezone.now()
    push.save(update_fields=["status", "error", "finished_at"])


def deliver(push_id) -> RoutePush | None:
    """Post the decision, trying again after each of ``RETRY_DELAYS``."""
    error = None
    for delay in (0, *RETRY_DELAYS):
        if delay:
            time.sleep(delay)
        push = _claim(push_id)
        if push is None:
            return None
        try:
            post_decision(push.pbx.route_url, push.decision, push.pbx.token)
        except PushError as failure:
            error = failure
            continue
        with transaction.atomic():
            _finish(push, RoutePush.Status.SENT)
        return push
    give_up(push, str(error))
    return push


@transaction.atomic
def give_up(push, error, status=RoutePush.Status.FAILED):
    """The PBX did not get the decision: free the agent it rang (the call
    waits again). A failure pauses pushes to the PBX; a lost push does not."""
    log.warning("Routing push %s to %s given up: %s", push.pk, push.pbx, error)
    _finish(push, status, error)
    with rows.one_unit():
        call = cti.known_call(push.pbx, push.call.call_id)
        if call is None or not is_current(push, call):
            return
        before = {"status": call.status, "agent": call.agent_id}
        if push.agent_id is not None:
            state = agents.locked_state(call.agent)
            agents.call_move(state, AgentStatus.READY, at=timezone.now())
            call.agent = None
            call.extension = ""
            call.status = Call.Status.QUEUED
        cti.record_call(
            call,
            "call.push_failed",
            before,
            error,
            after={"status": call.status, "agent": call.agent_id},
        )
        rows.save_call(call)


def sweep(now=None) -> int:
    """The worker's minute: give up deliveries a stopped process left, and
    decide again for every waiting call of a pushing PBX (a PBX whose
    pause ended, or a decision lost). Returns the decisions pushed."""
    now = now or timezone.now()
    left = RoutePush.objects.filter(
        status=RoutePush.Status.PENDING, created_at__lt=now - ABANDONED_AFTER
    ).select_related("pbx", "call")
    for push in left:
        error = _("not delivered within %(seconds)d s") % {"seconds": ABANDONED_AFTER.seconds}
        give_up(push, error, RoutePush.Status.LOST)
    pushed = 0
    for pbx in Pbx.objects.filter(is_active=True).exclude(route_url=""):
        waiting = (
            Call.objects.filter(
                pbx=pbx,
                status__in=Call.WAITING,
                after_hours=False,
                offered_at__gte=now - acd.STALE_WAIT,
            )
            .order_by("-priority", "offered_at")
            .values_list("call_id", flat=True)
        )
        for call_id in waiting:
            pushed += decide(pbx, call_id, now=now) is not None
    return pushed
