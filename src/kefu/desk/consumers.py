"""WebSocket consumers: an agent's desktop and the supervisors' wallboard."""

import asyncio
import contextlib

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from kefu.desk.push import WALLBOARD_GROUP, agent_group
from kefu.telephony.services import wallboard

# A wallboard refreshes at most this often, and at least this often when
# nothing happens (time in state and waiting times keep counting).
MIN_REFRESH = 1.0
IDLE_REFRESH = 5.0


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_center_staff:
            await self.close()
            return
        self.group = agent_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def call_pop(self, event):
        url = reverse("desk:pop", args=[event["call"]])
        await self.send_json({"type": "pop", "url": url, "caller": event["caller"]})

    async def call_update(self, event):
        url = reverse("desk:pop", args=[event["call"]])
        await self.send_json({"type": "update", "url": url})

    async def state_changed(self, event):
        await self.send_json({"type": "state", "status": event["status"]})


class WallboardConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_supervising:
            await self.close()
            return
        self.user = user
        self.dirty = asyncio.Event()
        await self.channel_layer.group_add(WALLBOARD_GROUP, self.channel_name)
        await self.accept()
        await self.push()
        self.loop = asyncio.ensure_future(self.refresh_loop())

    async def disconnect(self, code):
        if hasattr(self, "loop"):
            self.loop.cancel()
        await self.channel_layer.group_discard(WALLBOARD_GROUP, self.channel_name)

    async def board_changed(self, event):
        self.dirty.set()

    async def refresh_loop(self):
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.dirty.wait(), timeout=IDLE_REFRESH)
            self.dirty.clear()
            await self.push()
            await asyncio.sleep(MIN_REFRESH)

    async def push(self):
        snapshot = await database_sync_to_async(self.snapshot)()
        await self.send_json({"type": "board", "board": snapshot})

    def snapshot(self):
        # State names in the language the page was shown in.
        with translation.override(language_of(self.scope)):
            return wallboard(self.user)


def language_of(scope) -> str:
    """The language Django's LocaleMiddleware would choose: the language
    cookie, else the browser's Accept-Language, else the default."""
    headers = dict(scope.get("headers") or [])
    cookies = scope.get("cookies") or {}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if not chosen:
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        for code, _quality in parse_accept_lang_header(accept):
            if code == "*":
                continue
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    try:
        return translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE
