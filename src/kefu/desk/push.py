"""What the telephony module announces, pushed to browsers over Channels:
the ringing call to its agent's desktop (screen pop), and a nudge to every
wallboard, which then fetches its own scoped snapshot.

Inside a request the pushes wait for the response and go out together
(``OneDeliveryMiddleware``): a routing decision or a batch of CTI events
makes many. Nothing waits for a delivery: the pushes are handed to the
event loop that serves the browsers' connections (``serve_from``, the
server's under ``kefu serve``), or, in a process without one (a command,
the worker), to a loop of this module's own, so a PBX has its answer
without waiting for the browsers."""

import asyncio
import logging
import threading
import time
from contextvars import ContextVar

from channels.layers import get_channel_layer
from django.dispatch import receiver

from kefu.telephony import signals

WALLBOARD_GROUP = "desk.wallboard"
# Many events a second must not become many wallboard refreshes.
NUDGE_INTERVAL = 0.5
_last_nudge = [0.0]


def agent_group(user_id) -> str:
    return f"desk.agent.{user_id}"


_outbox: ContextVar[list | None] = ContextVar("desk_push_outbox", default=None)


def _send(group, message):
    outbox = _outbox.get()
    if outbox is None:
        _deliver([(group, message)])
    else:
        outbox.append((group, message))


logger = logging.getLogger(__name__)
_server_loop: list[asyncio.AbstractEventLoop | None] = [None]
_own_loop: list[asyncio.AbstractEventLoop | None] = [None]
_own_loop_lock = threading.Lock()


def serve_from(loop):
    """Pushes go out from ``loop``, where the browsers' connections live."""
    _server_loop[0] = loop


def _delivery_loop():
    loop = _server_loop[0]
    if loop is not None and loop.is_running():
        return loop
    with _own_loop_lock:
        if _own_loop[0] is None:
            _own_loop[0] = asyncio.new_event_loop()
            threading.Thread(target=_own_loop[0].run_forever, name="desk-push", daemon=True).start()
        return _own_loop[0]


def _deliver(messages):
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all():
        for group, message in messages:
            await layer.group_send(group, message)

    future = asyncio.run_coroutine_threadsafe(send_all(), _delivery_loop())
    future.add_done_callback(_log_failure)


def _log_failure(future):
    if not future.cancelled() and future.exception() is not None:
        logger.error("A push was not delivered", exc_info=future.exception())


class OneDeliveryMiddleware:
    """Delivers the pushes of a request once it is answered. They are
    queued after the commits of what they announce, so they go out even
    when the request fails later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        outbox = []
        token = _outbox.set(outbox)
        try:
            return self.get_response(request)
        finally:
            _outbox.reset(token)
            _deliver(outbox)


@receiver(signals.call_ringing)
def pop_on_ringing(sender, call, agent, **kwargs):
    if agent is not None:
        _send(agent_group(agent.pk), {"type": "call.pop", "call": call.pk, "caller": call.caller})


@receiver(signals.call_ended)
def end_on_desktop(sender, call, **kwargs):
    if call.agent_id:
        _send(agent_group(call.agent_id), {"type": "call.update", "call": call.pk})
    nudge_wallboards()


@receiver(signals.agent_state_changed)
def state_on_desktop(sender, agent, state, previous, **kwargs):
    _send(agent_group(agent.pk), {"type": "state.changed", "status": state.status})
    nudge_wallboards()


@receiver(signals.call_offered)
@receiver(signals.call_answered)
def call_on_wallboards(sender, call, **kwargs):
    nudge_wallboards()


def nudge_wallboards(force=False):
    now = time.monotonic()
    if not force and now - _last_nudge[0] < NUDGE_INTERVAL:
        return
    _last_nudge[0] = now
    _send(WALLBOARD_GROUP, {"type": "board.changed"})
