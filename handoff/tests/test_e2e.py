"""The running hub over real HTTP and WebSocket (Rasa down: a closed port): the
visitor's and the advisor's ways through a conversation.

One hub subprocess per module.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from hub.rules import texts
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, PASSWORD, Visitor, create_advisor, login, next_frame
from tests.stack import Proc, start_hub


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
        assert await next_frame(vws, "state") == {"owner": "bot", "queue": None, "language": "nb"}
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
