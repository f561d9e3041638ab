"""Housekeeping (core/sweeps.py, and the purge): absent visitors, stranded chats, lost bot replies."""

from __future__ import annotations

from datetime import timedelta

from hub.db.base import EntryState, Owner, Sender
from hub.rules import texts
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.support import (
    awaiting_marks,
    handed_off,
    messages_of,
    open_conv,
)


async def test_absent_visitor_leaves_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    gone = await handed_off(hub)
    present, secret, _ = await open_conv(hub)
    await hub.relay.handoff(present, "unsure", "arbeid", None)
    clock.advance(seconds=hub.settings.queue_absent_seconds - 10)
    await hub.visitors.typing(present, secret, True)  # any sign of life counts
    clock.advance(seconds=20)
    assert await hub.sweeps.absent() == [gone]
    stored = await messages_of(hub, gone)
    assert stored[-1].text == texts.QUEUE_TIMEOUT
    async with hub.unit() as u:
        assert (await conv_svc.get(u, gone)).owner == Owner.bot
        assert (await conv_svc.get(u, present)).owner == Owner.queue


async def test_a_transferred_visitor_is_not_taken_for_absent(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid = await handed_off(hub)
    await hub.advisors.claim(kari, cid)
    clock.advance(minutes=10)  # chatting with the advisor: the queue's presence mark aged
    await hub.advisors.transfer(kari, cid, "helse")
    assert await hub.sweeps.absent() == []
    clock.advance(seconds=hub.settings.queue_absent_seconds + 1)
    assert await hub.sweeps.absent() == [cid]  # from here on the usual rule


async def test_chats_of_an_advisor_whose_logins_expired_go_back_to_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")  # an 8-hour login, never logged out
    cid = await handed_off(hub)
    await hub.advisors.claim(kari, cid)
    clock.advance(hours=7, minutes=59)
    assert await hub.sweeps.requeue_stranded() == []
    clock.advance(minutes=2)
    assert await hub.sweeps.requeue_stranded() == [cid]
    assert await hub.sweeps.requeue_stranded() == []  # once
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None and (entry.state, entry.advisor_id) == (EntryState.waiting, None)
    told = [m.text for m in await messages_of(hub, cid)].count(texts.ADVISOR_LEFT)
    assert told == 1
    assert await hub.sweeps.absent() == []


async def test_a_lost_bot_reply_is_told_to_the_visitor_once(hub, clock) -> None:  # type: ignore[no-untyped-def]
    cid, _, _ = await open_conv(hub)
    # What a crash leaves behind: the message stored and marked, no exchange running.
    async with hub.unit() as u:
        conv = await conv_svc.get(u, cid)
        first = await conv_svc.add_message(
            u, conv, Sender.visitor, "Når kommer pengene?", clock.now(), awaiting_bot=True
        )
        long = "Jeg lurer på " + "veldig " * 20 + "mye"
        await conv_svc.add_message(u, conv, Sender.visitor, long, clock.now(), awaiting_bot=True)
    clock.advance(seconds=hub.sweeps.lost_after_seconds() - 1)
    assert await hub.sweeps.recover_lost_replies() == []  # could still be on its way
    clock.advance(seconds=2)
    hub.relay.awaiting.add(first.id)  # in flight in this process: not lost
    assert await hub.sweeps.recover_lost_replies() == [cid]
    stored = await messages_of(hub, cid)
    assert stored[-1].sender == Sender.system
    assert stored[-1].text == texts.bot_reply_lost(long)
    assert "Send meldingen på nytt" in stored[-1].text and "…" in stored[-1].text
    assert await awaiting_marks(hub, cid) == [True, False]
    hub.relay.awaiting.clear()
    assert await hub.sweeps.recover_lost_replies() == [cid]
    assert await awaiting_marks(hub, cid) == [False, False]
    assert await hub.sweeps.recover_lost_replies() == []
    assert len(await messages_of(hub, cid)) == len(stored) + 1


async def test_a_lost_reply_in_a_conversation_an_advisor_has_is_only_unmarked(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")
    cid = await handed_off(hub)
    async with hub.unit() as u:
        conv = await conv_svc.get(u, cid)
        await conv_svc.add_message(u, conv, Sender.visitor, "Hei", clock.now(), awaiting_bot=True)
    before = await messages_of(hub, cid)
    clock.advance(seconds=hub.sweeps.lost_after_seconds() + 1)
    assert await hub.sweeps.recover_lost_replies() == [cid]
    assert [m.id for m in await messages_of(hub, cid)] == [m.id for m in before]  # no notice
    assert await awaiting_marks(hub, cid) == [False]


async def test_purge_deletes_old_conversations_only(hub, clock) -> None:  # type: ignore[no-untyped-def]
    old, _, _ = await open_conv(hub)
    clock.advance(days=31)
    new, _, _ = await open_conv(hub)
    async with hub.unit() as u:
        deleted = await conv_svc.purge_older_than(u, clock.now() - timedelta(days=30))
    assert deleted == 1
    assert await messages_of(hub, old) == [] and len(await messages_of(hub, new)) == 1
