"""The WebSocket streams in process: a stand-in socket, the test clock, a real database
(SQLite and PostgreSQL). Over real sockets they are tested in test_e2e.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hub.adapters.broker import Broker, event
from hub.api.ws import AdvisorStream, VisitorStream
from hub.core import Hub
from hub.db.base import Sender
from hub.db.unit import unit_of_work
from hub.services import conversations as conv_svc
from tests.conftest import new_advisor


class FakeSocket:
    """What the streams use of Sanic's WebSocket: send, iterate, close."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.incoming: asyncio.Queue[str | None] = asyncio.Queue()

    async def send(self, data: str) -> None:
        self.sent.append(json.loads(data))

    def __aiter__(self) -> FakeSocket:
        return self

    async def __anext__(self) -> str:
        item = await self.incoming.get()
        if item is None:
            raise StopAsyncIteration
        return item

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.incoming.put_nowait(None)

    def of(self, kind: str) -> list[Any]:
        return [f["data"] for f in self.sent if f["type"] == kind]


async def until(check: Callable[[], bool], timeout: float = 5) -> None:
    async def wait() -> None:
        # The streams under test set no event a test could wait on: poll.
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    await asyncio.wait_for(wait(), timeout)


class Counted:
    """Counts a stream's database reads, so a test knows an event was handled."""

    def __init__(self, stream: Any, method: str) -> None:
        self.calls = 0
        original = getattr(stream, method)

        async def counted(*args: Any, **kwargs: Any) -> None:
            await original(*args, **kwargs)
            self.calls += 1

        setattr(stream, method, counted)


@pytest.fixture
async def running() -> AsyncIterator[Callable[[Any], FakeSocket]]:
    """Start a stream on a fake socket; closed and awaited at the end."""
    started: list[tuple[FakeSocket, asyncio.Task[None]]] = []

    def start(stream: Any) -> FakeSocket:
        started.append((stream.ws, asyncio.create_task(stream.run())))
        return stream.ws  # type: ignore[no-any-return]

    yield start
    for sock, task in started:
        await sock.close()
        await asyncio.wait_for(task, 5)


async def _queued(hub: Hub) -> tuple[str, str]:
    conv, secret, _ = await hub.visitors.open("/dagpenger")
    await hub.visitors.request_queue(conv.id, secret, None)
    return conv.id, secret


async def test_a_connected_visitor_stays_in_the_queue_on_a_busy_hub(hub, clock, running) -> None:  # type: ignore[no-untyped-def]
    """Queue events more often than the poll interval, for longer than
    HUB_QUEUE_ABSENT_SECONDS: the connection is never quiet, yet the visitor is there."""
    await new_advisor(hub, "kari")
    cid, secret = await _queued(hub)
    stream = VisitorStream(hub, FakeSocket(), cid, secret, 0)  # type: ignore[arg-type]
    # A queue event re-reads the visitor's place (sync_place), and with presence due
    # their whole state, marking them present (sync).
    syncs, places = Counted(stream, "sync"), Counted(stream, "sync_place")
    sock = running(stream)
    await until(lambda: bool(sock.of("state")))
    step = hub.settings.ws_poll_seconds * 2 / 3
    for _ in range(int(hub.settings.queue_absent_seconds / step) + 2):
        clock.advance(seconds=step)
        before = syncs.calls + places.calls
        hub.broker.publish("queues", event("queues"))  # another visitor joined, say
        await until(lambda: syncs.calls + places.calls > before)  # noqa: B023
        assert await hub.sweeps.absent() == []
    assert sock.of("state")[-1]["owner"] == "queue"


async def test_a_disconnected_visitor_still_leaves_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    cid, _ = await _queued(hub)
    clock.advance(seconds=hub.settings.queue_absent_seconds + 1)
    assert await hub.sweeps.absent() == [cid]


async def test_the_console_is_told_each_chats_newest_message_on_a_busy_hub(
    hub, clock, running
) -> None:  # type: ignore[no-untyped-def]
    kari, token = await new_advisor(hub, "kari")
    cid, _ = await _queued(hub)
    await hub.advisors.claim(kari, cid)
    stream = AdvisorStream(hub, FakeSocket(), kari, token)  # type: ignore[arg-type]
    queues = Counted(stream, "send_queues")
    sock = running(stream)
    await until(lambda: queues.calls == 1)
    # A message whose event never reached this console (another broker: no delivery).
    async with unit_of_work(hub.sessions, Broker()) as u:
        conv = await conv_svc.get(u, cid)
        lost = await conv_svc.add_message(u, conv, Sender.visitor, "Er du der?", clock.now())
    hub.broker.publish("queues", event("queues"))
    await until(lambda: queues.calls == 2)
    assert sock.of("chats") == []  # not yet: once per poll interval
    clock.advance(seconds=hub.settings.ws_poll_seconds)
    hub.broker.publish("queues", event("queues"))  # busy: never a quiet poll interval
    await until(lambda: bool(sock.of("chats")))
    assert sock.of("chats") == [[{"conversation_id": cid, "last_message_id": lost.id}]]
    assert [m["message"]["text"] for m in sock.of("message")] == []
