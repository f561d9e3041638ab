"""A visitor deletes their conversation (DELETE /api/conversations/{id}), over real HTTP.

Rasa answers only the erasing of a tracker (its chat is down), except where a slow
Rasa holds a reply back or Rasa cannot be reached at all.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import CLOSED_PORT_URL
from tests.fake_rasa import FakeRasa, down, welcome_only
from tests.live import HUB_ENV, Visitor, create_advisor, login, next_frame
from tests.stack import Proc, start_hub


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forget") / "hub.db"
    create_advisor(f"sqlite:///{path}", "kari")
    return path


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa(down) as server:  # erases trackers; never answers a message
        yield server


@pytest.fixture(scope="module")
def hub(db_path: Path, rasa: FakeRasa) -> Iterator[Proc]:
    proc = start_hub(database_url=f"sqlite:///{db_path}", rasa_url=rasa.url, env=HUB_ENV)
    yield proc
    proc.stop()


def rows_of(db_path: Path, conversation_id: str) -> dict[str, int]:
    """How many rows each table still holds for the conversation."""
    with sqlite3.connect(db_path) as conn:
        counts = {
            table: conn.execute(
                f"SELECT count(*) FROM {table} WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()[0]
            for table in ("messages", "queue_entries", "ratings", "bot_signals")
        }
        counts["conversations"] = conn.execute(
            "SELECT count(*) FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()[0]
    return counts


def delete(v: Visitor, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.delete(
        f"{v.base}/api/conversations/{v.id}", headers=v.headers if headers is None else headers
    )


def test_a_conversation_with_the_bot_is_deleted_with_everything_stored(
    hub: Proc, db_path: Path, rasa: FakeRasa
) -> None:
    v = Visitor(hub.url)
    assert (
        v.post("/messages", json={"text": "Jeg heter Kari og lurer på dagpenger"}).status_code
        == 201
    )
    assert rows_of(db_path, v.id)["messages"] >= 2
    # Nor does the browser's cache keep what the visitor wrote.
    got = httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers)
    transcript = httpx.get(f"{hub.url}/api/conversations/{v.id}/transcript", headers=v.headers)
    assert got.headers["cache-control"] == transcript.headers["cache-control"] == "no-store"

    assert delete(v, {}).status_code == 401
    wrong = delete(v, {"Authorization": "Bearer feil"})
    assert (wrong.status_code, wrong.json()["error"]) == (401, "unauthorized")
    assert rows_of(db_path, v.id)["conversations"] == 1  # a wrong key deletes nothing

    r = delete(v)
    assert r.status_code == 200, r.text
    assert r.json() == {"deleted": True, "owner": "closed", "retention_days": 30}
    assert v.id in rasa.erased  # the bot's memory of it too
    assert rows_of(db_path, v.id) == dict.fromkeys(
        ("messages", "queue_entries", "ratings", "bot_signals", "conversations"), 0
    )
    for method, path in (("GET", ""), ("GET", "/transcript"), ("POST", "/messages")):
        gone = httpx.request(
            method,
            f"{hub.url}/api/conversations/{v.id}{path}",
            headers=v.headers,
            json={"text": "hei"},
        )
        assert (gone.status_code, gone.json()["error"]) == (404, "not_found"), path
    again = delete(v)
    assert (again.status_code, again.json()["error"]) == (404, "not_found")


def test_a_visitor_waiting_in_the_queue_is_deleted_and_leaves_the_queue(
    hub: Proc, db_path: Path
) -> None:
    auth = {"Authorization": f"Bearer {login(hub.url, 'kari')}"}
    v = Visitor(hub.url)
    assert v.post("/queue").status_code == 200

    def waiting() -> set[str]:
        queues = httpx.get(f"{hub.url}/api/advisor/queues", headers=auth).json()
        return {w["conversation_id"] for q in queues for w in q["waiting"]}

    assert v.id in waiting()
    assert delete(v).json()["deleted"] is True
    assert v.id not in waiting()
    assert rows_of(db_path, v.id)["queue_entries"] == 0
    claim = httpx.post(f"{hub.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
    assert claim.status_code == 409  # nothing waiting to claim


def test_a_conversation_an_advisor_took_part_in_is_ended_and_kept(hub: Proc, db_path: Path) -> None:
    auth = {"Authorization": f"Bearer {login(hub.url, 'kari')}"}
    v = Visitor(hub.url)
    assert v.post("/queue").status_code == 200
    claimed = httpx.post(f"{hub.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
    assert claimed.status_code == 200, claimed.text
    httpx.post(
        f"{hub.url}/api/advisor/conversations/{v.id}/messages",
        headers=auth,
        json={"text": "Hei, jeg ser på saken din."},
    )

    r = delete(v)
    assert r.status_code == 200, r.text
    assert r.json() == {"deleted": False, "owner": "closed", "retention_days": 30}
    # Ended, not deleted: kept (closed) with the advisor's part and the visitor's leave.
    seen = httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers).json()
    assert seen["owner"] == "closed"
    said = [m["text"] for m in seen["messages"]]
    assert "Hei, jeg ser på saken din." in said and "Den besøkende har avsluttet samtalen." in said
    assert rows_of(db_path, v.id)["conversations"] == 1
    assert httpx.get(f"{hub.url}/api/advisor/conversations", headers=auth).json() == []
    # Asking again changes nothing.
    assert delete(v).json()["deleted"] is False


async def test_an_open_socket_is_told_the_conversation_is_gone(hub: Proc) -> None:
    v = Visitor(hub.url)
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
        await next_frame(ws, "state", owner="bot")
        started = time.monotonic()
        assert delete(v).json()["deleted"] is True
        error = await next_frame(ws, "error", timeout=5)
        assert error["error"] == "not_found"
        assert time.monotonic() - started < 5  # at once, not at the next poll (15 s)
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)


async def test_deleting_while_the_bot_is_answering_stores_nothing_and_fails_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "slow.db"
    with FakeRasa(welcome_only, hold="silent") as rasa:
        hub = start_hub(
            database_url=f"sqlite:///{path}",
            rasa_url=rasa.url,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "1"},
        )
        try:
            v = Visitor(hub.url)
            assert v.post("/messages", json={"text": "Når kommer pengene?"}).status_code == 201
            assert await asyncio.to_thread(rasa.held.wait, 5)  # the bot is on it
            assert delete(v).json()["deleted"] is True
            await asyncio.sleep(2)  # past the bot's timeout: the hub would store its notice now
            assert rows_of(path, v.id) == dict.fromkeys(
                ("messages", "queue_entries", "ratings", "bot_signals", "conversations"), 0
            )
            log = hub.log.read_text(errors="replace")
            assert "background task failed" not in log and "Traceback" not in log, log[-3000:]
        finally:
            hub.stop()


def test_when_rasa_cannot_forget_it_the_conversation_is_ended_and_kept_for_retention(
    tmp_path: Path,
) -> None:
    path = tmp_path / "norasa.db"
    hub = start_hub(database_url=f"sqlite:///{path}", rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        v = Visitor(hub.url)
        assert v.post("/messages", json={"text": "hei"}).status_code == 201
        r = delete(v)
        assert (
            r.status_code == 200 and r.json()["deleted"] is False and r.json()["owner"] == "closed"
        )
        # Kept: the rows are the only record of which tracker retention must erase.
        assert rows_of(path, v.id)["conversations"] == 1
    finally:
        hub.stop()
