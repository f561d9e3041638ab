"""The hub's use cases: each one is a few short units of work plus, where the bot
is involved, a call to Rasa outside any transaction.

Handlers (HTTP and WebSocket) call these methods and stay thin. Tests call them
directly, with a fixed clock and a real database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import navpii
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import bot_input, texts
from hub.admission import QueuePolicy, Refused
from hub.bot import BotReply, BotSignal, BotTurn, BotUnavailable, RasaClient
from hub.broker import Broker, event
from hub.clock import Clock
from hub.db.base import AdvisorStatus, Helpful, Owner, Role, Sender
from hub.db.models import Advisor, Conversation, Message, QueueEntry
from hub.errors import (
    FaqUnavailable,
    Forbidden,
    InvalidRequest,
    NotFound,
    QueueRefused,
    TooManyConversations,
    TooManyLogins,
    Unauthorized,
)
from hub.faq import FaqEntry, FaqSource, search, words
from hub.feedback import AnswerVotes
from hub.hours import OpeningHours
from hub.metrics import Metrics
from hub.ratelimit import Limits
from hub.retention import TrackerEraser, TrackersNotErased
from hub.rules.queue import QueueInfo, check_outcome, check_topic
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import queue as queue_svc
from hub.services import unanswered as unanswered_svc
from hub.settings import Settings
from hub.unanswered import Question, group
from hub.unit import Unit, unit_of_work

log = logging.getLogger("hub")


def build_policy(settings: Settings) -> QueuePolicy:
    hours = OpeningHours.parse(
        settings.opening_hours,
        settings.timezone,
        norwegian_holidays=settings.public_holidays.lower() == "norway",
        closed_dates=settings.closed_dates,
    )
    return QueuePolicy(hours, settings.queue_capacity, settings.always_open)


@dataclass(frozen=True)
class ConversationView:
    """What a visitor sees of their conversation: its state, the messages after the
    last one seen, and their rating (the HTTP poll and the WebSocket alike)."""

    conversation: Conversation
    queue: QueueInfo | None
    messages: list[Message]
    rating: str | None


@dataclass(frozen=True)
class AdvisorChat:
    """A conversation as an advisor sees it: its queue entry and the whole transcript."""

    conversation: Conversation
    entry: QueueEntry
    messages: list[Message]


@dataclass(frozen=True)
class UnansweredReport:
    days: int
    since: datetime
    retention_days: int
    questions: list[Question]
    votes: list[AnswerVotes]
    # FAQ id -> title; empty while the bot's answers cannot be read (ids are shown).
    titles: dict[str, str]


def check_role(account: Advisor, role: Role | None) -> None:
    """Who may do what: ``role`` None is any console login; advisors chat (the queues
    are not for editors); editors change the bot's answers."""
    if role is None or account.role == role:
        return
    raise Forbidden(texts.EDITOR_ONLY if role == Role.advisor else texts.CONTENT_EDITORS_ONLY)


@dataclass
class Hub:
    settings: Settings
    clock: Clock
    sessions: async_sessionmaker[AsyncSession]
    bot: RasaClient
    broker: Broker = field(default_factory=Broker)
    metrics: Metrics = field(default_factory=Metrics)
    # Erases Rasa's memory of a conversation the visitor deletes (as retention does).
    eraser: TrackerEraser | None = None
    # The bot's FAQ answers for the advisors' search and the unanswered list.
    faq: FaqSource | None = None
    policy: QueuePolicy = field(init=False)
    limits: Limits = field(init=False)
    tz: ZoneInfo = field(init=False)
    _write_turn: asyncio.Lock | None = field(init=False)
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _bot_locks: dict[str, tuple[asyncio.Lock, list[int]]] = field(default_factory=dict)
    # Visitor messages this process is getting the bot's reply for (see Message.awaiting_bot).
    _awaiting: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.policy = build_policy(self.settings)
        self.limits = Limits.from_settings(self.settings, lambda: self.clock.now().timestamp())
        self.tz = ZoneInfo(self.settings.timezone)
        bind = self.sessions.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        self._write_turn = asyncio.Lock() if sqlite else None
        if self.faq is None:
            self.faq = FaqSource(self.bot)

    @asynccontextmanager
    async def unit(self, *, read_only: bool = False) -> AsyncIterator[Unit]:
        """A short transaction. On SQLite, writing units of this process take turns
        on an asyncio lock first: SQLite's own busy wait polls with sleeps of up to
        100 ms, which made a few replies ten times slower under concurrent load."""
        if read_only or self._write_turn is None:
            async with unit_of_work(self.sessions, self.broker, read_only=read_only) as u:
                yield u
            return
        async with self._write_turn, unit_of_work(self.sessions, self.broker) as u:
            yield u

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """A read-only unit: no write lock (on SQLite a deferred BEGIN beside the writers)."""
        return self.unit(read_only=True)

    @asynccontextmanager
    async def _conversation_turn(self, conversation_id: str) -> AsyncIterator[None]:
        """One bot exchange at a time per conversation (in this process), in order."""
        lock, users = self._bot_locks.setdefault(conversation_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._bot_locks[conversation_id]

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for background work (bot forwarding) to finish; tests and shutdown."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ---- visitor ---------------------------------------------------------

    async def open_conversation(
        self, page: str | None, client: str | None = None
    ) -> tuple[Conversation, str, list[Message]]:
        """``client`` is the caller's address, for the limit on new conversations."""
        if client is not None and not self.limits.conversations.allow(client):
            window = self.limits.conversations
            raise TooManyConversations(window.limit, window.retry_after(client))
        async with self.unit() as u:
            conv, secret = await conv_svc.open_conversation(u, self.clock.now(), page)
        await self._ask_bot(conv.id, "/start")
        async with self.unit(read_only=True) as u:
            conv = await conv_svc.get(u, conv.id)  # the bot may have handed off already
            messages = await conv_svc.messages_after(u, conv.id)
        return conv, secret, messages

    async def visitor_message(
        self, conversation_id: str, secret: str | None, text: Any, payload: Any
    ) -> Message:
        """Store the visitor's message (acknowledged only once stored), then act on it.

        Personal numbers are masked first: what is stored, forwarded, shown and logged
        is the masked text. A number split over this message and the visitor's previous
        one is masked in both (the previous row is updated in the same transaction).
        """
        text = navpii.mask(conv_svc.check_text(text, self.settings.max_message_chars))
        if payload is not None and (
            not isinstance(payload, str) or len(payload) > self.settings.max_message_chars
        ):
            raise InvalidRequest(
                f"«payload» må være tekst på høyst {self.settings.max_message_chars} tegn."
            )
        payload = conv_svc.masked(payload, conv_svc.PAYLOAD_CHARS) if payload else None
        now = self.clock.now()
        wants_advisor = payload == texts.REQUEST_ADVISOR_PAYLOAD
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.ensure_open(conv)
            await conv_svc.check_rate(u, conv, now, self.settings.messages_per_minute)
            conv_svc.touch(conv, now)
            to_bot = conv.owner == Owner.bot and not wants_advisor
            text = await conv_svc.mask_split_number(u, conv, text)
            # Only buttons offered in this conversation reach Rasa as intents (the
            # database is the record, so any hub instance decides alike).
            offered: frozenset[str] = frozenset()
            if to_bot and (payload is not None or bot_input.looks_like_intent(text)):
                offered = await conv_svc.offered_payloads(u, conv.id)
            msg = await conv_svc.add_message(
                u, conv, Sender.visitor, text, now, payload=payload, awaiting_bot=to_bot
            )
        self.metrics.messages.labels("visitor").inc()
        if wants_advisor:
            self.spawn(self._queue_from_chat(conversation_id), f"queue:{conversation_id}")
        elif to_bot:
            self._awaiting.add(msg.id)
            forwarded = bot_input.for_bot(msg.text, payload, offered)
            self.spawn(self._ask_bot(conversation_id, forwarded, msg.id), f"bot:{conversation_id}")
        return msg

    async def _ask_bot(self, conversation_id: str, text: str, answering: int | None = None) -> None:
        """Forward to Rasa and store the replies; never leave the visitor in silence.

        ``answering`` is the visitor message's id: its ``awaiting_bot`` mark is
        cleared in the same transaction that stores the replies.
        """
        try:
            await self._exchange(conversation_id, text, answering)
        finally:
            if answering is not None:
                self._awaiting.discard(answering)

    async def _exchange(self, conversation_id: str, text: str, answering: int | None) -> None:
        async with self._conversation_turn(conversation_id):
            self.broker.publish(
                f"conv:{conversation_id}", event("typing", sender="bot", typing=True)
            )
            started = time.perf_counter()
            try:
                turn: BotTurn | None = await self._send_to_bot(conversation_id, text)
            except BotUnavailable as exc:
                log.warning(
                    "rasa unavailable",
                    extra={"conversation_id": conversation_id, "error": str(exc)},
                )
                self.metrics.bot_errors.inc()
                turn = None
            else:
                self.metrics.bot_latency.observe(time.perf_counter() - started)
            finally:
                self.broker.publish(
                    f"conv:{conversation_id}", event("typing", sender="bot", typing=False)
                )
            if turn is None and text == texts.BOT_REQUEST_HUMAN_PAYLOAD:
                # The visitor already asked for a person; the bot being down must not
                # make them ask twice. The hub queues them itself, as for its own button.
                await self._store_bot_replies(conversation_id, [], answering)
                await self._queue_from_chat(conversation_id)
                return
            await self._store_bot_replies(
                conversation_id,
                turn.replies if turn else None,
                answering,
                turn.signal if turn else None,
            )

    async def _send_to_bot(self, conversation_id: str, text: str) -> BotTurn | None:
        """Rasa's answer, or None when it has none to give.

        A tracker left paused (the resume after an advisor's part failed) answers
        every message with nothing at all. So an empty answer gets a resume (harmless
        on a tracker that is not paused) and the message once more; still nothing is
        treated like an outage, so the visitor gets the notice rather than silence.
        The Rasa timeout bounds all of it, as it bounds a single call.
        """
        try:
            async with asyncio.timeout(self.settings.rasa_timeout_seconds):
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
        self.metrics.bot_errors.inc()
        log.warning(
            "rasa answered nothing after a resume", extra={"conversation_id": conversation_id}
        )
        return None

    async def _store_bot_replies(
        self,
        conversation_id: str,
        replies: list[BotReply] | None,
        answering: int | None = None,
        signal: BotSignal | None = None,
    ) -> None:
        now = self.clock.now()
        async with self.unit() as u:
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
            if replies is None:
                await conv_svc.add_message(
                    u,
                    conv,
                    Sender.system,
                    texts.BOT_UNAVAILABLE,
                    now,
                    buttons=[texts.REQUEST_ADVISOR_BUTTON],
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
        self.metrics.messages.labels("bot").inc(len(replies))

    async def _queue_from_chat(self, conversation_id: str) -> None:
        try:
            await self.request_queue(
                conversation_id, None, None, announce_refusal=True, trusted=True
            )
        except (QueueRefused, NotFound):
            pass  # refused (the visitor was told), or deleted by the visitor meanwhile

    async def request_queue(
        self,
        conversation_id: str,
        secret: str | None,
        topic: Any,
        *,
        announce_refusal: bool = False,
        trusted: bool = False,
    ) -> QueueInfo:
        """The visitor chose a person (e.g. while the bot is down).

        ``trusted`` is for the hub's own callers that already checked the secret.
        """
        now = self.clock.now()
        async with self.unit() as u:
            if trusted:
                conv = await conv_svc.get(u, conversation_id)
            else:
                conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.ensure_open(conv)
            topic = check_topic(topic) if topic else (conv.topic or "generell")
            result = await queue_svc.enqueue(
                u,
                conv,
                topic=topic,
                reason="asked_for_person",
                faq_id=None,
                now=now,
                policy=self.policy,
            )
            if isinstance(result, Refused):
                message = texts.refused(result.reason, result.next_open, self.tz)
                if announce_refusal:
                    await conv_svc.add_message(u, conv, Sender.system, message, now)
            else:
                info = await queue_svc.queue_info(
                    u, result, now, self.settings.average_chat_minutes
                )
                if result.enqueued_at == now:
                    await conv_svc.add_message(
                        u,
                        conv,
                        Sender.system,
                        texts.queued(info.position, info.estimated_wait_minutes),
                        now,
                    )
        if isinstance(result, Refused):
            self.metrics.handoffs.labels("asked_for_person", result.reason).inc()
            raise QueueRefused(
                result.reason, message, result.next_open.isoformat() if result.next_open else None
            )
        self.metrics.handoffs.labels("asked_for_person", "queued").inc()
        return info

    async def leave_queue(self, conversation_id: str, secret: str | None) -> None:
        now = self.clock.now()
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.ensure_open(conv)
            if conv.owner != Owner.queue:
                from hub.errors import Conflict

                raise Conflict("Du står ikke i kø.")
            if await queue_svc.leave(u, conv, now, "left") is not None:
                await conv_svc.add_message(u, conv, Sender.system, texts.LEFT_QUEUE, now)
        self.spawn(self._resume_bot(conversation_id), f"resume:{conversation_id}")

    async def visitor_end(self, conversation_id: str, secret: str | None) -> None:
        now = self.clock.now()
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            if conv.owner == Owner.closed:
                return
            was = conv.owner
            if was in (Owner.queue, Owner.advisor):
                await queue_svc.finish(
                    u,
                    None,
                    conv.id,
                    now,
                    close_reason="visitor_ended",
                    outcome=None,
                    new_owner=Owner.closed,
                )
                if was == Owner.advisor:
                    await conv_svc.add_message(
                        u, conv, Sender.system, texts.VISITOR_LEFT_FOR_ADVISOR, now
                    )
            conv.owner = Owner.closed
            conv.closed_at = now
            await conv_svc.add_message(u, conv, Sender.system, texts.VISITOR_ENDED, now)
        if was in (Owner.queue, Owner.advisor):
            self.spawn(self._resume_bot(conversation_id), f"resume:{conversation_id}")

    async def visitor_delete(self, conversation_id: str, secret: str | None) -> bool:
        """The visitor deletes the conversation: True if it is gone from the database.

        It is ended first (as ``visitor_end``), so no advisor can claim it from then on.
        A conversation an advisor took part in is only ended: the advisor may still
        need what the visitor told them, and retention deletes it with the rest.
        """
        await self.visitor_end(conversation_id, secret)
        async with self.unit(read_only=True) as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            if await conv_svc.advisor_took_part(u, conv.id):
                return False
        if self.eraser is not None:
            # Rasa's memory first: once the rows are gone, nothing says which tracker to
            # erase. If Rasa cannot, the conversation stays ended for retention to take.
            try:
                await self.eraser.erase([conversation_id])
            except TrackersNotErased:
                log.warning("tracker not erased: the conversation waits for retention")
                return False
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            await conv_svc.delete_conversations(u, [conv.id])
            # A socket still open on it (another tab) finds it gone and closes.
            u.outbox.add(f"conv:{conv.id}", event("sync"))
        log.info("conversation deleted by its visitor", extra={"conversation_id": conversation_id})
        return True

    async def visitor_typing(self, conversation_id: str, secret: str | None, typing: Any) -> None:
        if not isinstance(typing, bool):
            raise InvalidRequest("«typing» må være true eller false.")
        if not self.limits.typing.allow(("visitor", conversation_id)):
            return  # a hint, not a message: more than a few a second are dropped unseen
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, self.clock.now())
            advisor_id = (
                await conv_svc.assigned_advisor_id(u, conv.id)
                if conv.owner == Owner.advisor
                else None
            )
        if advisor_id is not None:
            self.broker.publish(
                f"advisor:{advisor_id}",
                event("typing", conversation_id=conversation_id, typing=typing),
            )

    async def _view(
        self, u: Unit, conv: Conversation, after: int, now: datetime, *, rating: bool
    ) -> ConversationView:
        """The visitor's snapshot, inside the caller's unit (the one place it is built)."""
        queue = None
        if conv.owner == Owner.queue:
            entry = await queue_svc.open_entry(u, conv.id)
            if entry is not None:
                queue = await queue_svc.queue_info(
                    u, entry, now, self.settings.average_chat_minutes
                )
        messages = await conv_svc.messages_after(u, conv.id, after)
        return ConversationView(
            conv, queue, messages, await conv_svc.rating_of(u, conv.id) if rating else None
        )

    async def conversation_view(
        self, conversation_id: str, secret: str | None, after: int
    ) -> ConversationView:
        """The visitor polls (HTTP): a poll also marks them present (a write)."""
        now = self.clock.now()
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, now)
            return await self._view(u, conv, after, now, rating=True)

    async def visitor_connect(self, conversation_id: str, secret: str) -> None:
        """A visitor's WebSocket authenticates (and counts as present)."""
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, self.clock.now())

    async def stream_view(
        self, conversation_id: str, after: int, *, touch: bool = False
    ) -> ConversationView:
        """The snapshot for a visitor's open WebSocket (authenticated when it opened).
        ``touch`` marks a queued visitor present (a write); otherwise it only reads."""
        now = self.clock.now()
        async with self.unit(read_only=not touch) as u:
            conv = await conv_svc.get(u, conversation_id)
            if touch and conv.owner == Owner.queue:
                conv_svc.touch(conv, now)
            return await self._view(u, conv, after, now, rating=False)

    async def transcript(
        self, conversation_id: str, secret: str | None
    ) -> tuple[Conversation, list[Message]]:
        async with self.read() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            return conv, await conv_svc.messages_after(u, conv.id, 0, limit=100_000)

    async def rate(self, conversation_id: str, secret: str | None, value: Any) -> str:
        """«Fikk du svar på det du lurte på?», once per conversation."""
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            rating = await conv_svc.rate(u, conv, value, self.clock.now())
        return rating.value.value

    async def answer_feedback(
        self, conversation_id: str, secret: str | None, message_id: str, value: Any
    ) -> Helpful:
        """«Var svaret nyttig?» for one of the bot's FAQ answers, once per answer."""
        async with self.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            return await feedback_svc.vote(
                u, conv, feedback_svc.message_id_of(message_id), value, self.clock.now()
            )

    # ---- bot's handoff (contract) -----------------------------------------

    async def bot_handoff(
        self, conversation_id: str, reason: str, topic: str, faq_id: str | None
    ) -> dict[str, Any]:
        now = self.clock.now()
        async with self.unit() as u:
            conv = await conv_svc.get(u, conversation_id)
            result = await queue_svc.enqueue(
                u, conv, topic=topic, reason=reason, faq_id=faq_id, now=now, policy=self.policy
            )
            if isinstance(result, Refused):
                answer: dict[str, Any] = {
                    "status": "refused",
                    "reason": result.reason,
                    "next_open": result.next_open.isoformat() if result.next_open else None,
                }
            else:
                info = await queue_svc.queue_info(
                    u, result, now, self.settings.average_chat_minutes
                )
                answer = {
                    "status": "queued",
                    "queue": info.topic,
                    "position": info.position,
                    "estimated_wait_minutes": info.estimated_wait_minutes,
                    "advisors_available": info.advisors_available,
                }
        self.metrics.handoffs.labels(reason, answer.get("reason", "queued")).inc()
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

    async def _resume_bot(self, conversation_id: str) -> None:
        try:
            await self.bot.resume(conversation_id)
        except BotUnavailable as exc:
            self.metrics.bot_errors.inc()
            log.warning(
                "rasa resume failed", extra={"conversation_id": conversation_id, "error": str(exc)}
            )

    # ---- advisors ----------------------------------------------------------

    async def advisor_for(self, token: str | None, role: Role | None = None) -> Advisor:
        """The account a live login belongs to, if its role may do this (``role`` None:
        any console login). Reads only: checking a login takes no write lock."""
        async with self.read() as u:
            account = await advisor_svc.by_token(u, token, self.clock.now())
        check_role(account, role)
        return account

    async def set_status(self, advisor: Advisor, status: Any) -> Advisor:
        async with self.unit() as u:
            account = await u.session.get_one(Advisor, advisor.id)
            await advisor_svc.set_status(u, account, status)
            # Who is available changed: waits and "no advisors" may change.
            u.outbox.add("queues", event("queues"))
        return account

    async def queue_overview(self, token: str | None = None) -> list[dict[str, Any]]:
        """Every topic queue with who waits. With ``token``, the login must still be live
        (an advisor's WebSocket refreshes with it: an expired login ends the socket)."""
        async with self.read() as u:
            now = self.clock.now()
            if token is not None:
                await advisor_svc.by_token(u, token, now)
            return await queue_svc.overview(u, now)

    async def _advisor_chat(self, u: Unit, advisor: Advisor, conversation_id: str) -> AdvisorChat:
        conv = await conv_svc.get(u, conversation_id)
        entry = await queue_svc.open_entry(u, conversation_id)
        # Waiting conversations are open to every advisor; a claimed one to its advisor only.
        mine = entry is not None and entry.advisor_id == advisor.id
        if entry is None or (entry.advisor_id is not None and not mine):
            raise Forbidden("Du har ikke tilgang til denne samtalen.")
        messages = await conv_svc.messages_after(u, conversation_id, 0, limit=100_000)
        return AdvisorChat(conv, entry, messages)

    async def open_chat(self, advisor: Advisor, conversation_id: str) -> AdvisorChat:
        """A waiting conversation or one of the advisor's own, with the whole transcript."""
        async with self.read() as u:
            return await self._advisor_chat(u, advisor, conversation_id)

    async def advisor_chats(self, advisor: Advisor) -> list[QueueEntry]:
        async with self.read() as u:
            return await queue_svc.advisor_chats(u, advisor)

    async def chat_heads(self, advisor_id: int) -> list[dict[str, Any]]:
        async with self.read() as u:
            return await queue_svc.chat_heads(u, advisor_id)

    async def search_faq(self, query: str) -> list[FaqEntry]:
        if len(query) > 200:
            raise InvalidRequest("Søket kan ha høyst 200 tegn.")
        if not words(query):
            return []
        assert self.faq is not None
        return search(await self.faq.entries(), query)

    async def unanswered(self, days: int) -> UnansweredReport:
        """What the bot could not answer in the last ``days``, and the answers' votes."""
        since = self.clock.now() - timedelta(days=days)
        async with self.read() as u:
            questions = group(await unanswered_svc.cases_since(u, since))
            votes = await feedback_svc.counts_since(u, since)
        assert self.faq is not None
        try:
            titles = {e.id: e.question for e in await self.faq.entries()}
        except FaqUnavailable:
            titles = {}  # The list is still useful with FAQ ids instead of titles.
        return UnansweredReport(days, since, self.settings.retention_days, questions, votes, titles)

    async def claim(self, advisor: Advisor, conversation_id: str) -> AdvisorChat:
        """Take a waiting conversation; returns it as the advisor now sees it (same unit)."""
        now = self.clock.now()
        async with self.unit() as u:
            entry = await queue_svc.claim(u, advisor, conversation_id, now)
            conv = await conv_svc.get(u, conversation_id)
            await conv_svc.add_message(
                u,
                conv,
                Sender.system,
                texts.ADVISOR_JOINED.format(name=advisor.name),
                now,
                notify_advisor_id=advisor.id,
            )
            chat = await self._advisor_chat(u, advisor, conversation_id)
        self.metrics.queue_wait.labels(entry.topic).observe(
            (now - entry.enqueued_at).total_seconds()
        )
        return chat

    async def advisor_message(self, advisor: Advisor, conversation_id: str, text: Any) -> Message:
        # Advisors paste numbers too; the visitor's transcript and the logs get them masked.
        text = navpii.mask(conv_svc.check_text(text, self.settings.max_message_chars))
        now = self.clock.now()
        async with self.unit() as u:
            await queue_svc.assigned_entry(u, advisor, conversation_id)
            conv = await conv_svc.get(u, conversation_id)
            msg = await conv_svc.add_message(
                u, conv, Sender.advisor, text, now, advisor=advisor, notify_advisor_id=advisor.id
            )
        self.metrics.messages.labels("advisor").inc()
        return msg

    async def advisor_typing(self, advisor: Advisor, conversation_id: str, typing: Any) -> None:
        if not isinstance(typing, bool):
            raise InvalidRequest("«typing» må være true eller false.")
        if not self.limits.typing.allow(("advisor", advisor.id, conversation_id)):
            return
        async with self.unit() as u:
            await queue_svc.assigned_entry(u, advisor, conversation_id)
        self.broker.publish(
            f"conv:{conversation_id}", event("typing", sender="advisor", typing=typing)
        )

    async def transfer(self, advisor: Advisor, conversation_id: str, topic: Any) -> QueueInfo:
        now = self.clock.now()
        async with self.unit() as u:
            entry = await queue_svc.transfer(u, advisor, conversation_id, topic)
            conv = await conv_svc.get(u, conversation_id)
            # Back in a queue after a chat, not after polling it: a fresh start for the
            # absent sweep (a connected widget marks itself present within a poll).
            conv.last_seen_at = now
            await conv_svc.add_message(
                u,
                conv,
                Sender.system,
                texts.TRANSFERRED.format(topic=entry.topic),
                now,
                notify_advisor_id=advisor.id,
            )
            info = await queue_svc.queue_info(u, entry, now, self.settings.average_chat_minutes)
        return info

    async def end_chat(self, advisor: Advisor, conversation_id: str, outcome: Any) -> None:
        outcome = check_outcome(outcome)
        now = self.clock.now()
        async with self.unit() as u:
            await queue_svc.finish(
                u,
                advisor,
                conversation_id,
                now,
                close_reason="ended",
                outcome=outcome,
                new_owner=Owner.closed,
            )
            conv = await conv_svc.get(u, conversation_id)
            await conv_svc.add_message(
                u, conv, Sender.system, texts.ADVISOR_ENDED, now, notify_advisor_id=advisor.id
            )
        self.spawn(self._resume_bot(conversation_id), f"resume:{conversation_id}")

    async def handback(self, advisor: Advisor, conversation_id: str) -> None:
        now = self.clock.now()
        async with self.unit() as u:
            await queue_svc.finish(
                u,
                advisor,
                conversation_id,
                now,
                close_reason="handed_back",
                outcome=None,
                new_owner=Owner.bot,
            )
            conv = await conv_svc.get(u, conversation_id)
            await conv_svc.add_message(
                u, conv, Sender.system, texts.HANDED_BACK, now, notify_advisor_id=advisor.id
            )
        self.spawn(self._greet_after_handback(conversation_id), f"handback:{conversation_id}")

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
                self.metrics.bot_errors.inc()
                log.warning(
                    "rasa hand back failed",
                    extra={"conversation_id": conversation_id, "error": str(exc)},
                )
                replies = None
            await self._store_bot_replies(conversation_id, replies)

    async def login(self, username: Any, password: Any, client: str) -> tuple[str, Advisor]:
        """Check the password and start a login (advisors start ``available``).

        Failed attempts are limited per user name and address, and per address: past
        the limit the answer is 429 without checking the password at all. An attempt
        counts as failed from its start (parallel guesses cannot all slip through
        before the first failure is recorded); a success takes it back.
        """
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidRequest("Skriv inn brukernavn og passord.")
        pair = (username.strip().lower(), client)
        windows = (
            (self.limits.login_failures, pair),
            (self.limits.login_failures_per_address, client),
        )
        for window, key in windows:
            if window.blocked(key):
                raise TooManyLogins(window.limit, window.retry_after(key))
        started = [(window, key, window.add(key)) for window, key in windows]
        async with self.unit() as u:
            found = await advisor_svc.password_hash_of(u, username)
        ok = await advisor_svc.verify_password(found[1] if found else None, password)
        if not found or not ok:
            raise Unauthorized("Feil brukernavn eller passord.")
        for window, key, at in started:
            window.forget(key, at)
        self.limits.login_failures.reset(pair)
        async with self.unit() as u:
            token, advisor = await advisor_svc.start_session(
                u, found[0], self.clock.now(), self.settings.advisor_token_hours
            )
            # Advisors log in to work: available at once (they may switch to away).
            # Editors never take chats.
            if advisor.role == Role.advisor:
                await advisor_svc.set_status(u, advisor, AdvisorStatus.available)
            u.outbox.add("queues", event("queues"))
        return token, advisor

    async def advisor_logout(self, advisor: Advisor, token: str) -> list[str]:
        """End this login. If it was the advisor's last, their chats go back to the
        queue (first in line, as they waited before); returns those conversations."""
        now = self.clock.now()
        async with self.unit() as u:
            await advisor_svc.end_session(u, token)
            moved = await self._requeue_stranded(u, now, advisor.id)
            # Who is logged in changed: queues, waits and "no advisors" may change.
            u.outbox.add("queues", event("queues"))
        return moved

    async def _requeue_stranded(self, u: Unit, now: datetime, advisor_id: int | None) -> list[str]:
        entries = await queue_svc.requeue_stranded(u, now, advisor_id=advisor_id)
        for entry in entries:
            conv = await conv_svc.get(u, entry.conversation_id)
            await conv_svc.add_message(u, conv, Sender.system, texts.ADVISOR_LEFT, now)
        return [e.conversation_id for e in entries]

    # ---- operations --------------------------------------------------------

    async def database_ready(self) -> bool:
        try:
            async with self.read() as u:
                await conv_svc.ping(u)
        except Exception:
            return False
        return True

    async def update_metrics(self) -> None:
        """The gauges read from the database (queue lengths, chats going on)."""
        async with self.read() as u:
            lengths = await queue_svc.lengths(u)
            active = await queue_svc.active_chats(u)
        for topic, n in lengths.items():
            self.metrics.queue_length.labels(topic).set(n)
        self.metrics.active_chats.set(active)

    # ---- housekeeping ------------------------------------------------------

    async def requeue_stranded(self) -> list[str]:
        """Chats of advisors whose logins have all expired go back to the queue (the
        sweep). Without this they would stay assigned to nobody for good."""
        async with self.unit() as u:
            moved = await self._requeue_stranded(u, self.clock.now(), None)
        if moved:
            log.info(
                "chats of advisors no longer logged in went back to the queue",
                extra={"count": len(moved)},
            )
        return moved

    def lost_after_seconds(self) -> float:
        """A bot exchange ends (replies or the "not answering" notice) within the
        Rasa timeout; a mark older than twice that plus a margin was lost."""
        return 2 * self.settings.rasa_timeout_seconds + 5

    async def recover_lost_replies(self) -> list[str]:
        """Tell visitors whose message never got the bot's answer (the process died
        between storing it and Rasa's reply) to send it again. At start and in the sweep."""
        now = self.clock.now()
        cutoff = now - timedelta(seconds=self.lost_after_seconds())
        async with self.unit() as u:
            lost = await conv_svc.lost_bot_replies(u, cutoff, exclude=self._awaiting)
            for cid, messages in lost.items():
                await conv_svc.answered(u, *(m.id for m in messages))
                conv = await conv_svc.get(u, cid)
                if conv.owner == Owner.bot:
                    await conv_svc.add_message(
                        u, conv, Sender.system, texts.bot_reply_lost(messages[-1].text), now
                    )
        if lost:
            log.warning(
                "bot replies lost; visitors asked to send again",
                extra={"conversations": len(lost), "messages": sum(map(len, lost.values()))},
            )
        return list(lost)

    async def sweep_absent(self) -> list[str]:
        """Take visitors who have been gone too long out of the queue."""
        now = self.clock.now()
        async with self.unit() as u:
            ids = await queue_svc.absent_waiting(u, now, self.settings.queue_absent_seconds)
            for cid in ids:
                conv = await conv_svc.get(u, cid)
                if await queue_svc.leave(u, conv, now, "absent") is not None:
                    await conv_svc.add_message(u, conv, Sender.system, texts.QUEUE_TIMEOUT, now)
        for cid in ids:
            self.spawn(self._resume_bot(cid), f"resume:{cid}")
        return ids
