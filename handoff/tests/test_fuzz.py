"""Fuzzing a real hub over HTTP and WebSocket: no 5xx, no traceback in its log.

- Every operation of the hub's OpenAPI description (``/docs/openapi.json``), with
  Schemathesis: bodies and query arguments that fit the schemas and ones that do
  not, plus the values that once gave 500s (lone surrogates, NUL, deep nesting,
  "²", ids past 32 bits) mixed into the fields.
- Raw bodies (Hypothesis) to every operation that takes one: bytes, JSON nested
  1,000 deep, escapes that are not Unicode.
- WebSocket frames (Hypothesis), visitor and advisor: a malformed frame gets an
  ``error`` frame and the socket stays open; a malformed first frame gets an
  ``error`` frame and a 44xx close.

The fixture logs in an advisor and an editor and opens conversations (some queued),
so the fuzzer gets past the login and secret checks: conversation ids in paths are
often real ones, with their secret. Rasa and the content service are a fake on
loopback (tests/fake_rasa.py). Bounded: FUZZ_EXAMPLES cases per operation.
On SQLite, and on PostgreSQL when it runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
import websockets
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hub.broker import Broker
from hub.db.base import Role
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.services import advisors as advisor_svc
from hub.unit import unit_of_work
from tests.conftest import _truncate
from tests.fake_rasa import FakeRasa
from tests.stack import Proc, start_hub
from tests.test_e2e import HUB_ENV, PASSWORD

FUZZ_EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "20"))
BOT_SECRET = "fuzz-bot-secret"
CONVERSATIONS = 12
# No shrinking: it can take minutes against a server; the failing example is printed.
PHASES = [Phase.explicit, Phase.generate]
# Log lines that mean the hub failed on our side (tracebacks are logged at error).
FAILURE = re.compile(r'"level": "(error|critical)"|Traceback|undecodable input')


# ---- the hub under test ------------------------------------------------------


@dataclass
class Target:
    hub: Proc
    advisor_token: str
    editor_token: str
    spare_tokens: list[str]  # for the logout operation, which ends its login
    kari_token: str = ""  # the WebSocket fuzzing's own advisor
    secrets: dict[str, str] = field(default_factory=dict)  # conversation id -> secret
    log_offset: int = 0

    def new_log(self) -> str:
        with open(self.hub.log, "rb") as f:
            f.seek(self.log_offset)
            data = f.read()
        self.log_offset += len(data)
        return data.decode(errors="replace")

    def assert_quiet_log(self, context: str) -> None:
        failures = [line for line in self.new_log().splitlines() if FAILURE.search(line)]
        assert not failures, f"{context}: the hub logged a failure:\n" + "\n".join(failures[:20])


_TARGET: Target | None = None


def target() -> Target:
    assert _TARGET is not None
    return _TARGET


async def _accounts(url: str) -> dict[str, list[str]]:
    """Migrate, and create the accounts with live logins (the CLI and HTTP logins
    take seconds each, for the password hashing): username -> tokens."""
    engine = create_engine(url, null_pool=True)
    await upgrade(engine)
    now = datetime.now(UTC)
    hashed = await advisor_svc.hash_password(PASSWORD)
    tokens: dict[str, list[str]] = {}
    try:
        async with unit_of_work(session_factory(engine), Broker()) as u:
            # kari is for the WebSocket fuzzing only; ola's spare logins for logout.
            for username, role, logins in (
                ("ola", Role.advisor, 6),
                ("kari", Role.advisor, 1),
                ("redaktor", Role.editor, 1),
            ):
                account = await advisor_svc.create_advisor(
                    u, username, username.title(), hashed, 1000, now, role
                )
                await advisor_svc.set_status(u, account, "available")
                await u.session.flush()
                tokens[username] = [
                    (await advisor_svc.start_session(u, account.id, now, 8))[0]
                    for _ in range(logins)
                ]
    finally:
        await engine.dispose()
    return tokens


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzz_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    global _TARGET
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'hub.db'}"
    tokens = asyncio.run(_accounts(url))
    with FakeRasa() as rasa:
        hub = start_hub(
            database_url=url,
            rasa_url=rasa.url,
            bot_secret=BOT_SECRET,
            env={
                **HUB_ENV,
                "HUB_CONTENT_URL": rasa.url,
                "HUB_CONTENT_TOKEN": "fuzz",
                # The limits answer 429 (fine), but would soon stop the fuzzer short.
                "HUB_CONVERSATIONS_PER_MINUTE": "0",
                "HUB_MESSAGES_PER_MINUTE": "1000000",
                "HUB_LOGIN_FAILURES": "1000000",
                "HUB_LOGIN_FAILURES_PER_ADDRESS": "1000000",
                "HUB_QUEUE_CAPACITY": "1000",
            },
        )
        try:
            t = Target(hub, tokens["ola"][0], tokens["redaktor"][0], tokens["ola"][1:])
            t.kari_token = tokens["kari"][0]
            for i in range(CONVERSATIONS):
                r = httpx.post(f"{hub.url}/api/conversations", json={"page": "/fuzz"})
                assert r.status_code == 201, r.text
                cid, secret = r.json()["id"], r.json()["secret"]
                t.secrets[cid] = secret
                if i % 2:  # half wait for an advisor, for the advisor's routes
                    queued = httpx.post(
                        f"{hub.url}/api/conversations/{cid}/queue",
                        headers={"Authorization": f"Bearer {secret}"},
                        json={"topic": "arbeid"},
                    )
                    assert queued.status_code == 200, queued.text
            _TARGET = t
            yield t
        finally:
            _TARGET = None
            hub.stop()
    t.assert_quiet_log("after the fuzz run")


# ---- values that once broke the hub -------------------------------------------

NASTY_TEXT = st.sampled_from(
    ["\ud800", "hei\udfff", "a\x00b", "\x00", "²", "٣", "/urgent", "/urgent@1.0", "𝕳𝖊𝖎", ""]
)
NASTY_NUMBER = st.sampled_from([-1, 2**31, 2**31 - 1, 2**63 - 1, 2**63, -(2**63), 10**30])
NASTY_NESTED = st.integers(1, 200).map(lambda depth: json.loads("[" * depth + "]" * depth))
NASTY = st.one_of(NASTY_TEXT, NASTY_NUMBER, NASTY_NESTED, st.just(None), st.just(True))
# What can travel in a URL (a surrogate cannot be percent-encoded).
NASTY_QUERY = st.sampled_from(["²", "٣", "-1", "1e3", "\x00", str(2**63), str(2**31), "9" * 30])


def flatmap_body(context: schemathesis.HookContext, body: Any) -> Any:
    if not isinstance(body, dict):
        return st.just(body)
    keys = [*body.keys(), "text", "payload", "topic"]
    nasty = st.tuples(st.sampled_from(keys), NASTY).map(lambda kv: {**body, kv[0]: kv[1]})
    return st.one_of(st.just(body), nasty)


def flatmap_query(context: schemathesis.HookContext, query: Any) -> Any:
    if not isinstance(query, dict) or not query:
        return st.just(query)
    nasty = st.tuples(st.sampled_from(list(query)), NASTY_QUERY).map(
        lambda kv: {**query, kv[0]: kv[1]}
    )
    return st.one_of(st.just(query), nasty)


def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> Any:
    """Often a real conversation (with its secret, see _auth): past the 404."""
    if not isinstance(path_parameters, dict) or "conversation_id" not in path_parameters:
        return st.just(path_parameters)
    real = st.sampled_from(sorted(target().secrets)).map(
        lambda cid: {**path_parameters, "conversation_id": cid}
    )
    return st.one_of(st.just(path_parameters), real)


def _auth(path: str, conversation_id: Any) -> dict[str, str]:
    t = target()
    if path.startswith("/api/advisor/logout"):
        token = t.spare_tokens.pop() if t.spare_tokens else "brukt"
    elif path.startswith("/api/advisor"):
        token = t.advisor_token
    elif path.startswith("/api/content"):
        token = t.editor_token
    elif path.startswith("/internal"):
        token = BOT_SECRET
    else:
        token = t.secrets.get(conversation_id, "ukjent") if isinstance(conversation_id, str) else ""
    return {"Authorization": f"Bearer {token}"}


# ---- every operation of the OpenAPI description --------------------------------


def _cases(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    """Cases that fit the schemas and cases that do not (where anything can be wrong)."""
    positive = operation.as_strategy(schemathesis.GenerationMode.POSITIVE)
    if not operation.body and not list(operation.iter_parameters()):
        return positive  # nothing to get wrong but the path
    return st.one_of(positive, operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))


def _fuzz(operation: Any, t: Target) -> int:
    """Send up to FUZZ_EXAMPLES cases to ``operation``; how many were sent."""
    sent = 0

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation))
    def call(case: schemathesis.Case) -> None:
        nonlocal sent
        conversation_id = (case.path_parameters or {}).get("conversation_id")
        headers = {**(case.headers or {}), **_auth(case.path, conversation_id)}
        response = case.call(base_url=t.hub.url, headers=headers, timeout=15)
        sent += 1
        label = f"{case.method} {case.formatted_path} {str(case.body)[:200]!r} {case.query}"
        assert response.status_code < 500, (
            f"{label} -> {response.status_code} {response.text[:300]}"
        )
        t.assert_quiet_log(label)

    call()
    return sent


def test_no_operation_answers_5xx_or_logs_a_traceback(fuzz_target: Target) -> None:
    schema = schemathesis.openapi.from_url(fuzz_target.hub.url + "/docs/openapi.json")
    for hook in (flatmap_body, flatmap_query, flatmap_path_parameters):
        schema.hook(hook)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]
    began = time.monotonic()
    sent = sum(_fuzz(operation, fuzz_target) for operation in operations)
    print(f"\n{len(operations)} operations, {sent} requests in {time.monotonic() - began:.0f} s")


# ---- raw bodies -----------------------------------------------------------------

RAW_BODIES = st.one_of(
    st.binary(max_size=64),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 1500).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    st.sampled_from(
        [
            b'{"text": "\\ud800"}',
            b'{"text": "\\udc00\\ud800", "payload": "\\ud800"}',
            b'{"\\ud800": 1}',
            b'{"text": "a\\u0000"}',
            b'{"text": ' + b"1" * 5000 + b"}",
            b'{"text": "hei"',
            b"\xef\xbb\xbf{}",
            b"null",
            b'"tekst"',
        ]
    ),
)


def _operations(base: str) -> list[tuple[str, str]]:
    spec = httpx.get(base + "/docs/openapi.json").json()
    return [
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op or method in ("post", "put")
    ]


def test_raw_bodies_to_every_operation_get_no_5xx(fuzz_target: Target) -> None:
    base = fuzz_target.hub.url
    operations = _operations(base)
    conversation = sorted(fuzz_target.secrets)[0]

    @settings(
        max_examples=FUZZ_EXAMPLES * 3,
        deadline=None,
        database=None,
        phases=PHASES,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation=st.sampled_from(operations), raw=RAW_BODIES)
    def send(operation: tuple[str, str], raw: bytes) -> None:
        method, template = operation
        path = template.replace("{conversation_id}", conversation).replace("{faq_id}", "x")
        headers = {**_auth(path, conversation), "Content-Type": "application/json"}
        r = httpx.request(method, base + path, content=raw, headers=headers, timeout=15)
        assert r.status_code < 500, f"{method} {path} {raw[:80]!r} -> {r.status_code} {r.text}"
        fuzz_target.assert_quiet_log(f"{method} {path} {raw[:80]!r}")

    send()


# ---- WebSocket frames -----------------------------------------------------------

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
