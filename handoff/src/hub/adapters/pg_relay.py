"""Broker events between hub instances, over PostgreSQL LISTEN/NOTIFY.

Each instance publishes its events locally and, through this relay, with
``pg_notify`` on one channel; every instance listens there and delivers what the
others sent to its own subscribers. Delivery stays best effort, as inside one
process: the database is the record, and a visitor's or advisor's connection
re-reads it on every hint and on its poll. So a lost notification (a restart, a
dropped connection, a full send queue) delays an update to the next poll; it never
loses a message. Typing indicators, which exist only as events, reach the other
instances this way too.

PostgreSQL caps a notification's payload at 8000 bytes: a larger event is sent as
the bare hint (``sync``) for its conversation.

A dropped connection: whatever the others sent while this instance was not listening
is gone, so once it listens again every local subscription gets a ``sync`` (a visitor's
socket re-reads its messages after its last id and its state, an advisor's the queues
and its chats' newest ids) instead of waiting for its poll. The event this instance was
sending when its sending connection failed is sent again on the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from hub.adapters.broker import Broker, Event, event

log = logging.getLogger("hub.pg_relay")

CHANNEL = "hub_events"
MAX_PAYLOAD_BYTES = 7900
RECONNECT_SECONDS = 2.0


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL ("postgresql+asyncpg://…") as a plain libpq DSN for asyncpg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def encode(origin: str, channel: str, ev: Event) -> str | None:
    """The notification payload, or None when even the bare hint would not fit."""
    payload = json.dumps({"o": origin, "c": channel, "e": ev}, ensure_ascii=False)
    if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
        return payload
    if channel.startswith("conv:"):
        return json.dumps({"o": origin, "c": channel, "e": event("sync")})
    return None


def decode(origin: str, payload: str) -> tuple[str, Event] | None:
    """(channel, event) of another instance's notification; None for ours or junk."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("o") == origin:
        return None
    channel, ev = data.get("c"), data.get("e")
    if not isinstance(channel, str) or not isinstance(ev, dict) or "type" not in ev:
        return None
    return channel, ev


class PgRelay:
    """Sends this instance's events to the others and delivers theirs here."""

    def __init__(self, broker: Broker, database_url: str, queue_size: int = 10_000) -> None:
        self.broker = broker
        self.dsn = asyncpg_dsn(database_url)
        self.origin = uuid.uuid4().hex
        self._outgoing: asyncio.Queue[tuple[str, Event]] = asyncio.Queue(queue_size)
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[Any] | None = None
        self.sent = 0
        self.received = 0
        self.reconnects = 0

    async def start(self) -> None:
        """Listens before anything is sent, so no event of ours is missed by a peer
        that starts at the same time; fails if PostgreSQL does not answer."""
        self._listener = await self._listen()
        self.broker.forward = self._enqueue
        self._task = asyncio.create_task(self._run(), name="pg-relay")

    async def stop(self) -> None:
        self.broker.forward = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    def _enqueue(self, channel: str, ev: Event) -> None:
        try:
            self._outgoing.put_nowait((channel, ev))
        except asyncio.QueueFull:
            log.warning("relay queue full: peers catch up at their next poll")

    async def _listen(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(self.dsn)
        await conn.add_listener(CHANNEL, self._on_notification)
        return conn

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        found = decode(self.origin, payload)
        if found is not None:
            self.received += 1
            self.broker.deliver(*found)

    async def _run(self) -> None:
        """Sends queued events in order; reconnects both connections after a failure."""
        sender: asyncpg.Connection | None = None
        unsent: tuple[str, Event] | None = None
        while True:
            try:
                if self._listener is None or self._listener.is_closed():
                    self._listener = await self._listen()
                    self.reconnects += 1
                    log.info("relay listening again; local connections re-read")
                    # What the others sent meanwhile was missed: everyone here catches up.
                    self.broker.deliver_to_everyone(event("sync"))
                if sender is None or sender.is_closed():
                    sender = await asyncpg.connect(self.dsn)
                if unsent is None:
                    try:
                        unsent = await asyncio.wait_for(self._outgoing.get(), RECONNECT_SECONDS)
                    except TimeoutError:
                        continue  # look at the connections again
                channel, ev = unsent
                payload = encode(self.origin, channel, ev)
                if payload is not None:
                    await sender.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
                    self.sent += 1
                unsent = None
            except asyncio.CancelledError:
                if sender is not None:
                    with contextlib.suppress(Exception):
                        await sender.close()
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("relay connection failed, retrying", extra={"error": str(exc)})
                sender = None
                await asyncio.sleep(RECONNECT_SECONDS)
