"""Malformed input gets a clear 4xx (or an ``error`` frame), never a 500: lone
surrogates, NUL, deep nesting, non-ASCII digits, ids past 32 bits. The rules
(hub.inputs), then a real hub on SQLite and on PostgreSQL over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import text

from hub.db.engine import create_engine
from hub.errors import InvalidRequest
from hub.rules.inputs import MAX_ID, MAX_JSON_DEPTH, check_json, int_arg, is_id, parse_json
from tests.conftest import CLOSED_PORT_URL, _truncate
from tests.live import HUB_ENV, Visitor, create_advisor, login, next_frame
from tests.stack import Proc, start_hub

BOT_SECRET = "test-bot-secret"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# ---- the rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        '{"text": "\\ud800"}',
        '{"\\udc00": 1}',
        '{"text": "a\\u0000b"}',
        '["ok", ["\\u0000"]]',
        nested(MAX_JSON_DEPTH + 1),
        nested(1000),
        nested(100_000),
        '{"a":' * 1000 + "1" + "}" * 1000,
        "1" * 5000,  # longer than Python reads as an int
        b"\xff\xfe",
        "{not json",
    ],
)
def test_parse_json_refuses_what_cannot_be_stored_or_read(raw: str | bytes) -> None:
    with pytest.raises(InvalidRequest):
        parse_json(raw)


def test_parse_json_accepts_ordinary_bodies_up_to_the_depth() -> None:
    assert parse_json('{"text": "Hei på deg \\ud83d\\ude00"}') == {"text": "Hei på deg 😀"}
    assert parse_json(nested(MAX_JSON_DEPTH)) is not None
    check_json({"transcript": [{"sender": "visitor", "text": "æøå"}]})


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "1.5", "", " 1", "1" * 20, str(MAX_ID + 1)])
def test_int_arg_takes_ascii_digits_within_the_range(raw: str) -> None:
    with pytest.raises(InvalidRequest):
        int_arg(raw, 0, 0, MAX_ID, "feil")


def test_int_arg_default_and_bounds() -> None:
    assert int_arg(None, 30, 1, 365, "feil") == 30
    assert int_arg("365", 30, 1, 365, "feil") == 365
    assert int_arg(str(MAX_ID), 0, 0, MAX_ID, "feil") == MAX_ID
    with pytest.raises(InvalidRequest):
        int_arg("0", 30, 1, 365, "feil")


def test_ids_are_64_bit_non_negative_integers() -> None:
    assert is_id(0) and is_id(2**31) and is_id(MAX_ID)
    assert not any(is_id(v) for v in (-1, MAX_ID + 1, True, 1.0, "1", None))


# ---- a real hub on both databases ---------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proc, str]]:
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('malformed') / 'hub.db'}"
    create_advisor(url, "ola")
    proc = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, bot_secret=BOT_SECRET, env=HUB_ENV)
    yield proc, url
    proc.stop()
    log = proc.log.read_text(errors="replace")
    assert "unhandled error" not in log and '"level": "error"' not in log, proc.log_tail(80)


def _cases(v: Visitor, token: str) -> list[tuple[str, str, dict[str, Any]]]:
    c = f"/api/conversations/{v.id}"
    auth = {"Authorization": f"Bearer {token}"}
    bot = {"Authorization": f"Bearer {BOT_SECRET}"}
    handoff = '{"conversation_id": "%s", "reason": "urgent", "topic": "helse"}'
    return [
        ("POST", c + "/messages", {"headers": v.headers, "content": b'{"text": "\\ud800"}'}),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "content": b'{"text": "hei", "payload": "\\udfff"}'},
        ),
        ("POST", c + "/messages", {"headers": v.headers, "content": b'{"text": "a\\u0000b"}'}),
        ("POST", c + "/messages", {"headers": v.headers, "content": nested(1000).encode()}),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "content": ('{"a":' * 1000 + "1" + "}" * 1000).encode()},
        ),
        ("POST", "/api/conversations", {"content": b'{"page": "\\ud800"}'}),
        ("POST", "/api/conversations", {"content": b'{"page": "/a\\u0000"}'}),
        ("POST", c + "/queue", {"headers": v.headers, "content": b'{"topic": "\\u0000"}'}),
        ("POST", c + "/rating", {"headers": v.headers, "content": b'{"value": "\\ud800"}'}),
        ("GET", c + "?after=%C2%B2", {"headers": v.headers}),
        ("GET", c + f"?after={MAX_ID + 1}", {"headers": v.headers}),
        ("GET", "/api/advisor/unanswered?days=%C2%B2", {"headers": auth}),
        ("POST", "/api/advisor/login", {"content": b'{"username": "ola\\u0000", "password": "x"}'}),
        ("POST", "/api/advisor/login", {"content": b'{"username": "\\ud800", "password": "x"}'}),
        ("PUT", "/api/advisor/status", {"headers": auth, "content": b'{"status": "\\u0000"}'}),
        ("POST", "/internal/handoff", {"headers": bot, "content": (handoff % "\\u0000").encode()}),
        ("POST", "/internal/handoff", {"headers": bot, "content": (handoff % "\\ud800").encode()}),
        ("POST", "/internal/handoff", {"headers": bot, "content": nested(1000).encode()}),
    ]


def test_malformed_input_gets_a_4xx_with_a_stable_code(served: tuple[Proc, str]) -> None:
    hub, _ = served
    v = Visitor(hub.url)
    token = login(hub.url, "ola")
    for method, path, kw in _cases(v, token):
        r = httpx.request(method, hub.url + path, **kw)
        assert r.status_code == 400, (method, path, kw.get("content", b"")[:40], r.text)
        assert r.json()["error"] == "invalid_request", (path, r.text)
    # And the conversation still works.
    assert v.post("/messages", json={"text": "fortsatt her"}).status_code == 201


def test_asset_names_the_file_system_cannot_hold_are_a_404(served: tuple[Proc, str]) -> None:
    hub, _ = served
    too_long = "%F0%9D%90%93" * 200  # a 800-byte name once decoded; the limit is 255
    for path in (f"/static/{too_long}", f"/static/a/{too_long}/b.js", "/static/a%00b.js"):
        r = httpx.get(hub.url + path)
        assert r.status_code == 404, (path[:60], r.status_code, r.text[:200])


def test_ids_past_32_bits_are_read_and_stored(served: tuple[Proc, str]) -> None:
    hub, url = served
    v = Visitor(hub.url)
    past = 2**31 + 7
    r = httpx.get(f"{hub.url}/api/conversations/{v.id}?after={past}", headers=v.headers)
    assert r.status_code == 200 and r.json()["messages"] == []
    if url.startswith("postgresql"):
        asyncio.run(_sql(url, f"SELECT setval('messages_id_seq', {past})"))
    sent = v.post("/messages", json={"text": "en melding med stor id"})
    assert sent.status_code == 201
    if url.startswith("postgresql"):
        assert sent.json()["message"]["id"] > past
    r = httpx.get(f"{hub.url}/api/conversations/{v.id}?after={past}", headers=v.headers)
    assert r.status_code == 200


async def _sql(url: str, sql: str) -> None:
    engine = create_engine(url, null_pool=True)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def _refused(ws_url: str, first: str) -> dict[str, Any]:
    async with websockets.connect(ws_url) as ws:
        await ws.send(first)
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
        assert frame["type"] == "error"
        data: dict[str, Any] = frame["data"]
        return data


async def test_websocket_malformed_first_frame_gets_an_error_frame(
    served: tuple[Proc, str],
) -> None:
    hub, _ = served
    v = Visitor(hub.url)
    for first in (
        '{"type": "auth", "secret": "\\ud800"}',
        '{"type": "auth", "secret": "a\\u0000"}',
        nested(1000),
        json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": MAX_ID + 1}),
    ):
        assert (await _refused(v.ws_url(), first))["error"] == "invalid_request", first[:40]
    advisor_ws = hub.url.replace("http", "ws") + "/api/advisor/ws"
    assert (await _refused(advisor_ws, '{"type": "auth", "token": "\\ud800"}'))["error"] == (
        "invalid_request"
    )


async def test_websocket_malformed_frames_get_error_frames_and_keep_the_socket(
    served: tuple[Proc, str],
) -> None:
    hub, _ = served
    v = Visitor(hub.url)
    async with websockets.connect(v.ws_url()) as ws:  # a last seen id past 32 bits is fine
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 2**31 + 1}))
        assert (await next_frame(ws, "state"))["owner"] == "bot"
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
        await next_frame(ws, "state")
        for frame in (
            '{"type": "message", "text": "\\ud800"}',
            '{"type": "message", "text": "hei", "payload": "a\\u0000"}',
            '{"type": "typing", "typing": "\\udc00"}',
            nested(1000),
            '{"type": "message", "text": ' + nested(MAX_JSON_DEPTH + 1) + "}",
        ):
            await ws.send(frame)
            assert (await next_frame(ws, "error"))["error"] == "invalid_request", frame[:40]
        await ws.send(json.dumps({"type": "message", "text": "fortsatt her"}))
        assert (await next_frame(ws, "message", sender="visitor"))["text"] == "fortsatt her"


def test_unreadable_numbers_in_query_arguments(served: tuple[Proc, str], tmp_path: Path) -> None:
    hub, _ = served
    token = login(hub.url, "ola")
    auth = {"Authorization": f"Bearer {token}"}
    for days in ("²", "١٢", "0", "366", "30.0"):
        r = httpx.get(f"{hub.url}/api/advisor/unanswered", params={"days": days}, headers=auth)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", days
    assert httpx.get(f"{hub.url}/api/advisor/unanswered?days=7", headers=auth).status_code == 200
