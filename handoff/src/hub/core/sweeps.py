"""Housekeeping on a timer: visitors gone from the queue, chats of advisors no longer
logged in, and visitor messages whose bot reply was lost (at start too).

With several instances on one PostgreSQL database, one sweeps at a time: a round runs
only while it holds an advisory lock (``db/advisory.py``), and an instance that finds
it taken skips that round. Each change is conditional as well (a mark cleared, an
entry moved, only if it still was), so a visitor is told once and Rasa's resume is
sent once even if two sweeps did meet (``hub purge`` beside the hub, a lock lost).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from hub.adapters.broker import event
from hub.core.context import Context
from hub.core.queueing import requeue_stranded
from hub.core.relay import BotRelay
from hub.db.advisory import PRESENCE_LOCK_KEY, SWEEPS_LOCK_KEY, one_instance
from hub.db.base import Owner, Sender
from hub.rules import texts
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc

log = logging.getLogger("hub")


class Sweeps:
    def __init__(self, ctx: Context, relay: BotRelay) -> None:
        self.ctx, self.relay = ctx, relay

    async def requeue_stranded(self) -> list[str]:
        """Chats of advisors whose logins have all expired, or whose console has not been
        seen for ``advisor_presence_seconds`` (the browser closed), go back to the queue,
        first in line. Without this they would stay with nobody.

        One instance at a time on PostgreSQL (an advisory lock; each entry also moves with
        a conditional UPDATE, so a second sweep would move nothing twice anyway)."""
        engine = self.ctx.sessions.kw["bind"]
        async with one_instance(engine, PRESENCE_LOCK_KEY) as mine:
            if not mine:
                return []
            now = self.ctx.clock.now()
            async with self.ctx.unit() as u:
                moved = await requeue_stranded(u, now, None, self.ctx.present_since(now))
                if moved:
                    # Who is at work changed: waits and "no advisors" may change.
                    u.outbox.add("queues", event("queues"))
        if moved:
            log.info(
                "chats of advisors no longer at a console went back to the queue",
                extra={"count": len(moved)},
            )
        return moved

    def lost_after_seconds(self) -> float:
        return self.ctx.bot_reply_lost_after()

    async def recover_lost_replies(self) -> list[str]:
        """Tell visitors whose message never got the bot's answer (the process died
        between storing it and Rasa's reply) to send it again. At start and in the sweep."""
        now = self.ctx.clock.now()
        cutoff = now - timedelta(seconds=self.lost_after_seconds())
        async with self.ctx.unit() as u:
            lost = await conv_svc.lost_bot_replies(u, cutoff, exclude=self.relay.awaiting)
            for cid, messages in list(lost.items()):
                if not await conv_svc.answered(u, *(m.id for m in messages)):
                    del lost[cid]  # another instance got there first
                    continue
                conv = await conv_svc.get(u, cid)
                if conv.owner == Owner.bot:
                    await conv_svc.add_message(
                        u,
                        conv,
                        Sender.system,
                        texts.bot_reply_lost_in(messages[-1].text, conv.language),
                        now,
                    )
        if lost:
            log.warning(
                "bot replies lost; visitors asked to send again",
                extra={"conversations": len(lost), "messages": sum(map(len, lost.values()))},
            )
        return list(lost)

    async def absent(self) -> list[str]:
        """Take visitors who have been gone too long out of the queue."""
        now = self.ctx.clock.now()
        left: list[str] = []
        async with self.ctx.unit() as u:
            ids = await queue_svc.absent_waiting(u, now, self.ctx.settings.queue_absent_seconds)
            for cid in ids:
                conv = await conv_svc.get(u, cid)
                # Conditional: only the instance that moved the entry tells and resumes.
                if await queue_svc.leave(u, conv, now, "absent") is not None:
                    notice = texts.in_language(texts.QUEUE_TIMEOUT, conv.language)
                    await conv_svc.add_message(u, conv, Sender.system, notice, now)
                    left.append(cid)
        for cid in left:
            self.relay.resume_later(cid)
        return left

    async def _recover(self) -> None:
        try:
            await self.recover_lost_replies()
        except Exception:
            log.exception("lost reply sweep failed")

    async def round(self, *, at_start: bool = False) -> bool:
        """One round of every sweep (at start: lost replies only), if no other instance
        is sweeping now; returns whether this one did."""
        async with one_instance(self.ctx.engine, SWEEPS_LOCK_KEY) as mine:
            if not mine:
                return False
            if not at_start:
                try:
                    gone = await self.absent()
                    if gone:
                        log.info("absent visitors left the queue", extra={"count": len(gone)})
                except Exception:
                    log.exception("queue sweep failed")
                try:
                    await self.requeue_stranded()
                except Exception:
                    log.exception("stranded chats sweep failed")
            await self._recover()
        return True

    async def run_forever(self) -> None:
        """Lost replies at start; then every ``sweep_seconds`` absent visitors leave the
        queue, stranded chats go back to it, and lost replies are looked for again."""
        first = True
        while True:
            try:
                await self.round(at_start=first)
            except Exception:
                log.exception("sweep failed")  # the lock's connection; next round
            first = False
            await asyncio.sleep(self.ctx.settings.sweep_seconds)
