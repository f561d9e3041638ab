"""The running hub over real HTTP and WebSocket (Rasa down: a closed port).

One hub subprocess per module; the crash test starts its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from hub import texts
from tests.conftest import CLOSED_PORT_URL
from tests.stack import HUB_VENV, REPO, Proc, free_port, start_hub, wait_http

HUB_ENV = {"HUB_ALWAYS_OPEN": "true", "HUB_RASA_TIMEOUT_SECONDS": "2"}
PASSWORD = "veileder-passord"


def create_advisor(
    database_url: str, username: str, max_chats: int = 2, role: str = "advisor"
) -> None:
    subprocess.run(
        [str(HUB_VENV / "bin" / "hub"), "advisor", "create", "--username", username,
         "--name", username.title(), "--max-chats", str(max_chats), "--password-stdin",
         "--role", role],
        input=PASSWORD + "\n", text=True, check=True, cwd=REPO, capture_output=True,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
    )  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'hub.db'}"
    create_advisor(url, "kari")
    create_advisor(url, "ola")
    return url


@pytest.fixture(scope="module")
def hub(db: str) -> Iterator[Proc]:
    proc = start_hub(database_url=db, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    yield proc
    proc.stop()


class Visitor:
    def __init__(self, base: str, page: str = "/dagpenger") -> None:
        self.base = base
        r = httpx.post(f"{base}/api/conversations", json={"page": page})
        assert r.status_code == 201, r.text
        body = r.json()
        self.id, self.secret, self.first = body["id"], body["secret"], body["messages"]
        self.headers = {"Authorization": f"Bearer {self.secret}"}

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.post(
            f"{self.base}/api/conversations/{self.id}{path}", headers=self.headers, **kw
        )

    def ws_url(self) -> str:
        return self.base.replace("http", "ws") + f"/api/conversations/{self.id}/ws"


def login(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return str(r.json()["token"])


async def next_frame(ws: Any, kind: str, timeout: float = 10, **match: Any) -> Any:
    """The next frame of ``kind`` whose data has the given values (others are skipped)."""

    async def find() -> Any:
        while True:
            frame = json.loads(await ws.recv())
            data = frame["data"]
            if frame["type"] != kind:
                continue
            if not match or all(data.get(k) == v for k, v in match.items()):
                return data

    return await asyncio.wait_for(find(), timeout)


async def test_visitor_queue_advisor_chat_handback_end_rate(hub: Proc) -> None:
    base = hub.url
    v = Visitor(base)
    assert v.first[0]["sender"] == "system" and v.first[0]["buttons"][0]["payload"] == (
        texts.REQUEST_ADVISOR_PAYLOAD
    )
    token = login(base, "kari")
    auth = {"Authorization": f"Bearer {token}"}
    async with (
        websockets.connect(v.ws_url()) as vws,
        websockets.connect(base.replace("http", "ws") + "/api/advisor/ws") as aws,
    ):
        await vws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
        assert (await next_frame(vws, "message"))["text"] == texts.BOT_UNAVAILABLE
        assert await next_frame(vws, "state") == {"owner": "bot", "queue": None}
        await aws.send(json.dumps({"type": "auth", "token": token}))
        await next_frame(aws, "queues")

        # The bot is down; the visitor chooses a person with the offered button.
        await vws.send(
            json.dumps(
                {
                    "type": "message",
                    "text": "Snakk med en veileder",
                    "payload": texts.REQUEST_ADVISOR_PAYLOAD,
                }
            )
        )
        echo = await next_frame(vws, "message", sender="visitor")
        assert echo["text"] == "Snakk med en veileder" and echo["id"] > v.first[0]["id"]
        state = await next_frame(vws, "state", owner="queue")
        assert state["queue"]["topic"] == "generell" and state["queue"]["position"] >= 1
        assert state["queue"]["estimated_wait_minutes"] >= 1

        async def waiting_here() -> None:
            while True:
                queues = await next_frame(aws, "queues")
                waiting = {w["conversation_id"] for q in queues for w in q["waiting"]}
                if v.id in waiting:
                    return

        await asyncio.wait_for(waiting_here(), 10)
        r = httpx.post(f"{base}/api/advisor/conversations/{v.id}/claim", headers=auth)
        assert r.status_code == 200 and r.json()["owner"] == "advisor", r.text
        assert [m["sender"] for m in r.json()["messages"]][:2] == ["system", "visitor"]
        other = httpx.post(
            f"{base}/api/advisor/conversations/{v.id}/claim",
            headers={"Authorization": f"Bearer {login(base, 'ola')}"},
        )
        assert other.status_code == 409 and other.json()["error"] == "already_claimed"
        # A sync sends the new messages first, then the new state.
        assert "Kari" in (await next_frame(vws, "message", sender="system"))["text"]
        await next_frame(vws, "state", owner="advisor")

        httpx.post(
            f"{base}/api/advisor/conversations/{v.id}/typing", headers=auth, json={"typing": True}
        )
        assert await next_frame(vws, "typing") == {"sender": "advisor", "typing": True}
        r = httpx.post(
            f"{base}/api/advisor/conversations/{v.id}/messages",
            headers=auth,
            json={"text": "Hei! Hva lurer du på?"},
        )
        assert r.status_code == 201
        got = await next_frame(vws, "message", sender="advisor")
        assert got["text"] == "Hei! Hva lurer du på?" and got["advisor_name"] == "Kari"

        await vws.send(json.dumps({"type": "typing", "typing": True}))
        assert await next_frame(aws, "typing") == {"conversation_id": v.id, "typing": True}
        await vws.send(json.dumps({"type": "message", "text": "Når kommer pengene?"}))
        pushed = await next_frame(aws, "message", conversation_id=v.id)
        while pushed["message"]["sender"] != "visitor":
            pushed = await next_frame(aws, "message", conversation_id=v.id)
        assert pushed["message"]["text"] == "Når kommer pengene?"

        r = httpx.post(f"{base}/api/advisor/conversations/{v.id}/handback", headers=auth)
        assert r.status_code == 200
        seen: list[tuple[str, str]] = []
        wanted = [
            ("message", texts.HANDED_BACK),
            ("state", "bot"),
            ("message", texts.BOT_UNAVAILABLE),
        ]  # Rasa is still down
        while not all(w in seen for w in wanted):
            frame = json.loads(await asyncio.wait_for(vws.recv(), 10))
            data = frame["data"]
            seen.append((frame["type"], data.get("text") or data.get("owner") or ""))
        assert seen.index(wanted[0]) < seen.index(wanted[2])  # messages keep their order

    assert v.post("/end").status_code == 200
    bad = v.post("/rating", json={"value": "kanskje"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    assert v.post("/rating", json={"value": "ja"}).json() == {"rating": "ja"}
    again = v.post("/rating", json={"value": "nei"})
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    t = httpx.get(f"{base}/api/conversations/{v.id}/transcript", headers=v.headers)
    assert t.status_code == 200 and t.headers["content-type"].startswith("text/plain")
    assert "attachment" in t.headers["content-disposition"]
    assert "Kari: Hei! Hva lurer du på?" in t.text and "Du: Når kommer pengene?" in t.text
    state = httpx.get(f"{base}/api/conversations/{v.id}", headers=v.headers).json()
    assert state["owner"] == "closed" and state["rating"] == "ja"


async def test_an_advisor_logging_out_puts_the_visitor_back_in_the_queue(
    hub: Proc, db: str
) -> None:
    create_advisor(db, "lise")  # only this login: logging out ends the last one
    v = Visitor(hub.url)
    token = login(hub.url, "lise")
    auth = {"Authorization": f"Bearer {token}"}
    assert v.post("/queue").status_code == 200
    claim = httpx.post(f"{hub.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
    assert claim.status_code == 200, claim.text
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
        await next_frame(ws, "state", owner="advisor")
        assert httpx.post(f"{hub.url}/api/advisor/logout", headers=auth).status_code == 204
        told = await next_frame(ws, "message", text=texts.ADVISOR_LEFT)
        assert told["sender"] == "system"
        state = await next_frame(ws, "state", owner="queue")
        assert state["queue"]["position"] == 1
    assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).status_code == 401
    left = v.post("/queue")  # still queued: asking again gives the same place
    assert left.status_code == 200 and left.json()["queue"]["position"] == 1
    assert httpx.delete(f"{hub.url}/api/conversations/{v.id}/queue", headers=v.headers).json() == {
        "owner": "bot"
    }


async def test_reconnect_gets_exactly_what_was_missed(hub: Proc) -> None:
    v = Visitor(hub.url)
    ids = [v.post("/messages", json={"text": f"melding {i}"}).json()["message"]["id"]
           for i in range(3)]  # fmt: skip
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": ids[0]}))
        texts_seen = []
        while len(texts_seen) < 2:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if frame["type"] == "message" and frame["data"]["sender"] == "visitor":
                texts_seen.append(frame["data"]["text"])
        assert texts_seen == ["melding 1", "melding 2"]
    polled = httpx.get(f"{hub.url}/api/conversations/{v.id}?after={ids[1]}", headers=v.headers)
    assert [m["text"] for m in polled.json()["messages"] if m["sender"] == "visitor"] == [
        "melding 2"
    ]


async def test_an_editor_reads_the_unanswered_list_but_is_never_staff(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'editor.db'}"
    create_advisor(url, "redaktor", role="editor")
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        r = httpx.post(
            f"{hub.url}/api/advisor/login", json={"username": "redaktor", "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert r.json()["advisor"]["role"] == "editor"
        assert r.json()["advisor"]["status"] == "away"  # a login does not make an editor staff
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        # Nobody who can chat is logged in: the visitor is told so, not queued.
        refused = Visitor(hub.url).post("/queue")
        assert refused.status_code == 409 and refused.json()["error"] == "no_advisors"
        listed = httpx.get(f"{hub.url}/api/advisor/unanswered", headers=auth)
        assert listed.status_code == 200 and listed.json()["questions"] == []
        assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).json()["role"] == "editor"
        for method, path in (
            ("GET", "/api/advisor/queues"),
            ("PUT", "/api/advisor/status"),
            ("GET", "/api/advisor/faq?q=dagpenger"),
            ("POST", "/api/advisor/conversations/c_x/claim"),
        ):
            denied = httpx.request(
                method, hub.url + path, headers=auth, json={"status": "available"}
            )
            assert denied.status_code == 403, (path, denied.text)
            assert denied.json()["message"] == texts.EDITOR_ONLY
        async with websockets.connect(hub.url.replace("http", "ws") + "/api/advisor/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": r.json()["token"]}))
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["data"]["error"] == "forbidden"
        assert httpx.post(f"{hub.url}/api/advisor/logout", headers=auth).status_code == 204
    finally:
        hub.stop()


async def test_websocket_refuses_bad_auth(hub: Proc) -> None:
    v = Visitor(hub.url)
    for first in (
        {"type": "auth", "secret": "feil"},
        {"type": "message", "text": "hei"},
        "ikke json",
        {"type": "auth", "secret": v.secret, "last_seen_id": "x"},
    ):
        async with websockets.connect(v.ws_url()) as ws:
            await ws.send(first if isinstance(first, str) else json.dumps(first))
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "error" and frame["data"]["error"] in {
                "unauthorized",
                "invalid_request",
            }
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
    async with websockets.connect(hub.url.replace("http", "ws") + "/api/advisor/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": "ugyldig"}))
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert frame["data"]["error"] == "unauthorized"


async def test_websocket_errors_keep_the_connection(hub: Proc) -> None:
    v = Visitor(hub.url)
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
        await next_frame(ws, "state")
        await ws.send(json.dumps({"type": "message", "text": "x" * 1001}))
        err = await next_frame(ws, "error")
        assert err["error"] == "message_too_long" and err["limit"] == 1000
        await ws.send("{not json")
        assert (await next_frame(ws, "error"))["error"] == "invalid_request"
        await ws.send(json.dumps({"type": "message", "text": "fortsatt her"}))
        assert (await next_frame(ws, "message", sender="visitor"))["text"] == "fortsatt her"


def _cases(v: Visitor, token: str) -> list[tuple[str, str, dict[str, Any], int, str]]:
    c = f"/api/conversations/{v.id}"
    big = "x" * 20_000
    return [
        ("POST", "/api/conversations", {"content": b"[1, 2]"}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"content": b"{not json"}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"json": {"page": 5}}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"json": {"page": big}}, 413, "body_too_large"),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "content": b"x" * 2_000_000},
            413,
            "body_too_large",
        ),
        ("GET", c, {}, 401, "unauthorized"),
        ("GET", "/api/conversations/c_finnesikke", {"headers": v.headers}, 404, "not_found"),
        ("GET", c + "?after=-1", {"headers": v.headers}, 400, "invalid_request"),
        ("POST", c + "/messages", {"headers": v.headers, "json": {}}, 400, "invalid_request"),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "   "}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": 17}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "x" * 1001}},
            400,
            "message_too_long",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "hei", "payload": 3}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": {"Authorization": "Bearer feil"}, "json": {"text": "hei"}},
            401,
            "unauthorized",
        ),
        (
            "POST",
            c + "/typing",
            {"headers": v.headers, "json": {"typing": "ja"}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/queue",
            {"headers": v.headers, "json": {"topic": "skatt"}},
            400,
            "invalid_request",
        ),
        ("DELETE", c + "/queue", {"headers": v.headers}, 409, "conflict"),
        (
            "POST",
            c + "/rating",
            {"headers": v.headers, "json": {"value": None}},
            400,
            "invalid_request",
        ),
        ("GET", c + "/transcript", {}, 401, "unauthorized"),
        (
            "POST",
            "/api/advisor/login",
            {"json": {"username": "kari", "password": "feil"}},
            401,
            "unauthorized",
        ),
        ("POST", "/api/advisor/login", {"json": {"username": ["kari"]}}, 400, "invalid_request"),
        ("GET", "/api/advisor/queues", {}, 401, "unauthorized"),
        (
            "GET",
            "/api/advisor/me",
            {"headers": {"Authorization": "Bearer feil"}},
            401,
            "unauthorized",
        ),
        (
            "PUT",
            "/api/advisor/status",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"status": "borte"}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/claim",
            {"headers": {"Authorization": f"Bearer {token}"}},
            409,
            "already_claimed",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/messages",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"text": "hei"}},
            409,
            "conversation_closed",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/end",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"outcome": "kanskje"}},
            400,
            "invalid_request",
        ),
        (
            "GET",
            "/api/advisor/faq?q=" + "x" * 201,
            {"headers": {"Authorization": f"Bearer {token}"}},
            400,
            "invalid_request",
        ),
        ("GET", "/finnes/ikke", {}, 404, "not_found"),
    ]


def test_bad_input_gets_a_clear_stable_error(hub: Proc) -> None:
    v = Visitor(hub.url)
    token = login(hub.url, "ola")
    for method, path, kw, status, code in _cases(v, token):
        r = httpx.request(method, hub.url + path, **kw)
        assert (r.status_code, r.json().get("error")) == (status, code), (method, path, r.text)
        assert r.json().get("message"), (method, path)
        if code in {"message_too_long", "body_too_large"}:
            assert (
                isinstance(r.json()["limit"], int) and str(r.json()["limit"]) in r.json()["message"]
            )
    r = httpx.post(f"{hub.url}/api/advisor/status", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 405


def test_faq_search_while_rasa_is_down(hub: Proc) -> None:
    auth = {"Authorization": f"Bearer {login(hub.url, 'ola')}"}
    r = httpx.get(f"{hub.url}/api/advisor/faq", params={"q": "dagpenger"}, headers=auth)
    assert r.status_code == 503 and r.json()["error"] == "faq_unavailable"
    assert "Svarbanken" in r.json()["message"]
    empty = httpx.get(f"{hub.url}/api/advisor/faq", params={"q": " "}, headers=auth)
    assert empty.status_code == 200 and empty.json() == []


def test_rate_limit_over_http(hub: Proc) -> None:
    v = Visitor(hub.url)
    codes = [v.post("/messages", json={"text": f"m{i}"}).status_code for i in range(21)]
    assert codes == [201] * 20 + [429]
    body = v.post("/messages", json={"text": "igjen"}).json()
    assert body["error"] == "rate_limited" and body["limit"] == 20


def test_limits_on_new_conversations_and_failed_logins_over_http(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    create_advisor(url, "kari")
    env = {**HUB_ENV, "HUB_CONVERSATIONS_PER_MINUTE": "2", "HUB_LOGIN_FAILURES": "2"}
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=env)
    try:
        opened = [httpx.post(f"{hub.url}/api/conversations", json={}) for _ in range(3)]
        assert [r.status_code for r in opened] == [201, 201, 429]
        body = opened[2].json()
        assert body["error"] == "rate_limited" and body["limit"] == 2
        assert 1 <= body["retry_after"] <= 60 and "prøv igjen om" in body["message"]
        assert opened[2].headers["retry-after"] == str(body["retry_after"])

        wrong = {"username": "kari", "password": "feil"}
        tries = [httpx.post(f"{hub.url}/api/advisor/login", json=wrong) for _ in range(3)]
        assert [r.status_code for r in tries] == [401, 401, 429]
        assert tries[2].json()["message"] == (
            "For mange forsøk med feil brukernavn eller passord. Prøv igjen om 15 minutter."
        )
        # 15 minutes from the first failure: the password checks before it take time
        # (argon2, on a loaded machine seconds), so a little less may be left.
        assert 880 <= int(tries[2].headers["retry-after"]) <= 900
        right = {"username": "kari", "password": PASSWORD}
        assert httpx.post(f"{hub.url}/api/advisor/login", json=right).status_code == 429
    finally:
        hub.stop()


def test_internal_handoff_contract(hub: Proc) -> None:
    v = Visitor(hub.url)
    url = f"{hub.url}/internal/handoff"
    body = {
        "conversation_id": v.id,
        "reason": "unsure",
        "topic": "pensjon",
        "faq_id": None,
        "transcript": [{"sender": "visitor", "text": "hei", "timestamp": 1764000000.0}],
    }
    assert httpx.post(url, json=body).json() == {"error": "unauthorized"}
    good = {"Authorization": "Bearer test-bot-secret"}
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer feil"}).status_code == 401
    bad = httpx.post(url, json={**body, "topic": "skatt"}, headers=good)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    unknown = httpx.post(url, json={**body, "conversation_id": "c_ukjent"}, headers=good)
    assert unknown.status_code == 404 and unknown.json() == {"error": "unknown_conversation"}
    login(hub.url, "ola")  # somebody is logged in
    long_transcript = [{"sender": "visitor", "text": "x" * 900, "timestamp": 1.0}] * 40
    r = httpx.post(url, json={**body, "transcript": long_transcript}, headers=good)
    assert r.status_code == 200, r.text  # a long conversation still hands off
    answer = r.json()
    assert answer["status"] == "queued" and answer["queue"] == "pensjon"
    assert answer["position"] == 1 and answer["estimated_wait_minutes"] >= 1
    assert httpx.delete(f"{hub.url}/api/conversations/{v.id}/queue", headers=v.headers).json() == {
        "owner": "bot"
    }


def test_operations_endpoints(hub: Proc) -> None:
    assert httpx.get(hub.url + "/health").json() == {"status": "ok"}
    ready = httpx.get(hub.url + "/ready")
    assert ready.status_code == 503 and ready.json() == {
        "status": "not_ready",
        "database": True,
        "rasa": False,
    }
    metrics = httpx.get(hub.url + "/metrics").text
    for name in (
        'hub_queue_length{topic="arbeid"}',
        "hub_bot_errors_total",
        "hub_handoffs_total",
        "hub_bot_latency_seconds",
        "hub_queue_wait_seconds",
    ):
        assert name in metrics
    spec = httpx.get(hub.url + "/docs/openapi.json").json()
    assert spec["info"]["title"] == "Nav chat hub"
    for path in ("/api/conversations", "/api/advisor/login", "/internal/handoff", "/api/settings"):
        assert path in spec["paths"]


def test_login_starts_available_and_any_login_counts_for_the_queue(tmp_path: Path) -> None:
    """A login starts as available; the queue refuses (no_advisors) only when nobody
    is logged in: an advisor who is away still counts."""
    url = f"sqlite:///{tmp_path / 'status.db'}"
    create_advisor(url, "kari")  # a new account is away
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        v = Visitor(hub.url)
        refused = v.post("/queue")
        assert refused.status_code == 409 and refused.json()["error"] == "no_advisors"
        assert "pålogget" in refused.json()["message"]

        r = httpx.post(
            f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
        )
        assert r.status_code == 200 and r.json()["advisor"]["status"] == "available"
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).json()["status"] == "available"
        away = httpx.put(f"{hub.url}/api/advisor/status", headers=auth, json={"status": "away"})
        assert away.status_code == 200 and away.json()["status"] == "away"
        assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).json()["status"] == "away"

        queued = v.post("/queue")  # away, but logged in: the visitor may wait
        assert queued.status_code == 200, queued.text
        left = httpx.delete(f"{hub.url}/api/conversations/{v.id}/queue", headers=v.headers)
        assert left.status_code == 200
        assert httpx.post(f"{hub.url}/api/advisor/logout", headers=auth).status_code == 204
        again = v.post("/queue")
        assert again.status_code == 409 and again.json()["error"] == "no_advisors"

        token = login(hub.url, "kari")  # the next login is available again
        me = httpx.get(f"{hub.url}/api/advisor/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["status"] == "available"
    finally:
        hub.stop()


async def test_killed_while_queued_nothing_lost(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    create_advisor(url, "kari")
    port = free_port()
    first = start_hub(port=port, database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        token = login(first.url, "kari")
        v = Visitor(first.url)
        v.post("/messages", json={"text": "Jeg trenger hjelp med sosialhjelp"})
        queued = v.post("/queue", json={"topic": "sosial"})
        assert queued.status_code == 200, queued.text
        before = httpx.get(f"{first.url}/api/conversations/{v.id}", headers=v.headers).json()
    finally:
        first.kill()  # SIGKILL: no shutdown handlers run
    assert first.proc.returncode == -9
    second = start_hub(port=port, database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        after = httpx.get(f"{second.url}/api/conversations/{v.id}", headers=v.headers).json()
        assert after["owner"] == "queue" and after["queue"]["topic"] == "sosial"
        assert after["messages"] == before["messages"]
        async with websockets.connect(v.ws_url().replace(first.url, second.url)) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "auth",
                        "secret": v.secret,
                        "last_seen_id": before["messages"][-1]["id"],
                    }
                )
            )
            state = await next_frame(ws, "state")
            assert state["owner"] == "queue" and state["queue"]["position"] == 1
            auth = {"Authorization": f"Bearer {token}"}  # the login survived too
            claim = httpx.post(f"{second.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
            assert claim.status_code == 200, claim.text
            await next_frame(ws, "state", owner="advisor")
    finally:
        second.stop()


class SlowRasa:
    """A real HTTP server on loopback standing in for a slow Rasa: it greets
    ``/start`` at once and takes its time with everything else.

    ``silent``: reads the request and says nothing. ``trickle``: sends the
    status and headers at once, then one byte of the body every 0.1 s (each
    read is quick; only a deadline on the whole answer stops the wait).
    """

    WELCOME = "Hei! Jeg er Navs chatbot."

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stopping = threading.Event()
        self.held = threading.Event()  # a request is being held back
        self.received: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(b"{}")

            def do_PUT(self) -> None:  # a tracker erased (a visitor deletes the conversation)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(b'{"events": []}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message = json.loads(body or b"{}").get("message", "")
                outer.received.append(message)
                if message == "/start":
                    self._answer(json.dumps([{"text": outer.WELCOME}]).encode())
                    return
                outer.held.set()
                if outer.mode == "trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    try:
                        while not outer.stopping.wait(0.1):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                    except OSError:
                        pass  # the hub gave up and closed the connection
                else:
                    outer.stopping.wait(60)

            def _answer(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlowRasa:
        self.thread.start()
        wait_http(self.url + "/status", 5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("mode", ["silent", "trickle"])
async def test_rasa_slower_than_the_timeout_never_leaves_the_visitor_in_silence(
    tmp_path: Path, mode: str
) -> None:
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    create_advisor(url, "kari")
    with SlowRasa(mode) as rasa:
        hub = start_hub(
            database_url=url,
            rasa_url=rasa.url,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "0.5"},
        )
        try:
            login(hub.url, "kari")  # somebody can take the visitor
            v = Visitor(hub.url)
            assert [m["text"] for m in v.first] == [SlowRasa.WELCOME]
            async with websockets.connect(v.ws_url()) as ws:
                await ws.send(
                    json.dumps(
                        {"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]}
                    )
                )
                await next_frame(ws, "state", owner="bot")
                started = time.monotonic()
                await ws.send(json.dumps({"type": "message", "text": "Når kommer pengene?"}))
                echo = await next_frame(ws, "message", sender="visitor")
                assert echo["text"] == "Når kommer pengene?"
                notice = await next_frame(ws, "message", sender="system")
                waited = time.monotonic() - started
                assert notice["text"] == texts.BOT_UNAVAILABLE
                assert notice["buttons"] == [texts.REQUEST_ADVISOR_BUTTON]
                assert 0.4 < waited < 5, waited  # the timeout, not Rasa's pace
                # The offered way out works while Rasa still dawdles.
                await ws.send(
                    json.dumps(
                        {
                            "type": "message",
                            "text": "Snakk med en veileder",
                            "payload": texts.REQUEST_ADVISOR_PAYLOAD,
                        }
                    )
                )
                state = await next_frame(ws, "state", owner="queue")
                assert state["queue"]["topic"] == "generell"
            assert rasa.received == ["/start", "Når kommer pengene?"]
            stored = httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers).json()
            visitor_texts = [m["text"] for m in stored["messages"] if m["sender"] == "visitor"]
            assert visitor_texts == ["Når kommer pengene?", "Snakk med en veileder"]
        finally:
            hub.stop()


async def test_killed_while_waiting_for_the_bot_the_visitor_is_told_to_send_again(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'lost.db'}"
    port = free_port()
    question = "Hvordan søker jeg om dagpenger?"
    with SlowRasa("silent") as rasa:
        first = start_hub(
            port=port,
            database_url=url,
            rasa_url=rasa.url,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "30"},
        )
        try:
            v = Visitor(first.url)
            sent = v.post("/messages", json={"text": question})
            assert sent.status_code == 201
            assert await asyncio.to_thread(rasa.held.wait, 10)
            assert rasa.received == ["/start", question]  # the hub is waiting for Rasa now
        finally:
            first.kill()  # SIGKILL between the stored message and the bot's reply
    assert first.proc.returncode == -9
    message_id = sent.json()["message"]["id"]
    second = start_hub(
        port=port,
        database_url=url,
        rasa_url=CLOSED_PORT_URL,
        env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "0.5", "HUB_SWEEP_SECONDS": "0.5"},
    )
    try:
        async with websockets.connect(v.ws_url().replace(first.url, second.url)) as ws:
            await ws.send(
                json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": message_id})
            )
            told = await next_frame(ws, "message", timeout=20, sender="system")
            assert told["text"] == texts.bot_reply_lost(question)
            assert told["id"] > message_id
        after = httpx.get(f"{second.url}/api/conversations/{v.id}", headers=v.headers).json()
        assert [m["text"] for m in after["messages"] if m["sender"] == "visitor"] == [question]
        assert [m["text"] for m in after["messages"]].count(told["text"]) == 1
    finally:
        second.stop()
