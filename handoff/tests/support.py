"""Helpers for the use-case tests: a conversation opened, queued, read back."""

from __future__ import annotations

import navpii
from sqlalchemy import select

from hub.db.base import Sender
from hub.db.models import Message, QueueEntry
from hub.services import conversations as conv_svc

FNR = "12038910076"  # made up, valid check digits (packages/navpii/tests/cases.yml)
MASK_FNR = navpii.MASK_FNR


async def open_conv(hub):  # type: ignore[no-untyped-def]
    conv, secret, messages = await hub.visitors.open("/dagpenger")
    return conv.id, secret, messages


async def messages_of(hub, cid: str) -> list[Message]:  # type: ignore[no-untyped-def]
    async with hub.unit() as u:
        return await conv_svc.messages_after(u, cid)


async def handed_off(hub, reason: str = "asked_for_person", topic: str = "arbeid") -> str:  # type: ignore[no-untyped-def]
    cid, _, _ = await open_conv(hub)
    answer = await hub.relay.handoff(cid, reason, topic, None)
    assert answer["status"] == "queued", answer
    return cid


async def entries_of(hub, cid: str) -> list[QueueEntry]:  # type: ignore[no-untyped-def]
    async with hub.unit() as u:
        rows = await u.session.execute(select(QueueEntry).where(QueueEntry.conversation_id == cid))
        return list(rows.scalars())


async def awaiting_marks(hub, cid: str) -> list[bool]:  # type: ignore[no-untyped-def]
    return [m.awaiting_bot for m in await messages_of(hub, cid) if m.sender == Sender.visitor]
