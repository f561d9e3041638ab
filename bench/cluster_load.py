"""The visitors of the cluster benchmark (bench/cluster_bench.py): conversations opened
through nginx, one WebSocket each, and two ways of sending.

- :func:`typist` (open loop): each visitor sends a question every ``interval`` seconds
  from a random phase, whether or not the earlier ones have their answers.
- :func:`saturate` (closed loop): each visitor sends the next question as soon as the
  first frame of the answer to the last one is there.

A send is timed from ``ws.send`` to the first frame of the bot's answer to *that*
message. The hub echoes every stored visitor message as a ``message`` frame (its id);
which bot message answers which visitor message is the hub's own record
(``messages.reply_to``), read after the phase (:func:`match`), so an answer that comes
late, after the next question was sent, is still counted for its own question.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

# Our own everyday questions (not from any evaluation set).
QUESTIONS = [
    "hvordan søker jeg dagpenger",
    "når kommer pengene mine",
    "jeg er syk, hva gjør jeg",
    "hva er foreldrepenger",
    "takk for hjelpen",
    "hvor finner jeg meldekortet",
]
UNAVAILABLE = "Chatboten svarer ikke akkurat nå"


@dataclass
class Send:
    conversation: str
    text: str
    at: float  # time.perf_counter() at ws.send
    message_id: int | None = None  # the hub's id for it, from its echo


@dataclass
class Record:
    """What the visitors of one phase saw."""

    sends: list[Send] = field(default_factory=list)
    seen: dict[int, float] = field(default_factory=dict)  # bot/system message id -> first frame
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    notices: int = 0  # "the bot is not answering" frames

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


@dataclass
class Opened:
    id: str
    secret: str
    last_id: int


async def open_conversations(base: str, count: int, record: Record, batch: int = 50) -> list[Opened]:
    """``count`` conversations (each with the bot's welcome), ``batch`` at a time."""
    opened: list[Opened] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for start in range(0, count, batch):
            answers = await asyncio.gather(
                *(client.post("/api/conversations", json={"page": "/dagpenger"})
                  for _ in range(min(batch, count - start))),
                return_exceptions=True,
            )  # fmt: skip
            for r in answers:
                if isinstance(r, BaseException):
                    record.error(f"open: {type(r).__name__}")
                elif r.status_code != 201:
                    record.error(f"open: HTTP {r.status_code}")
                else:
                    body = r.json()
                    last = body["messages"][-1]["id"] if body["messages"] else 0
                    opened.append(Opened(body["id"], body["secret"], last))
    return opened


class Talk:
    """One visitor's WebSocket: sends, and reads every frame into the record."""

    def __init__(self, base: str, conv: Opened, record: Record) -> None:
        self.url = base.replace("http", "ws", 1) + f"/api/conversations/{conv.id}/ws"
        self.conv, self.record = conv, record
        self.ws: Any = None
        self.unechoed: collections.deque[Send] = collections.deque()
        self.newest_reply = 0  # the highest bot/system message id seen
        self.changed = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None

    async def connect(self) -> bool:
        try:
            self.ws = await websockets.connect(self.url, open_timeout=60, max_size=2**20)
            await self.ws.send(json.dumps({"type": "auth", "secret": self.conv.secret,
                                           "last_seen_id": self.conv.last_id}))  # fmt: skip
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            self.record.error(f"websocket connect: {type(exc).__name__}")
            return False
        self.reader = asyncio.create_task(self._read())
        return True

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame["type"] == "error":
                    self.record.error(f"error frame: {frame['data'].get('error', '?')}")
                if frame["type"] != "message":
                    continue
                data = frame["data"]
                if data["sender"] == "visitor":
                    self._echoed(data["text"], int(data["id"]))
                elif data["sender"] in ("bot", "system"):
                    self.record.seen.setdefault(int(data["id"]), now)
                    if data["sender"] == "system" and UNAVAILABLE in data["text"]:
                        self.record.notices += 1
                    self.newest_reply = max(self.newest_reply, int(data["id"]))
                self.changed.set()
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code != 1000:
                self.record.error(f"websocket closed: {exc.rcvd.code if exc.rcvd else 'no close frame'}")

    def _echoed(self, text: str, message_id: int) -> None:
        """The oldest send with this text not yet echoed gets the id (a refused send has
        no echo; matching by text keeps it from shifting the others)."""
        for s in self.unechoed:
            if s.text == text and s.message_id is None:
                s.message_id = message_id
                self.unechoed.remove(s)
                return
        self.record.error("echo of a message not sent")

    async def send(self) -> Send | None:
        text = random.choice(QUESTIONS)
        s = Send(self.conv.id, text, time.perf_counter())
        self.unechoed.append(s)
        self.record.sends.append(s)
        try:
            await self.ws.send(json.dumps({"type": "message", "text": text}))
        except websockets.WebSocketException as exc:
            self.record.error(f"send: {type(exc).__name__}")
            return None
        return s

    async def answered(self, s: Send, timeout: float) -> bool:
        """Wait for the first frame of the answer to ``s`` (closed loop: everything before
        it was answered, so the first bot/system message after its echo is its answer)."""
        deadline = time.monotonic() + timeout
        while s.message_id is None or self.newest_reply <= s.message_id:
            left = deadline - time.monotonic()
            if left <= 0 or self.reader is None or self.reader.done():
                return False
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        return True

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


async def connect_all(base: str, convs: list[Opened], record: Record, batch: int = 100) -> list[Talk]:
    talks: list[Talk] = []
    for start in range(0, len(convs), batch):
        group = [Talk(base, c, record) for c in convs[start : start + batch]]
        ok = await asyncio.gather(*(t.connect() for t in group))
        talks += [t for t, good in zip(group, ok, strict=True) if good]
    await asyncio.sleep(1)  # every socket's first sync (state) is there
    return talks


async def typist(talks: list[Talk], seconds: float, interval: float) -> float:
    """Open loop: every visitor sends every ``interval`` s from a random phase, for
    ``seconds``; returns when the last send is made (the answers come later)."""
    began = time.monotonic()

    async def one(t: Talk) -> None:
        due = began + random.uniform(0, interval)
        while due < began + seconds:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            await t.send()
            due += interval

    await asyncio.gather(*(one(t) for t in talks))
    return time.monotonic() - began


async def saturate(talks: list[Talk], seconds: float, timeout: float) -> float:
    """Closed loop: every visitor sends as soon as its last message has the first frame of
    its answer, for ``seconds`` (the last answers come after)."""
    began = time.monotonic()

    async def one(t: Talk) -> None:
        while time.monotonic() < began + seconds:
            s = await t.send()
            if s is None or not await t.answered(s, timeout):
                return  # unanswered: counted by match(); this visitor stops
            await asyncio.sleep(0)

    await asyncio.gather(*(one(t) for t in talks))
    return time.monotonic() - began


@dataclass
class Matched:
    latencies: list[float]
    answered_at: list[float]  # perf_counter of each answer's first frame
    errors: collections.Counter[str]


def match(record: Record, first_reply: dict[int, int]) -> Matched:
    """Each send's latency: to the first frame of the first bot message whose
    ``reply_to`` is that send's message (``first_reply``: visitor id -> bot id, from the
    hub's database). A send without one is an error, by kind."""
    latencies: list[float] = []
    answered_at: list[float] = []
    errors = collections.Counter(record.errors)
    for s in record.sends:
        if s.message_id is None:
            errors["not stored (no echo)"] += 1
            continue
        bot = first_reply.get(s.message_id)
        if bot is None:
            errors["no bot answer"] += 1
        elif bot not in record.seen:
            errors["answer stored, never reached the socket"] += 1
        else:
            latencies.append(record.seen[bot] - s.at)
            answered_at.append(record.seen[bot])
    if record.notices:
        errors["of which the hub said the bot is not answering"] = record.notices
    return Matched(latencies, answered_at, errors)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")
