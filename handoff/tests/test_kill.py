"""``kill -9`` of the hub on PostgreSQL while visitors are sending, audited afterwards.

Visitors send as fast as they can (over HTTP, where the 201 is the acknowledgement,
and over WebSocket, where the echo of the message is) while their earlier messages
wait for a bot that takes its time; the hub gets SIGKILL in the middle of it. A new
hub on the same database then has to show, for every conversation:

- every acknowledged message stored exactly once, with the id it was acknowledged with;
- no message stored twice, and nothing stored that no visitor sent;
- ids in the order the messages were acknowledged;
- no visitor message left waiting for the bot: each gets the bot's answer or the
  notice that it was lost (hub.core.recover_lost_replies).

(test_e2e.py has the SQLite crash tests: one queued visitor, one message waiting.)
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text

from hub.db.engine import create_engine
from tests.conftest import _truncate
from tests.fake_rasa import FakeRasa
from tests.live import HUB_ENV, Visitor
from tests.stack import free_port, start_hub

pytestmark = pytest.mark.postgres

HTTP_VISITORS = 6
WS_VISITORS = 2
MIN_ACKED = 80
ENV = {
    **HUB_ENV,
    "HUB_MESSAGES_PER_MINUTE": "100000",
    "HUB_CONVERSATIONS_PER_MINUTE": "0",
}


class Sent:
    """What one visitor sent, and what the hub acknowledged (text -> message id)."""

    def __init__(self, v: Visitor) -> None:
        self.v = v
        self.attempted: list[str] = []
        self.acked: dict[str, int] = {}

    def next_text(self) -> str:
        text = f"{self.v.id[-6:]} melding {len(self.attempted)}"
        self.attempted.append(text)
        return text


async def _http_load(base: str, sent: Sent, stop: asyncio.Event) -> None:
    url = f"{base}/api/conversations/{sent.v.id}/messages"
    async with httpx.AsyncClient(headers=sent.v.headers, timeout=5) as client:
        while not stop.is_set():
            text = sent.next_text()
            try:
                r = await client.post(url, json={"text": text})
            except httpx.HTTPError:
                return  # the hub is gone: this one was in flight
            assert r.status_code == 201, r.text
            sent.acked[text] = r.json()["message"]["id"]


async def _ws_load(sent: Sent, stop: asyncio.Event) -> None:
    try:
        async with websockets.connect(sent.v.ws_url()) as ws:
            last = sent.v.first[-1]["id"]
            await ws.send(
                json.dumps({"type": "auth", "secret": sent.v.secret, "last_seen_id": last})
            )
            waiting: str | None = None
            while not stop.is_set():
                if waiting is None:
                    waiting = sent.next_text()
                    await ws.send(json.dumps({"type": "message", "text": waiting}))
                frame = json.loads(await ws.recv())
                data = frame["data"]
                assert frame["type"] != "error", frame
                if frame["type"] == "message" and data["sender"] == "visitor":
                    assert data["text"] == waiting
                    sent.acked[waiting] = data["id"]  # the echo: stored
                    waiting = None
    except (websockets.ConnectionClosed, OSError):
        return  # the hub is gone


async def _all_messages(base: str, v: Visitor) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    async with httpx.AsyncClient(headers=v.headers, timeout=10) as client:
        while True:
            after = found[-1]["id"] if found else 0
            r = await client.get(f"{base}/api/conversations/{v.id}", params={"after": after})
            assert r.status_code == 200, r.text
            page = r.json()["messages"]
            if not page:
                return found
            found.extend(page)


async def _awaiting_bot(url: str) -> int:
    engine = create_engine(url, null_pool=True)
    try:
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(text("SELECT count(*) FROM messages WHERE awaiting_bot"))
                ).scalar_one()
            )
    finally:
        await engine.dispose()


async def test_kill_9_with_messages_in_flight_loses_and_duplicates_nothing(
    pg_database: str, tmp_path: Path
) -> None:
    await asyncio.to_thread(_truncate, pg_database)
    port = free_port()
    with FakeRasa(delay=0.3) as rasa:
        first = start_hub(port=port, database_url=pg_database, rasa_url=rasa.url, env=ENV)
        try:
            visitors = [Visitor(first.url) for _ in range(HTTP_VISITORS + WS_VISITORS)]
            sent = [Sent(v) for v in visitors]
            stop = asyncio.Event()
            load = [
                asyncio.create_task(_http_load(first.url, s, stop)) for s in sent[:HTTP_VISITORS]
            ] + [asyncio.create_task(_ws_load(s, stop)) for s in sent[HTTP_VISITORS:]]
            # Kill once the load is real: enough acknowledged, and replies in flight.
            deadline = time.monotonic() + 30
            waiting_at_kill = 0
            while time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                waiting_at_kill = await _awaiting_bot(pg_database)
                if sum(len(s.acked) for s in sent) >= MIN_ACKED and waiting_at_kill:
                    break
        finally:
            await asyncio.to_thread(first.kill)  # SIGKILL: no shutdown handlers run
        stop.set()
        await asyncio.gather(*load)
        assert first.proc.returncode == -9

        acked = sum(len(s.acked) for s in sent)
        attempted = sum(len(s.attempted) for s in sent)
        assert acked >= MIN_ACKED, (acked, attempted)  # a real load, not a handful
        assert waiting_at_kill > 0  # the bot had replies in flight too
        print(
            f"\nkilled with {attempted} sent, {acked} acknowledged, {waiting_at_kill} awaiting the bot"
        )

        second = start_hub(
            port=port,
            database_url=pg_database,
            rasa_url=rasa.url,
            env={**ENV, "HUB_RASA_TIMEOUT_SECONDS": "0.5", "HUB_SWEEP_SECONDS": "0.5"},
        )
        try:
            for s in sent:
                stored = await _all_messages(second.url, s.v)
                mine = [m for m in stored if m["sender"] == "visitor"]
                counts = Counter(m["text"] for m in mine)
                assert [t for t, n in counts.items() if n > 1] == [], "stored twice"
                assert set(counts) <= set(s.attempted), "stored but never sent"
                ids = {m["text"]: m["id"] for m in mine}
                for t, message_id in s.acked.items():
                    assert ids.get(t) == message_id, (
                        f"acknowledged {t!r} as {message_id}, stored as {ids.get(t)}"
                    )
                in_ack_order = [ids[t] for t in s.attempted if t in s.acked]
                assert in_ack_order == sorted(in_ack_order)
            # Replies lost in the crash are found (older than the bot's timeout allows)
            # and each visitor is told: nothing is left waiting.
            deadline = time.monotonic() + 30
            left = await _awaiting_bot(pg_database)
            while left and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                left = await _awaiting_bot(pg_database)
            assert left == 0
        finally:
            second.stop()
    log = second.log.read_text(errors="replace")
    assert '"level": "error"' not in log, second.log_tail(60)
