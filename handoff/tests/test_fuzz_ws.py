"""Fuzzing a real hub's WebSockets (Hypothesis), visitor and advisor: a malformed frame
gets an ``error`` frame and the socket stays open; a malformed first frame gets an
``error`` frame and a 44xx close. The hub under attack: tests/fuzzing.py.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import fuzzing
from tests.fuzzing import FUZZ_EXAMPLES, NASTY, PHASES, Target

# The hub under attack (module scope: one per module and database).
fuzz_target = fuzzing.fuzz_target

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), NASTY)


JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


FRAME_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["message", "typing", "auth", "x"]) | JSON_VALUE,
        "text": st.text(max_size=30) | NASTY,
        "payload": st.text(max_size=30) | NASTY,
        "typing": st.booleans() | NASTY,
        "conversation_id": st.text(max_size=30) | NASTY,
        "secret": st.text(max_size=10) | NASTY,
        "token": st.text(max_size=10) | NASTY,
        "last_seen_id": st.integers() | NASTY,
    },
)


def _dump(value: Any) -> str:
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as a browser could send.
    return json.dumps(value, ensure_ascii=True)


FRAMES = st.one_of(
    FRAME_FIELDS.map(_dump),
    JSON_VALUE.map(_dump),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
)


async def _frames_until(ws: Any, predicate: Any, timeout: float = 10) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def read() -> None:
        while True:
            frame = json.loads(await ws.recv())
            seen.append(frame)
            if predicate(frame):
                return

    await asyncio.wait_for(read(), timeout)
    return seen


def _check_errors(frames: list[dict[str, Any]]) -> None:
    for frame in frames:
        if frame["type"] == "error":
            assert frame["data"]["error"] != "internal_error", frame
            assert frame["data"]["message"], frame


@dataclass
class Probe:
    """The WebSocket fuzzing's own conversations, out of the HTTP fuzzing's reach: one
    with the bot, one in the chat of advisor "kari" (whom the HTTP fuzzing never uses)."""

    visitor_cid: str
    visitor_secret: str
    chat_cid: str
    kari_token: str
    last_seen: int = 0


def _marker() -> str:
    return f"fortsatt her {secrets.token_hex(4)}"


async def _visitor_frames(base: str, probe: Probe, frames: list[str | bytes]) -> None:
    url = base.replace("http", "ws") + f"/api/conversations/{probe.visitor_cid}/ws"
    async with websockets.connect(url) as ws:
        auth = {"type": "auth", "secret": probe.visitor_secret, "last_seen_id": probe.last_seen}
        await ws.send(_dump(auth))
        await _frames_until(ws, lambda f: f["type"] == "state")
        for frame in frames:
            await ws.send(frame)
        # Still open and working: a message of ours comes back.
        marker = _marker()
        await ws.send(_dump({"type": "message", "text": marker}))
        seen = await _frames_until(
            ws, lambda f: f["type"] == "message" and f["data"]["text"] == marker
        )
        probe.last_seen = seen[-1]["data"]["id"]
        _check_errors(seen)


async def _advisor_frames(base: str, probe: Probe, frames: list[str | bytes]) -> None:
    async with websockets.connect(base.replace("http", "ws") + "/api/advisor/ws") as ws:
        await ws.send(_dump({"type": "auth", "token": probe.kari_token}))
        await _frames_until(ws, lambda f: f["type"] == "queues")
        for frame in frames:
            await ws.send(frame)
        # Still open and working: a message to the visitor comes back as an event.
        marker = _marker()
        await ws.send(_dump({"type": "message", "conversation_id": probe.chat_cid, "text": marker}))
        seen = await _frames_until(
            ws, lambda f: f["type"] == "message" and f["data"]["message"]["text"] == marker
        )
        _check_errors(seen)


def _probe(base: str, kari_token: str) -> Probe:
    opened = [httpx.post(f"{base}/api/conversations", json={}).json() for _ in range(2)]
    chat = opened[1]
    queued = httpx.post(
        f"{base}/api/conversations/{chat['id']}/queue",
        headers={"Authorization": f"Bearer {chat['secret']}"},
        json={},
    )
    assert queued.status_code == 200, queued.text
    token = kari_token
    claimed = httpx.post(
        f"{base}/api/advisor/conversations/{chat['id']}/claim",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert claimed.status_code == 200, claimed.text
    return Probe(opened[0]["id"], opened[0]["secret"], chat["id"], token)


async def _first_frame(url: str, first: str | bytes) -> None:
    async with websockets.connect(url) as ws:
        await ws.send(first)
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "error":
            assert frame["data"]["error"] in {"invalid_request", "unauthorized", "not_found"}
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None and 4400 <= closed.value.rcvd.code < 4500


def test_websocket_frames_get_error_frames_and_keep_the_socket(fuzz_target: Target) -> None:
    base = fuzz_target.hub.url
    probe = _probe(base, fuzz_target.kari_token)

    @settings(
        max_examples=FUZZ_EXAMPLES * 2,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(frames=st.lists(FRAMES, min_size=1, max_size=4), advisor=st.booleans())
    def exchange(frames: list[str | bytes], advisor: bool) -> None:
        if advisor:
            asyncio.run(_advisor_frames(base, probe, frames))
        else:
            asyncio.run(_visitor_frames(base, probe, frames))
        fuzz_target.assert_quiet_log(f"frames {frames!r}")

    exchange()


def test_websocket_first_frames_get_an_error_frame_and_a_44xx_close(fuzz_target: Target) -> None:
    base = fuzz_target.hub.url.replace("http", "ws")
    cid = sorted(fuzz_target.secrets)[0]
    urls = [f"{base}/api/conversations/{cid}/ws", f"{base}/api/advisor/ws"]

    @settings(
        max_examples=FUZZ_EXAMPLES * 2,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(url=st.sampled_from(urls), first=FRAMES)
    def connect(url: str, first: str | bytes) -> None:
        asyncio.run(_first_frame(url, first))
        fuzz_target.assert_quiet_log(f"first frame {first!r}")

    connect()
