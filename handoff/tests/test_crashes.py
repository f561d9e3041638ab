"""A hub killed or a Rasa too slow: nothing lost, the visitor never left in silence.

Each test starts its own hub subprocess.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
import websockets

from hub.rules import texts
from tests.conftest import CLOSED_PORT_URL
from tests.fake_rasa import WELCOME, FakeRasa, welcome_only
from tests.live import HUB_ENV, Visitor, create_advisor, login, next_frame
from tests.stack import free_port, start_hub


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


@pytest.mark.parametrize("mode", ["silent", "trickle"])
async def test_rasa_slower_than_the_timeout_never_leaves_the_visitor_in_silence(
    tmp_path: Path, mode: str
) -> None:
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    create_advisor(url, "kari")
    with FakeRasa(welcome_only, hold=mode) as rasa:
        hub = start_hub(
            database_url=url,
            rasa_url=rasa.url,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "0.5"},
        )
        try:
            login(hub.url, "kari")  # somebody can take the visitor
            v = Visitor(hub.url)
            assert [m["text"] for m in v.first] == [WELCOME]
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
    with FakeRasa(welcome_only, hold="silent") as rasa:
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
