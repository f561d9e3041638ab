"""The bot relay (core/relay.py): the bot's handoffs and the queue they lead to, the
awaiting mark, a Rasa that answers nothing."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest

from hub.api import internal as internal_api
from hub.core import Hub
from hub.db.base import EntryState, Owner, Sender
from hub.db.models import QueueEntry
from hub.rules import texts
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.fake_rasa import FakeRasa, nothing
from tests.support import (
    awaiting_marks,
    entries_of,
    handed_off,
    messages_of,
    open_conv,
)


async def test_queue_order_urgent_first_then_first_come(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    first = await handed_off(hub)
    hub.clock.advance(seconds=10)
    second = await handed_off(hub)
    hub.clock.advance(seconds=10)
    urgent = await handed_off(hub, reason="urgent")
    other_topic = await handed_off(hub, topic="helse")
    async with hub.unit() as u:
        positions = {}
        for cid in (first, second, urgent, other_topic):
            entry = await queue_svc.open_entry(u, cid)
            positions[cid] = await queue_svc.position(u, entry)
    assert positions == {urgent: 1, first: 2, second: 3, other_topic: 1}
    async with hub.unit() as u:
        conv = await conv_svc.get(u, first)
        await queue_svc.leave(u, conv, hub.clock.now(), "left")
        entry = await queue_svc.open_entry(u, second)
        assert await queue_svc.position(u, entry) == 2
    answer = await hub.relay.handoff(second, "asked_for_person", "arbeid", None)
    assert answer["status"] == "queued" and answer["position"] == 2  # asking again: same place


async def test_refusals_closed_no_advisors_full(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, _, _ = await open_conv(hub)
    assert (await hub.relay.handoff(cid, "unsure", "arbeid", None))["reason"] == "no_advisors"
    await new_advisor(hub, "kari")
    clock.advance(days=4)  # Saturday
    answer = await hub.relay.handoff(cid, "unsure", "arbeid", None)
    assert answer == {
        "status": "refused",
        "reason": "closed",
        "next_open": "2026-11-30T09:00:00+01:00",
    }
    clock.advance(days=-4)
    hub.policy = queue_svc.QueuePolicy(hub.policy.hours, capacity=1)  # type: ignore[attr-defined]
    await handed_off(hub)
    assert (await hub.relay.handoff(cid, "unsure", "arbeid", None))["reason"] == "queue_full"
    assert (await hub.relay.handoff(cid, "urgent", "arbeid", None))["status"] == "queued"
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.queue


async def test_the_awaiting_mark_goes_with_the_bots_answer(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    msg = await hub.visitors.message(cid, secret, "Hei", None)
    assert msg.awaiting_bot  # committed together with the message
    await hub.drain()  # Rasa is down: the notice is the answer
    assert await awaiting_marks(hub, cid) == [False]
    assert (await messages_of(hub, cid))[-1].text == texts.BOT_UNAVAILABLE
    clock.advance(seconds=hub.sweeps.lost_after_seconds() + 1)
    assert await hub.sweeps.recover_lost_replies() == []
    # Not for the bot: the «person» button, and messages while queued.
    await hub.visitors.message(cid, secret, "Snakk med en veileder", texts.REQUEST_ADVISOR_PAYLOAD)
    await hub.drain()
    assert await awaiting_marks(hub, cid) == [False, False]


async def test_a_bot_that_answers_nothing_is_resumed_asked_again_then_reported(
    db_url, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_hub

    with FakeRasa(nothing) as rasa:  # what a paused tracker answers
        hub = await make_hub(db_url, settings.with_(rasa_url=rasa.url), clock)
        try:
            cid, secret, _ = await open_conv(hub)
            rasa.clear()
            await hub.visitors.message(cid, secret, "Når kommer pengene?", None)
            await hub.drain()
            webhook = ("/webhooks/rest/webhook", {"sender": cid, "message": "Når kommer pengene?"})
            resume = (f"/conversations/{cid}/tracker/events", {"event": "resume"})
            assert rasa.posts() == [webhook, resume, webhook]  # resumed and asked once more
            last = (await messages_of(hub, cid))[-1]
            assert (last.sender, last.text) == (Sender.system, texts.BOT_UNAVAILABLE)
            assert last.buttons == [texts.REQUEST_ADVISOR_BUTTON]  # not silence
            assert await awaiting_marks(hub, cid) == [False]
        finally:
            await hub.drain()
            await hub.bot.client.aclose()
            await hub.sessions.kw["bind"].dispose()


class _BotRequest:
    """What the handoff endpoint reads of a Sanic request: the app, headers and body."""

    def __init__(self, hub: Hub, body: dict[str, Any]) -> None:
        self.app = SimpleNamespace(ctx=SimpleNamespace(hub=hub))
        self.headers = {"authorization": f"Bearer {hub.settings.bot_secret}"}
        self.body = json.dumps(body).encode()


def _slow_open_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each enqueue between its open-entry check and its insert for a while, so a
    second request for the same conversation arrives in between (the race is certain)."""
    original = queue_svc.open_entry

    async def slow(*args: Any, **kwargs: Any) -> QueueEntry | None:
        found = await original(*args, **kwargs)
        await asyncio.sleep(0.2)
        return found

    monkeypatch.setattr(queue_svc, "open_entry", slow)


async def test_a_handoff_retried_while_the_first_is_running_gets_the_same_entry(  # type: ignore[no-untyped-def]
    hub, monkeypatch
) -> None:
    """The bot retries a timed-out handoff with the same body while the first request
    is still inside enqueue: both get the one open entry, neither fails."""
    await new_advisor(hub, "kari")
    cid, _, _ = await open_conv(hub)
    _slow_open_entry(monkeypatch)
    answers = await asyncio.gather(
        hub.relay.handoff(cid, "unsure", "arbeid", None),
        hub.relay.handoff(cid, "unsure", "arbeid", None),
    )
    assert answers[0] == answers[1]
    assert answers[0]["status"] == "queued" and answers[0]["position"] == 1
    entries = await entries_of(hub, cid)
    assert len(entries) == 1 and entries[0].state == EntryState.waiting


async def test_the_handoff_endpoint_answers_a_concurrent_retry_with_the_open_entry(  # type: ignore[no-untyped-def]
    hub, monkeypatch
) -> None:
    await new_advisor(hub, "kari")
    cid, _, _ = await open_conv(hub)
    body = {"conversation_id": cid, "reason": "unsure", "topic": "pensjon", "faq_id": None}
    _slow_open_entry(monkeypatch)
    first, retry = await asyncio.gather(
        internal_api.handoff(_BotRequest(hub, body)),  # type: ignore[arg-type]
        internal_api.handoff(_BotRequest(hub, body)),  # type: ignore[arg-type]
    )
    assert (first.status, retry.status) == (200, 200), retry.body
    assert json.loads(retry.body) == json.loads(first.body)
    assert json.loads(first.body)["status"] == "queued"
    assert json.loads(first.body)["queue"] == "pensjon"
    assert len(await entries_of(hub, cid)) == 1
