"""The advisor's use cases (core/advisors.py) on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from hub.api import views
from hub.db.base import EntryState, Owner, Sender
from hub.errors import (
    AlreadyClaimed,
    Conflict,
    ConversationClosed,
    Forbidden,
)
from hub.rules import texts
from hub.rules.topics import TOPICS
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.support import FNR, MASK_FNR, entries_of, handed_off, messages_of, open_conv


async def test_an_advisors_pasted_number_is_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    advisor, _ = await new_advisor(hub, "kari")
    cid = await handed_off(hub)
    await hub.advisors.claim(advisor, cid)
    msg = await hub.advisors.message(advisor, cid, "Jeg ser 12.03.89 10076 i saken.")
    assert msg.text == f"Jeg ser {MASK_FNR} i saken."


async def test_claim_chat_transfer_end_and_rate(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari", max_chats=1)
    ola, _ = await new_advisor(hub, "ola")
    cid, secret, _ = await open_conv(hub)
    await hub.relay.handoff(cid, "asked_for_person", "arbeid", "dagpenger_soke")
    hub.clock.advance(seconds=30)
    await hub.advisors.claim(kari, cid)
    with pytest.raises(AlreadyClaimed):
        await hub.advisors.claim(ola, cid)
    other = await handed_off(hub)
    with pytest.raises(Exception) as too_many:
        await hub.advisors.claim(kari, other)
    assert too_many.value.body()["error"] == "too_many_chats"  # type: ignore[attr-defined]
    async with hub.unit() as u:  # the refused claim left the other visitor waiting
        assert (await queue_svc.open_entry(u, other)).state == EntryState.waiting  # type: ignore[union-attr]
    with pytest.raises(Forbidden):
        await hub.advisors.message(ola, cid, "hei")
    msg = await hub.advisors.message(kari, cid, f"Hei, jeg heter Kari. Ditt nr {FNR}?")
    assert msg.advisor_name == "Kari" and FNR not in msg.text
    visitor_msg = await hub.visitors.message(cid, secret, "takk", None)
    assert visitor_msg.sender == Sender.visitor
    info = await hub.advisors.transfer(kari, cid, "helse")
    assert info.topic == "helse" and info.position == 1
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and entry.enqueued_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    await hub.advisors.claim(ola, cid)
    await hub.advisors.end(ola, cid, "besvart")
    with pytest.raises(ConversationClosed):
        await hub.visitors.message(cid, secret, "hallo?", None)
    async with hub.unit() as u:
        conv = await conv_svc.get(u, cid)
        assert conv.owner == Owner.closed
        rating = await conv_svc.rate(u, conv, "delvis", hub.clock.now())
        assert rating.advisor_id == ola.id
    async with hub.unit() as u:
        with pytest.raises(Conflict):
            await conv_svc.rate(u, conv, "ja", hub.clock.now())
    async with hub.unit() as u:
        transcript = views.transcript_text(conv, await conv_svc.messages_after(u, cid), hub.tz)
    assert "Kari: Hei, jeg heter Kari." in transcript and "Du: takk" in transcript
    outcomes = [e.outcome for e in (await entries_of(hub, cid))]
    assert outcomes == ["besvart"]


async def test_handback_with_rasa_down_still_tells_the_visitor(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid = await handed_off(hub)
    await hub.advisors.claim(kari, cid)
    await hub.advisors.handback(kari, cid)
    await hub.drain()
    stored = await messages_of(hub, cid)
    assert [m.text for m in stored[-2:]] == [texts.HANDED_BACK, texts.BOT_UNAVAILABLE]
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.bot
    with pytest.raises(ConversationClosed):
        await hub.advisors.handback(kari, cid)


async def test_overview_lists_every_topic_with_first_lines(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    cid, secret, _ = await open_conv(hub)
    await hub.visitors.message(cid, secret, "Jeg har mistet jobben", None)
    await hub.drain()
    await hub.relay.handoff(cid, "urgent", "sosial", None)
    hub.clock.advance(seconds=42)
    async with hub.unit() as u:
        overview = views.queues_json(await queue_svc.overview(u, hub.clock.now()))
    assert [q["topic"] for q in overview] == list(TOPICS)
    sosial = next(q for q in overview if q["topic"] == "sosial")["waiting"]
    assert sosial == [
        {
            "conversation_id": cid,
            "reason": "urgent",
            "urgent": True,
            "waiting_seconds": 42,
            "first_lines": ["Jeg har mistet jobben"],
            "language": "nb",
        }
    ]


async def test_simultaneous_claims_one_winner(hub) -> None:  # type: ignore[no-untyped-def]
    """50 advisors claim the same visitor at the same instant: exactly one wins."""
    advisors = [(await new_advisor(hub, f"veileder{i}"))[0] for i in range(50)]
    cid = await handed_off(hub)

    async def attempt(a):  # type: ignore[no-untyped-def]
        try:
            await hub.advisors.claim(a, cid)
            return "won"
        except AlreadyClaimed:
            return "already_claimed"

    results = await asyncio.gather(*(attempt(a) for a in advisors))
    assert results.count("won") == 1 and results.count("already_claimed") == 49
    entries = await entries_of(hub, cid)
    assert len(entries) == 1 and entries[0].state == EntryState.assigned
    joined = [m for m in await messages_of(hub, cid) if m.text.endswith("har tatt over samtalen.")]
    assert len(joined) == 1


async def test_typing_beyond_a_few_a_second_is_dropped_silently(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, secret, _ = await open_conv(hub)
    await hub.relay.handoff(cid, "asked_for_person", "arbeid", None)
    await hub.advisors.claim(kari, cid)
    per_second = hub.settings.typing_per_second
    with (
        hub.broker.subscribe(f"advisor:{kari.id}") as to_advisor,
        hub.broker.subscribe(f"conv:{cid}") as to_visitor,
    ):
        for _ in range(per_second * 4):
            await hub.visitors.typing(cid, secret, True)  # no error for the extra ones
            await hub.advisors.typing(kari, cid, True)
        clock.advance(seconds=1)
        await hub.visitors.typing(cid, secret, False)
        await hub.advisors.typing(kari, cid, False)
        seen_by_advisor = [e for e in to_advisor.drain() if e["type"] == "typing"]
        seen_by_visitor = [e for e in to_visitor.drain() if e["type"] == "typing"]
    assert len(seen_by_advisor) == len(seen_by_visitor) == per_second + 1
    assert seen_by_advisor[-1]["data"]["typing"] is False
    assert seen_by_visitor[-1]["data"] == {"sender": "advisor", "typing": False}
