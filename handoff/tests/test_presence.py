"""Presence: an advisor is at work only while a console shows it (a login, then a
heartbeat at least every HUB_ADVISOR_PRESENCE_SECONDS). A closed browser must not leave
visitors told "nummer 1 … omtrent 1 minutt" by nobody, nor chats with nobody."""

from __future__ import annotations

import asyncio

import pytest

from hub.core import Hub
from hub.db.base import EntryState
from hub.errors import QueueRefused
from hub.rules import texts
from hub.services import queue as queue_svc
from hub.settings import Settings
from tests.conftest import make_hub, new_advisor
from tests.support import handed_off, messages_of, open_conv

MINUTE = 60


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_(advisor_presence_seconds=MINUTE)


async def _info(hub: Hub, cid: str):  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, cid)
        assert entry is not None
        return entry, await queue_svc.queue_info(u, entry, now, 6, hub.present_since(now))


async def test_an_advisor_without_a_console_for_a_minute_is_away_and_their_chats_go_back_first(
    hub, clock
) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    chatting = await handed_off(hub)
    await hub.advisors.claim(kari, chatting)
    clock.advance(seconds=5)
    later = await handed_off(hub)
    _, info = await _info(hub, later)
    assert (info.advisors_available, info.estimated_wait_minutes) == (1, 1)

    # The console sends heartbeats: still at work after more than a minute.
    for _ in range(4):
        clock.advance(seconds=20)
        await hub.accounts.heartbeat(kari)
    assert await hub.sweeps.requeue_stranded() == []
    _, info = await _info(hub, later)
    assert info.advisors_available == 1

    # The browser closes: no heartbeat. Within the minute nothing changes …
    clock.advance(seconds=MINUTE - 1)
    assert await hub.sweeps.requeue_stranded() == []
    # … then Kari is away: nobody is promised a wait, her chat goes back to the queue.
    clock.advance(seconds=2)
    _, info = await _info(hub, later)
    assert (info.advisors_available, info.estimated_wait_minutes) == (0, None)
    assert await hub.sweeps.requeue_stranded() == [chatting]
    assert await hub.sweeps.requeue_stranded() == []  # once
    entry, info = await _info(hub, chatting)
    assert (entry.state, entry.advisor_id, info.position) == (EntryState.waiting, None, 1)
    assert [m.text for m in await messages_of(hub, chatting)].count(texts.ADVISOR_LEFT) == 1
    # Nobody at a console: a new visitor is told so instead of waiting for no one.
    cid, secret, _ = await open_conv(hub)
    with pytest.raises(QueueRefused) as refused:
        await hub.visitors.request_queue(cid, secret, None)
    assert refused.value.code == "no_advisors"

    # The console connects again: at work again, and the chat can be taken.
    await hub.accounts.heartbeat(kari)
    _, info = await _info(hub, later)
    assert info.advisors_available == 1
    await hub.advisors.claim(kari, chatting)


async def test_two_hubs_sweeping_at_once_move_a_chat_once(db_url, settings, clock) -> None:  # type: ignore[no-untyped-def]
    """Several hub processes on one database: each sweeps; a chat moves once, with one notice
    (PostgreSQL: the sweep holds an advisory lock; each entry moves with a conditional UPDATE)."""
    one = await make_hub(db_url, settings, clock)
    two = await make_hub(db_url, settings, clock)
    try:
        kari, _ = await new_advisor(one, "kari")
        chats = [await handed_off(one) for _ in range(3)]
        for cid in chats:
            await one.advisors.claim(kari, cid)
        clock.advance(seconds=MINUTE + 1)
        moved = await asyncio.gather(*(h.sweeps.requeue_stranded() for h in (one, two, one, two)))
        assert sorted(c for m in moved for c in m) == sorted(chats)
        for cid in chats:
            told = [m.text for m in await messages_of(one, cid)].count(texts.ADVISOR_LEFT)
            assert told == 1
    finally:
        for h in (one, two):
            await h.drain()
            await h.bot.client.aclose()
            await h.sessions.kw["bind"].dispose()


async def test_the_supervisors_overview_counts_an_advisor_without_a_console_as_away(
    hub, clock
) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari", max_chats=3)
    o = await hub.supervision.overview()
    assert (o.advisors.available, o.advisors.away, o.advisors.free_seats) == (1, 0, 3)
    clock.advance(seconds=MINUTE + 1)  # the console closed: no heartbeat since
    o = await hub.supervision.overview()
    assert (o.advisors.available, o.advisors.away, o.advisors.free_seats) == (0, 1, 0)
