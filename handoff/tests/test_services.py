"""The service layer and use cases on a real database (SQLite and PostgreSQL).

Rasa is "down" here (a closed port); the real-Rasa path is in test_with_rasa.py.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import navpii
import pytest
from sqlalchemy import select

from hub import texts
from hub.api import internal as internal_api
from hub.api import views
from hub.core import Hub
from hub.db.base import EntryState, Owner, Sender
from hub.db.models import Advisor, Message, QueueEntry
from hub.errors import (
    AlreadyClaimed,
    Conflict,
    ConversationClosed,
    Forbidden,
    MessageTooLong,
    QueueRefused,
    RateLimited,
    TooManyConversations,
    TooManyLogins,
    Unauthorized,
)
from hub.ratelimit import Limits
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from hub.topics import TOPICS
from tests.conftest import new_advisor

FNR = "12038910076"  # made up, valid check digits (packages/navpii/tests/cases.yml)
MASK_FNR = navpii.MASK_FNR


async def _open(hub):  # type: ignore[no-untyped-def]
    conv, secret, messages = await hub.open_conversation("/dagpenger")
    return conv.id, secret, messages


async def _messages(hub, cid: str) -> list[Message]:  # type: ignore[no-untyped-def]
    async with hub.unit() as u:
        return await conv_svc.messages_after(u, cid)


async def _handoff(hub, reason: str = "asked_for_person", topic: str = "arbeid") -> str:  # type: ignore[no-untyped-def]
    cid, _, _ = await _open(hub)
    answer = await hub.bot_handoff(cid, reason, topic, None)
    assert answer["status"] == "queued", answer
    return cid


async def test_open_with_rasa_down_gives_a_clear_message_and_a_way_to_a_person(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, messages = await _open(hub)
    assert cid.startswith("c_") and len(secret) >= 40
    assert [m.sender for m in messages] == [Sender.system]
    assert messages[0].text == texts.BOT_UNAVAILABLE
    assert messages[0].buttons == [texts.REQUEST_ADVISOR_BUTTON]


async def test_message_is_stored_masked_and_the_bot_outage_answered(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    msg = await hub.visitor_message(cid, secret, f"mitt fnr er {FNR}", None)
    assert msg.id and MASK_FNR in msg.text and FNR not in msg.text
    await hub.drain()
    stored = await _messages(hub, cid)
    assert [m.sender for m in stored][-2:] == [Sender.visitor, Sender.system]
    assert all(FNR not in m.text for m in stored)


async def test_the_dash_and_spaced_spellings_the_review_found_are_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    for text in ("120389-10076", "f.nr. 12038910076", "12 03 89 10076", "120389\u200b10076"):
        msg = await hub.visitor_message(cid, secret, text, None)
        assert msg.text.endswith(MASK_FNR), msg.text
    await hub.drain()
    assert not any(navpii.find(m.text) for m in await _messages(hub, cid))


async def test_a_number_split_over_two_messages_is_masked_in_both_rows(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    first = await hub.visitor_message(cid, secret, "fnr 120389", None)
    assert first.text == "fnr 120389"  # alone it is a date
    await hub.drain()  # the bot's answer comes between the two halves
    second = await hub.visitor_message(cid, secret, "10076 takk", None)
    assert second.text == f"{MASK_FNR} takk"
    stored = {m.id: m.text for m in await _messages(hub, cid)}
    assert stored[first.id] == f"fnr {MASK_FNR}" and stored[second.id] == f"{MASK_FNR} takk"
    # Only the visitor's own previous message counts, and only a valid number.
    third = await hub.visitor_message(cid, secret, "55 55 33 33", None)
    assert third.text == "55 55 33 33"


async def test_the_page_and_a_button_payload_are_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    page = "https://www.nav.no/sok?q=120389-10076&" + "x" * 260  # near the column's 300
    conv, secret, _ = await hub.open_conversation(page)
    async with hub.unit() as u:
        stored_page = (await conv_svc.get(u, conv.id)).page
    assert stored_page == f"https://www.nav.no/sok?q={MASK_FNR}&" + "x" * 251
    msg = await hub.visitor_message(conv.id, secret, "Ja", '/faq{"n":"120389 10076"}')
    assert msg.payload == f'/faq{{"n":"{MASK_FNR}"}}'


async def test_an_advisors_pasted_number_is_stored_masked(hub) -> None:  # type: ignore[no-untyped-def]
    advisor, _ = await new_advisor(hub, "kari")
    cid = await _handoff(hub)
    await hub.claim(advisor, cid)
    msg = await hub.advisor_message(advisor, cid, "Jeg ser 12.03.89 10076 i saken.")
    assert msg.text == f"Jeg ser {MASK_FNR} i saken."


async def test_secret_opens_only_its_own_conversation(hub) -> None:  # type: ignore[no-untyped-def]
    a, secret_a, _ = await _open(hub)
    b, _, _ = await _open(hub)
    with pytest.raises(Unauthorized):
        await hub.visitor_message(b, secret_a, "hei", None)
    with pytest.raises(Unauthorized):
        await hub.visitor_message(a, None, "hei", None)


async def test_limits_store_nothing_half(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    with pytest.raises(MessageTooLong) as too_long:
        await hub.visitor_message(cid, secret, "x" * 1001, None)
    assert too_long.value.body()["limit"] == 1000
    await hub.visitor_message(cid, secret, "x" * 1000, None)
    for i in range(19):
        await hub.visitor_message(cid, secret, f"melding {i}", None)
    with pytest.raises(RateLimited) as limited:
        await hub.visitor_message(cid, secret, "en for mye", None)
    assert limited.value.body()["limit"] == 20 and "20" in limited.value.message
    await hub.drain()
    visitor = [m for m in await _messages(hub, cid) if m.sender == Sender.visitor]
    assert len(visitor) == 20 and "en for mye" not in {m.text for m in visitor}
    hub.clock.advance(seconds=61)
    await hub.visitor_message(cid, secret, "nå går det igjen", None)


async def test_queue_order_urgent_first_then_first_come(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    first = await _handoff(hub)
    hub.clock.advance(seconds=10)
    second = await _handoff(hub)
    hub.clock.advance(seconds=10)
    urgent = await _handoff(hub, reason="urgent")
    other_topic = await _handoff(hub, topic="helse")
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
    answer = await hub.bot_handoff(second, "asked_for_person", "arbeid", None)
    assert answer["status"] == "queued" and answer["position"] == 2  # asking again: same place


async def test_refusals_closed_no_advisors_full(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, _, _ = await _open(hub)
    assert (await hub.bot_handoff(cid, "unsure", "arbeid", None))["reason"] == "no_advisors"
    await new_advisor(hub, "kari")
    clock.advance(days=4)  # Saturday
    answer = await hub.bot_handoff(cid, "unsure", "arbeid", None)
    assert answer == {
        "status": "refused",
        "reason": "closed",
        "next_open": "2026-11-30T09:00:00+01:00",
    }
    clock.advance(days=-4)
    hub.policy = queue_svc.QueuePolicy(hub.policy.hours, capacity=1)  # type: ignore[attr-defined]
    await _handoff(hub)
    assert (await hub.bot_handoff(cid, "unsure", "arbeid", None))["reason"] == "queue_full"
    assert (await hub.bot_handoff(cid, "urgent", "arbeid", None))["status"] == "queued"
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.queue


async def test_visitor_chooses_a_person_when_the_bot_is_down(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    with pytest.raises(QueueRefused) as refused:
        await hub.request_queue(cid, secret, None)
    assert refused.value.code == "no_advisors" and "55 55 33 33" in refused.value.message
    await new_advisor(hub, "kari")
    await hub.visitor_message(cid, secret, "Snakk med en veileder", texts.REQUEST_ADVISOR_PAYLOAD)
    await hub.drain()
    stored = await _messages(hub, cid)
    assert stored[-1].sender == Sender.system and "nestemann i køen" in stored[-1].text
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and entry.topic == "generell"


async def test_a_request_for_a_person_is_queued_even_when_the_bot_is_down(hub) -> None:  # type: ignore[no-untyped-def]
    # The widget's "Snakk med en veileder" sends the bot's own payload; with the bot down
    # the hub queues the visitor itself instead of asking them to choose a person again.
    cid, secret, _ = await _open(hub)
    await new_advisor(hub, "kari")
    await hub.visitor_message(
        cid, secret, "Jeg vil snakke med en veileder", texts.BOT_REQUEST_HUMAN_PAYLOAD
    )
    await hub.drain()
    after = (await _messages(hub, cid))[-2:]
    assert after[0].sender == Sender.visitor and not after[0].awaiting_bot
    assert after[1].sender == Sender.system and "nestemann i køen" in after[1].text
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.queue

    # Anything else still gets the outage notice with the way to a person.
    other, other_secret, _ = await _open(hub)
    await hub.visitor_message(other, other_secret, "hvordan søker jeg dagpenger", None)
    await hub.drain()
    assert (await _messages(hub, other))[-1].text == texts.BOT_UNAVAILABLE


async def test_claim_chat_transfer_end_and_rate(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari", max_chats=1)
    ola, _ = await new_advisor(hub, "ola")
    cid, secret, _ = await _open(hub)
    await hub.bot_handoff(cid, "asked_for_person", "arbeid", "dagpenger_soke")
    hub.clock.advance(seconds=30)
    await hub.claim(kari, cid)
    with pytest.raises(AlreadyClaimed):
        await hub.claim(ola, cid)
    other = await _handoff(hub)
    with pytest.raises(Exception) as too_many:
        await hub.claim(kari, other)
    assert too_many.value.body()["error"] == "too_many_chats"  # type: ignore[attr-defined]
    async with hub.unit() as u:  # the refused claim left the other visitor waiting
        assert (await queue_svc.open_entry(u, other)).state == EntryState.waiting  # type: ignore[union-attr]
    with pytest.raises(Forbidden):
        await hub.advisor_message(ola, cid, "hei")
    msg = await hub.advisor_message(kari, cid, f"Hei, jeg heter Kari. Ditt nr {FNR}?")
    assert msg.advisor_name == "Kari" and FNR not in msg.text
    visitor_msg = await hub.visitor_message(cid, secret, "takk", None)
    assert visitor_msg.sender == Sender.visitor
    info = await hub.transfer(kari, cid, "helse")
    assert info.topic == "helse" and info.position == 1
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and entry.enqueued_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    await hub.claim(ola, cid)
    await hub.end_chat(ola, cid, "besvart")
    with pytest.raises(ConversationClosed):
        await hub.visitor_message(cid, secret, "hallo?", None)
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
    outcomes = [e.outcome for e in (await _entries(hub, cid))]
    assert outcomes == ["besvart"]


async def _entries(hub, cid: str) -> list[QueueEntry]:  # type: ignore[no-untyped-def]
    async with hub.unit() as u:
        rows = await u.session.execute(select(QueueEntry).where(QueueEntry.conversation_id == cid))
        return list(rows.scalars())


async def test_handback_with_rasa_down_still_tells_the_visitor(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid = await _handoff(hub)
    await hub.claim(kari, cid)
    await hub.handback(kari, cid)
    await hub.drain()
    stored = await _messages(hub, cid)
    assert [m.text for m in stored[-2:]] == [texts.HANDED_BACK, texts.BOT_UNAVAILABLE]
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).owner == Owner.bot
    with pytest.raises(ConversationClosed):
        await hub.handback(kari, cid)


async def test_absent_visitor_leaves_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    gone = await _handoff(hub)
    present, secret, _ = await _open(hub)
    await hub.bot_handoff(present, "unsure", "arbeid", None)
    clock.advance(seconds=hub.settings.queue_absent_seconds - 10)
    await hub.visitor_typing(present, secret, True)  # any sign of life counts
    clock.advance(seconds=20)
    assert await hub.sweep_absent() == [gone]
    stored = await _messages(hub, gone)
    assert stored[-1].text == texts.QUEUE_TIMEOUT
    async with hub.unit() as u:
        assert (await conv_svc.get(u, gone)).owner == Owner.bot
        assert (await conv_svc.get(u, present)).owner == Owner.queue


async def test_waiting_information_is_honest_when_no_advisor_is_available(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari", status="away")  # logged in, away: may queue
    cid, secret, _ = await _open(hub)
    info = await hub.request_queue(cid, secret, None)
    assert views.queue_json(info) == {
        "topic": "generell",
        "position": 1,
        "estimated_wait_minutes": None,
        "advisors_available": 0,
        "urgent": False,
    }
    told = (await _messages(hub, cid))[-1].text
    assert told == texts.queued(1, None)
    assert "Ingen veileder er ledig akkurat nå" in told and "minutter" not in told
    other, _, _ = await _open(hub)
    answer = await hub.bot_handoff(other, "unsure", "arbeid", None)
    assert answer["estimated_wait_minutes"] is None and answer["advisors_available"] == 0

    async with hub.unit() as u:
        await advisor_svc.set_status(u, await u.session.get_one(Advisor, kari.id), "available")
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None
        info = await queue_svc.queue_info(u, entry, hub.clock.now(), 6)
    assert (info.advisors_available, info.estimated_wait_minutes) == (1, 3)
    assert "omtrent 3 minutter" in texts.queued(1, 3)


async def test_an_advisor_who_logs_out_gives_the_chats_back_to_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, token = await new_advisor(hub, "kari")
    ola, _ = await new_advisor(hub, "ola")
    first = await _handoff(hub)
    enqueued = clock.now()
    clock.advance(seconds=30)
    later = await _handoff(hub)
    await hub.claim(kari, first)
    async with hub.unit() as u:  # Kari is logged in twice (another browser)
        other_token, _ = await advisor_svc.start_session(u, kari.id, clock.now(), 8)
    assert await hub.advisor_logout(kari, token) == []  # still logged in elsewhere
    async with hub.unit() as u:
        assert (await queue_svc.open_entry(u, first)).state == EntryState.assigned  # type: ignore[union-attr]

    clock.advance(minutes=10)  # the visitor has been reading, not polling the queue
    with hub.broker.subscribe(f"advisor:{kari.id}", "queues", f"conv:{first}") as sub:
        assert await hub.advisor_logout(kari, other_token) == [first]
        events = sub.drain()
    assert {"type": "conversation", "data": {"conversation_id": first, "owner": "queue"}} in events
    assert {"type": "queues", "data": {}} in events and {"type": "sync", "data": {}} in events
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, first)
        assert entry is not None and entry.state == EntryState.waiting
        assert (entry.advisor_id, entry.assigned_at, entry.enqueued_at) == (None, None, enqueued)
        assert await queue_svc.position(u, entry) == 1  # before the one who came later
        assert await queue_svc.position(u, await queue_svc.open_entry(u, later)) == 2  # type: ignore[arg-type]
        assert (await conv_svc.get(u, first)).owner == Owner.queue
        assert await queue_svc.advisor_chats(u, kari) == []
    last = (await _messages(hub, first))[-1]
    assert (last.sender, last.text) == (Sender.system, texts.ADVISOR_LEFT)
    # Not taken for an absent visitor (the one who came later did not poll: gone).
    assert await hub.sweep_absent() == [later]
    await hub.claim(ola, first)  # the next advisor takes over


async def test_a_transferred_visitor_is_not_taken_for_absent(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid = await _handoff(hub)
    await hub.claim(kari, cid)
    clock.advance(minutes=10)  # chatting with the advisor: the queue's presence mark aged
    await hub.transfer(kari, cid, "helse")
    assert await hub.sweep_absent() == []
    clock.advance(seconds=hub.settings.queue_absent_seconds + 1)
    assert await hub.sweep_absent() == [cid]  # from here on the usual rule


async def test_chats_of_an_advisor_whose_logins_expired_go_back_to_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")  # an 8-hour login, never logged out
    cid = await _handoff(hub)
    await hub.claim(kari, cid)
    clock.advance(hours=7, minutes=59)
    assert await hub.requeue_stranded() == []
    clock.advance(minutes=2)
    assert await hub.requeue_stranded() == [cid]
    assert await hub.requeue_stranded() == []  # once
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and (entry.state, entry.advisor_id) == (EntryState.waiting, None)
    told = [m.text for m in await _messages(hub, cid)].count(texts.ADVISOR_LEFT)
    assert told == 1
    assert await hub.sweep_absent() == []


async def test_visitor_leaves_and_ends(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, secret, _ = await _open(hub)
    await hub.bot_handoff(cid, "unsure", "arbeid", None)
    await hub.leave_queue(cid, secret)
    with pytest.raises(Conflict):
        await hub.leave_queue(cid, secret)
    await hub.bot_handoff(cid, "unsure", "arbeid", None)
    await hub.claim(kari, cid)
    with hub.broker.subscribe(f"advisor:{kari.id}") as sub:
        await hub.visitor_end(cid, secret)
        events = sub.drain()
    assert {"type": "conversation", "data": {"conversation_id": cid, "owner": "closed"}} in events
    async with hub.unit() as u:
        assert await queue_svc.advisor_chats(u, kari) == []


async def test_overview_lists_every_topic_with_first_lines(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    cid, secret, _ = await _open(hub)
    await hub.visitor_message(cid, secret, "Jeg har mistet jobben", None)
    await hub.drain()
    await hub.bot_handoff(cid, "urgent", "sosial", None)
    hub.clock.advance(seconds=42)
    async with hub.unit() as u:
        overview = await queue_svc.overview(u, hub.clock.now())
    assert [q["topic"] for q in overview] == list(TOPICS)
    sosial = next(q for q in overview if q["topic"] == "sosial")["waiting"]
    assert sosial == [
        {
            "conversation_id": cid,
            "reason": "urgent",
            "urgent": True,
            "waiting_seconds": 42,
            "first_lines": ["Jeg har mistet jobben"],
        }
    ]


async def test_purge_deletes_old_conversations_only(hub, clock) -> None:  # type: ignore[no-untyped-def]
    old, _, _ = await _open(hub)
    clock.advance(days=31)
    new, _, _ = await _open(hub)
    async with hub.unit() as u:
        deleted = await conv_svc.purge_older_than(u, clock.now() - timedelta(days=30))
    assert deleted == 1
    assert await _messages(hub, old) == [] and len(await _messages(hub, new)) == 1


async def test_simultaneous_claims_one_winner(hub) -> None:  # type: ignore[no-untyped-def]
    """50 advisors claim the same visitor at the same instant: exactly one wins."""
    advisors = [(await new_advisor(hub, f"veileder{i}"))[0] for i in range(50)]
    cid = await _handoff(hub)

    async def attempt(a):  # type: ignore[no-untyped-def]
        try:
            await hub.claim(a, cid)
            return "won"
        except AlreadyClaimed:
            return "already_claimed"

    results = await asyncio.gather(*(attempt(a) for a in advisors))
    assert results.count("won") == 1 and results.count("already_claimed") == 49
    entries = await _entries(hub, cid)
    assert len(entries) == 1 and entries[0].state == EntryState.assigned
    joined = [m for m in await _messages(hub, cid) if m.text.endswith("har tatt over samtalen.")]
    assert len(joined) == 1


async def _awaiting(hub, cid: str) -> list[bool]:  # type: ignore[no-untyped-def]
    return [m.awaiting_bot for m in await _messages(hub, cid) if m.sender == Sender.visitor]


async def test_the_awaiting_mark_goes_with_the_bots_answer(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await _open(hub)
    msg = await hub.visitor_message(cid, secret, "Hei", None)
    assert msg.awaiting_bot  # committed together with the message
    await hub.drain()  # Rasa is down: the notice is the answer
    assert await _awaiting(hub, cid) == [False]
    assert (await _messages(hub, cid))[-1].text == texts.BOT_UNAVAILABLE
    clock.advance(seconds=hub.lost_after_seconds() + 1)
    assert await hub.recover_lost_replies() == []
    # Not for the bot: the «person» button, and messages while queued.
    await hub.visitor_message(cid, secret, "Snakk med en veileder", texts.REQUEST_ADVISOR_PAYLOAD)
    await hub.drain()
    assert await _awaiting(hub, cid) == [False, False]


async def test_a_lost_bot_reply_is_told_to_the_visitor_once(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, _, _ = await _open(hub)
    # What a crash leaves behind: the message stored and marked, no exchange running.
    async with hub.unit() as u:
        conv = await conv_svc.get(u, cid)
        first = await conv_svc.add_message(
            u, conv, Sender.visitor, "Når kommer pengene?", clock.now(), awaiting_bot=True
        )
        long = "Jeg lurer på " + "veldig " * 20 + "mye"
        await conv_svc.add_message(u, conv, Sender.visitor, long, clock.now(), awaiting_bot=True)
    clock.advance(seconds=hub.lost_after_seconds() - 1)
    assert await hub.recover_lost_replies() == []  # could still be on its way
    clock.advance(seconds=2)
    hub._awaiting.add(first.id)  # in flight in this process: not lost
    assert await hub.recover_lost_replies() == [cid]
    stored = await _messages(hub, cid)
    assert stored[-1].sender == Sender.system
    assert stored[-1].text == texts.bot_reply_lost(long)
    assert "Send meldingen på nytt" in stored[-1].text and "…" in stored[-1].text
    assert await _awaiting(hub, cid) == [True, False]
    hub._awaiting.clear()
    assert await hub.recover_lost_replies() == [cid]
    assert await _awaiting(hub, cid) == [False, False]
    assert await hub.recover_lost_replies() == []
    assert len(await _messages(hub, cid)) == len(stored) + 1


async def test_a_lost_reply_in_a_conversation_an_advisor_has_is_only_unmarked(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    cid = await _handoff(hub)
    async with hub.unit() as u:
        conv = await conv_svc.get(u, cid)
        await conv_svc.add_message(u, conv, Sender.visitor, "Hei", clock.now(), awaiting_bot=True)
    before = await _messages(hub, cid)
    clock.advance(seconds=hub.lost_after_seconds() + 1)
    assert await hub.recover_lost_replies() == [cid]
    assert [m.id for m in await _messages(hub, cid)] == [m.id for m in before]  # no notice
    assert await _awaiting(hub, cid) == [False]


async def test_a_read_only_unit_does_not_hold_up_writers_on_sqlite(
    sqlite_url, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_hub

    hub = await make_hub(sqlite_url, settings, clock)
    try:
        cid, secret, _ = await _open(hub)
        async with hub.unit(read_only=True) as reader:
            await conv_svc.messages_after(reader, cid)  # its snapshot is open
            # A writer commits meanwhile (with BEGIN IMMEDIATE here it would wait 30 s).
            await asyncio.wait_for(hub.visitor_message(cid, secret, "Hei", None), 5)
            assert [m.text for m in await conv_svc.messages_after(reader, cid)][-1] != "Hei"
        async with hub.unit(read_only=True) as reader:
            assert "Hei" in [m.text for m in await conv_svc.messages_after(reader, cid)]
    finally:
        await hub.drain()
        await hub.bot.client.aclose()
        await hub.sessions.kw["bind"].dispose()


async def test_a_reader_following_the_ids_never_skips_a_message(hub) -> None:  # type: ignore[no-untyped-def]
    """Two writers add to one conversation; the first is slow to commit. On PostgreSQL
    ids come from a sequence at INSERT, so without a lock the second could commit the
    higher id first, a reader's cursor (``after`` = last id) would move past the lower
    one, and the reader would never see it. The second writer must wait for the first."""
    cid, _, _ = await _open(hub)
    async with hub.unit(read_only=True) as u:
        cursor = (await conv_svc.messages_after(u, cid))[-1].id
    seen: list[str] = []

    async def read() -> None:
        nonlocal cursor
        async with hub.unit(read_only=True) as u:
            new = await conv_svc.messages_after(u, cid, cursor)
        cursor = new[-1].id if new else cursor
        seen.extend(m.text for m in new)

    inserted, release = asyncio.Event(), asyncio.Event()

    async def write(text: str, hold: bool) -> None:
        async with hub.unit() as u:
            conv = await conv_svc.get(u, cid)
            await conv_svc.add_message(u, conv, Sender.system, text, hub.clock.now())
            if hold:
                inserted.set()
                await release.wait()  # inserted, not committed

    slow = asyncio.create_task(write("først", hold=True))
    await asyncio.wait_for(inserted.wait(), 5)
    quick = asyncio.create_task(write("så", hold=False))
    await asyncio.wait({quick}, timeout=1)
    waited = not quick.done()
    await read()  # a reader polls while the first writer is still open
    release.set()
    await asyncio.wait_for(asyncio.gather(slow, quick), 10)
    await read()
    assert seen == ["først", "så"]
    assert waited


class EmptyRasa:
    """A real HTTP server on loopback standing in for a Rasa that answers every message
    with ``[]`` (what a paused tracker does) and accepts tracker events."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.calls: list[tuple[str, dict]] = []  # type: ignore[type-arg]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                import json

                body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)))
                outer.calls.append((self.path, body))
                data = b"[]" if self.path.startswith("/webhooks/") else b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_a_bot_that_answers_nothing_is_resumed_asked_again_then_reported(
    db_url, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_hub

    rasa = EmptyRasa()
    hub = await make_hub(db_url, settings.with_(rasa_url=rasa.url), clock)
    try:
        cid, secret, _ = await _open(hub)
        rasa.calls.clear()
        await hub.visitor_message(cid, secret, "Når kommer pengene?", None)
        await hub.drain()
        webhook = ("/webhooks/rest/webhook", {"sender": cid, "message": "Når kommer pengene?"})
        resume = (f"/conversations/{cid}/tracker/events", {"event": "resume"})
        assert rasa.calls == [webhook, resume, webhook]  # resumed and asked once more
        last = (await _messages(hub, cid))[-1]
        assert (last.sender, last.text) == (Sender.system, texts.BOT_UNAVAILABLE)
        assert last.buttons == [texts.REQUEST_ADVISOR_BUTTON]  # not silence
        assert await _awaiting(hub, cid) == [False]
    finally:
        await hub.drain()
        await hub.bot.client.aclose()
        await hub.sessions.kw["bind"].dispose()
        rasa.close()


async def test_new_conversations_are_limited_per_client_address(hub, clock) -> None:  # type: ignore[no-untyped-def]
    limit = hub.settings.conversations_per_minute
    for _ in range(limit):
        await hub.open_conversation(None, "203.0.113.7")
    with pytest.raises(TooManyConversations) as refused:
        await hub.open_conversation(None, "203.0.113.7")
    body = refused.value.body()
    assert (refused.value.status, body["error"], body["limit"]) == (429, "rate_limited", limit)
    assert body["retry_after"] == 60 and "prøv igjen om 60 sekunder" in body["message"]
    await hub.open_conversation(None, "198.51.100.1")  # another address
    await hub.open_conversation(None)  # the hub's own callers: no address, no limit
    clock.advance(seconds=60)
    await hub.open_conversation(None, "203.0.113.7")


async def test_failed_logins_are_limited_and_then_no_password_is_checked(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")  # password "passord123"
    here = "192.0.2.10"
    for _ in range(hub.settings.login_failures):
        with pytest.raises(Unauthorized):
            await hub.login("kari", "gjett", here)
    with pytest.raises(TooManyLogins) as refused:
        await hub.login("Kari", "passord123", here)  # the right one, too late
    assert refused.value.status == 429 and refused.value.body()["retry_after"] == 15 * 60
    assert refused.value.message.endswith("Prøv igjen om 15 minutter.")
    token, _ = await hub.login("kari", "passord123", "192.0.2.99")  # another address
    assert token
    clock.advance(minutes=14)
    with pytest.raises(TooManyLogins) as still:
        await hub.login("kari", "passord123", here)
    assert still.value.message.endswith("Prøv igjen om 1 minutt.")
    clock.advance(minutes=1)
    token, advisor = await hub.login("kari", "passord123", here)
    assert token and advisor.status == "available"
    # A success starts the count again for that user name and address.
    for _ in range(hub.settings.login_failures - 1):
        with pytest.raises(Unauthorized):
            await hub.login("kari", "gjett", here)
    await hub.login("kari", "passord123", here)
    with pytest.raises(Unauthorized):
        await hub.login("kari", "gjett", here)


async def test_parallel_login_guesses_cannot_slip_past_the_limit(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")

    async def guess(i: int) -> str:
        try:
            await hub.login("kari", f"gjett{i}", "192.0.2.10")
        except (Unauthorized, TooManyLogins) as exc:
            return exc.code if isinstance(exc, Unauthorized) else "limited"
        return "in"

    results = await asyncio.gather(*(guess(i) for i in range(12)))
    assert results.count("unauthorized") == hub.settings.login_failures
    assert results.count("limited") == 12 - hub.settings.login_failures


async def test_one_address_trying_many_user_names_is_limited_too(hub) -> None:  # type: ignore[no-untyped-def]
    hub.limits = Limits.from_settings(
        hub.settings.with_(login_failures_per_address=3), lambda: hub.clock.now().timestamp()
    )
    for name in ("anne", "bjørn", "carl"):
        with pytest.raises(Unauthorized):
            await hub.login(name, "gjett", "192.0.2.10")
    with pytest.raises(TooManyLogins):
        await hub.login("dina", "gjett", "192.0.2.10")


async def test_typing_beyond_a_few_a_second_is_dropped_silently(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, secret, _ = await _open(hub)
    await hub.bot_handoff(cid, "asked_for_person", "arbeid", None)
    await hub.claim(kari, cid)
    per_second = hub.settings.typing_per_second
    with (
        hub.broker.subscribe(f"advisor:{kari.id}") as to_advisor,
        hub.broker.subscribe(f"conv:{cid}") as to_visitor,
    ):
        for _ in range(per_second * 4):
            await hub.visitor_typing(cid, secret, True)  # no error for the extra ones
            await hub.advisor_typing(kari, cid, True)
        clock.advance(seconds=1)
        await hub.visitor_typing(cid, secret, False)
        await hub.advisor_typing(kari, cid, False)
        seen_by_advisor = [e for e in to_advisor.drain() if e["type"] == "typing"]
        seen_by_visitor = [e for e in to_visitor.drain() if e["type"] == "typing"]
    assert len(seen_by_advisor) == len(seen_by_visitor) == per_second + 1
    assert seen_by_advisor[-1]["data"]["typing"] is False
    assert seen_by_visitor[-1]["data"] == {"sender": "advisor", "typing": False}


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
    cid, _, _ = await _open(hub)
    _slow_open_entry(monkeypatch)
    answers = await asyncio.gather(
        hub.bot_handoff(cid, "unsure", "arbeid", None),
        hub.bot_handoff(cid, "unsure", "arbeid", None),
    )
    assert answers[0] == answers[1]
    assert answers[0]["status"] == "queued" and answers[0]["position"] == 1
    entries = await _entries(hub, cid)
    assert len(entries) == 1 and entries[0].state == EntryState.waiting


async def test_the_handoff_endpoint_answers_a_concurrent_retry_with_the_open_entry(  # type: ignore[no-untyped-def]
    hub, monkeypatch
) -> None:
    await new_advisor(hub, "kari")
    cid, _, _ = await _open(hub)
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
    assert len(await _entries(hub, cid)) == 1
