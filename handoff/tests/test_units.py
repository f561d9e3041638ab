"""Units of work on SQLite and PostgreSQL: readers beside writers, message ids in order."""

from __future__ import annotations

import asyncio

from hub.db.base import Sender
from hub.services import conversations as conv_svc
from tests.support import open_conv


async def test_a_read_only_unit_does_not_hold_up_writers_on_sqlite(
    sqlite_url, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_hub

    hub = await make_hub(sqlite_url, settings, clock)
    try:
        cid, secret, _ = await open_conv(hub)
        async with hub.unit(read_only=True) as reader:
            await conv_svc.messages_after(reader, cid)  # its snapshot is open
            # A writer commits meanwhile (with BEGIN IMMEDIATE here it would wait 30 s).
            await asyncio.wait_for(hub.visitors.message(cid, secret, "Hei", None), 5)
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
    cid, _, _ = await open_conv(hub)
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
