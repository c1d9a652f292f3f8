"""Pushes are handed to an event loop and not waited for."""

import asyncio

from channels.layers import get_channel_layer

from kefu.desk import push


def test_a_process_without_a_server_delivers_from_a_loop_of_its_own(monkeypatch):
    monkeypatch.setattr(push, "_server_loop", [None])
    layer = get_channel_layer()
    loop = push._delivery_loop()
    assert loop.is_running() and push._delivery_loop() is loop

    def on_loop(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(5)

    channel = on_loop(layer.new_channel())
    on_loop(layer.group_add("desk.test", channel))
    push._deliver([("desk.test", {"type": "board.changed"}), ("desk.test", {"type": "x"})])
    assert on_loop(layer.receive(channel)) == {"type": "board.changed"}
    assert on_loop(layer.receive(channel)) == {"type": "x"}
    on_loop(layer.group_discard("desk.test", channel))


def test_a_failed_delivery_is_logged(monkeypatch, caplog):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(push, "get_channel_layer", Broken)
    push._deliver([("desk.test", {"type": "board.changed"})])
    # The failure is logged on the loop, after the delivery.
    asyncio.run_coroutine_threadsafe(asyncio.sleep(0.05), push._delivery_loop()).result(5)
    assert "A push was not delivered" in caplog.text
