"""The bot relay: visitor messages to Rasa and its replies back, one exchange at a time
per conversation, never leaving the visitor in silence; and the bot's own requests
(handoff, resume, the greeting after an advisor hands back).

State kept in this process: a lock per conversation with an exchange going on, and the
visitor messages whose reply is on its way here (the lost-reply sweep leaves those).

Order across instances: behind a load balancer a visitor's next message may reach
another hub while the first is still with Rasa. The exchange for a message waits
until no earlier message of the conversation is still waiting for the bot (its mark,
``awaiting_bot``, is cleared in the transaction that stores its replies), so Rasa
gets the messages in order and their answers are stored in order, whichever hub took
each. No transaction or lock is held meanwhile: it re-reads on each event of the
conversation (the earlier answer, relayed from the other hub) and every half second,
and gives up waiting when the earliest message it waits for has taken longer than the
lost-reply sweep allows one exchange (the clock starts again whenever that message is
answered and the next one is the earliest: many quick messages wait their turn).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from hub.adapters.broker import event
from hub.adapters.rasa import BotReply, BotSignal, BotTurn, BotUnavailable, RasaClient
from hub.core.context import Context
from hub.core.queueing import join_queue
from hub.db.base import Owner, Sender
from hub.errors import NotFound, QueueRefused
from hub.rules import texts
from hub.rules.admission import Refused
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from hub.services import unanswered as unanswered_svc

log = logging.getLogger("hub")

# How often an exchange waiting for an earlier one re-reads without an event.
ORDER_POLL_SECONDS = 0.5


class BotRelay:
    def __init__(self, ctx: Context, bot: RasaClient) -> None:
        self.ctx, self.bot = ctx, bot
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        # Visitor messages this process is getting the bot's reply for (see Message.awaiting_bot).
        self.awaiting: set[int] = set()

    @asynccontextmanager
    async def _conversation_turn(self, conversation_id: str) -> AsyncIterator[None]:
        """One bot exchange at a time per conversation (in this process), in order."""
        lock, users = self._locks.setdefault(conversation_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[conversation_id]

    def forward(self, conversation_id: str, text: str, answering: int) -> None:
        """Send a stored visitor message to the bot in the background."""
        self.awaiting.add(answering)
        self.ctx.spawn(self.ask(conversation_id, text, answering), f"bot:{conversation_id}")

    async def ask(self, conversation_id: str, text: str, answering: int | None = None) -> None:
        """Forward to Rasa and store the replies; never leave the visitor in silence.

        ``answering`` is the visitor message's id: its ``awaiting_bot`` mark is
        cleared in the same transaction that stores the replies.
        """
        try:
            await self._exchange(conversation_id, text, answering)
        finally:
            if answering is not None:
                self.awaiting.discard(answering)

    async def _after_earlier_messages(self, conversation_id: str, message_id: int) -> None:
        """Wait until the conversation's earlier visitor messages have their answers
        (see the module's docstring). SQLite: one process, whose lock keeps the order."""
        ctx = self.ctx
        if ctx.engine.dialect.name == "sqlite":
            return
        loop = asyncio.get_running_loop()
        waiting_for: int | None = None
        deadline = 0.0
        with ctx.broker.subscribe(f"conv:{conversation_id}") as sub:
            while True:
                async with ctx.read() as u:
                    oldest = await conv_svc.earlier_awaiting(u, conversation_id, message_id)
                if oldest is None:
                    return
                if oldest != waiting_for:  # progress: the next earlier exchange has its time
                    waiting_for, deadline = oldest, loop.time() + ctx.bot_reply_lost_after()
                left = deadline - loop.time()
                if left <= 0:
                    log.warning(
                        "an earlier bot exchange did not end; answering this one anyway",
                        extra={"conversation_id": conversation_id},
                    )
                    return
                if await sub.get(min(ORDER_POLL_SECONDS, left)) is not None:
                    sub.drain()

    async def _exchange(self, conversation_id: str, text: str, answering: int | None) -> None:
        ctx = self.ctx
        if answering is not None:
            # Before the lock of this process: an earlier message taken here waits on it.
            await self._after_earlier_messages(conversation_id, answering)
        async with self._conversation_turn(conversation_id):
            ctx.broker.publish(
                f"conv:{conversation_id}", event("typing", sender="bot", typing=True)
            )
            started = time.perf_counter()
            try:
                turn: BotTurn | None = await self._send(conversation_id, text)
            except BotUnavailable as exc:
                log.warning(
                    "rasa unavailable",
                    extra={"conversation_id": conversation_id, "error": str(exc)},
                )
                ctx.metrics.bot_errors.inc()
                turn = None
            else:
                ctx.metrics.bot_latency.observe(time.perf_counter() - started)
            finally:
                ctx.broker.publish(
                    f"conv:{conversation_id}", event("typing", sender="bot", typing=False)
                )
            if turn is None and text == texts.BOT_REQUEST_HUMAN_PAYLOAD:
                # The visitor already asked for a person; the bot being down must not
                # make them ask twice. The hub queues them itself, as for its own button.
                await self.store_replies(conversation_id, [], answering)
                await self.queue_from_chat(conversation_id)
                return
            await self.store_replies(
                conversation_id,
                turn.replies if turn else None,
                answering,
                turn.signal if turn else None,
                turn.language if turn else None,
            )

    async def _send(self, conversation_id: str, text: str) -> BotTurn | None:
        """Rasa's answer, or None when it has none to give.

        A tracker left paused (the resume after an advisor's part failed) answers
        every message with nothing at all. So an empty answer gets a resume (harmless
        on a tracker that is not paused) and the message once more; still nothing is
        treated like an outage, so the visitor gets the notice rather than silence.
        The Rasa timeout bounds all of it, as it bounds a single call.
        """
        try:
            async with asyncio.timeout(self.ctx.settings.rasa_timeout_seconds):
                turn = await self.bot.send(conversation_id, text)
                if turn.replies or turn.signal is not None:
                    return turn
                log.warning(
                    "rasa answered nothing; resuming", extra={"conversation_id": conversation_id}
                )
                await self.bot.resume(conversation_id)
                turn = await self.bot.send(conversation_id, text)
                if turn.replies or turn.signal is not None:
                    return turn
        except TimeoutError as exc:
            raise BotUnavailable("no answer within the timeout") from exc
        self.ctx.metrics.bot_errors.inc()
        log.warning(
            "rasa answered nothing after a resume", extra={"conversation_id": conversation_id}
        )
        return None

    async def store_replies(
        self,
        conversation_id: str,
        replies: list[BotReply] | None,
        answering: int | None = None,
        signal: BotSignal | None = None,
        language: str | None = None,
    ) -> None:
        """Store the bot's replies (None: the notice that the bot is not answering);
        ``language``: the conversation's language as the bot's FAQ answer gave it."""
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            if answering is not None:
                await conv_svc.answered(u, answering)
            try:
                conv = await conv_svc.get(u, conversation_id)
            except NotFound:
                return  # the visitor deleted the conversation while the bot was answering
            if answering is not None and signal is not None:
                await unanswered_svc.record(
                    u, conv.id, answering, signal.kind, signal.suggestions, now
                )
            if conv.owner == Owner.closed:
                return
            if language is not None and conv.language != language:
                # The visitor wrote English (or back to Norwegian): the hub's notices and
                # the widget's own texts follow (the state frame carries it).
                conv.language = language
            if replies is None:
                await conv_svc.add_message(
                    u,
                    conv,
                    Sender.system,
                    texts.in_language(texts.BOT_UNAVAILABLE, conv.language),
                    now,
                    buttons=[texts.request_advisor_button(conv.language)],
                )
                return
            for r in replies:
                await conv_svc.add_message(
                    u,
                    conv,
                    Sender.bot,
                    r.text,
                    now,
                    buttons=r.buttons,
                    faq_id=r.faq_id,
                    reply_to=answering,
                )
        self.ctx.metrics.messages.labels("bot").inc(len(replies))

    async def queue_from_chat(self, conversation_id: str) -> None:
        try:
            await join_queue(
                self.ctx, conversation_id, None, None, announce_refusal=True, trusted=True
            )
        except (QueueRefused, NotFound):
            pass  # refused (the visitor was told), or deleted by the visitor meanwhile

    async def handoff(
        self,
        conversation_id: str,
        reason: str,
        topic: str,
        faq_id: str | None,
        language: str | None = None,
    ) -> dict[str, Any]:
        """The bot's handoff action asks for an advisor (docs/contracts/handoff.md)."""
        ctx = self.ctx
        now = ctx.clock.now()
        async with ctx.unit() as u:
            conv = await conv_svc.get(u, conversation_id)
            if language is not None:
                conv.language = language
            result = await queue_svc.enqueue(
                u,
                conv,
                topic=topic,
                reason=reason,
                faq_id=faq_id,
                now=now,
                policy=ctx.policy,
                present_since=ctx.present_since(now),
            )
            if isinstance(result, Refused):
                answer: dict[str, Any] = {
                    "status": "refused",
                    "reason": result.reason,
                    "next_open": result.next_open.isoformat() if result.next_open else None,
                }
            else:
                info = await queue_svc.queue_info(
                    u, result, now, ctx.settings.average_chat_minutes, ctx.present_since(now)
                )
                answer = {
                    "status": "queued",
                    "queue": info.topic,
                    "position": info.position,
                    "estimated_wait_minutes": info.estimated_wait_minutes,
                    "advisors_available": info.advisors_available,
                }
        ctx.metrics.handoffs.labels(reason, answer.get("reason", "queued")).inc()
        log.info(
            "handoff",
            extra={
                "conversation_id": conversation_id,
                "reason": reason,
                "topic": topic,
                "result": answer["status"],
            },
        )
        return answer

    async def resume(self, conversation_id: str) -> None:
        """The bot takes the conversation up again (after the queue or an advisor)."""
        try:
            await self.bot.resume(conversation_id)
        except BotUnavailable as exc:
            self.ctx.metrics.bot_errors.inc()
            log.warning(
                "rasa resume failed", extra={"conversation_id": conversation_id, "error": str(exc)}
            )

    def resume_later(self, conversation_id: str) -> None:
        self.ctx.spawn(self.resume(conversation_id), f"resume:{conversation_id}")

    def greet_later(self, conversation_id: str) -> None:
        """After an advisor hands back: the bot resumes and greets, in the background."""
        self.ctx.spawn(self._greet_after_handback(conversation_id), f"handback:{conversation_id}")

    async def _greet_after_handback(self, conversation_id: str) -> None:
        async with self._conversation_turn(conversation_id):
            try:
                await self.bot.resume(conversation_id)
                # Contract: resume the tracker, then "/start" as when the conversation opened.
                replies: list[BotReply] | None = (
                    await self.bot.send(conversation_id, "/start")
                ).replies
                if not replies:
                    replies = [BotReply(texts.BOT_BACK_FALLBACK)]
            except BotUnavailable as exc:
                self.ctx.metrics.bot_errors.inc()
                log.warning(
                    "rasa hand back failed",
                    extra={"conversation_id": conversation_id, "error": str(exc)},
                )
                replies = None
            await self.store_replies(conversation_id, replies)
