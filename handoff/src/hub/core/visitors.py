"""The visitor's use cases: open a conversation, write, ask for a person, leave the
queue, end or delete it, and read it (poll, WebSocket, transcript), rate it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import navpii

from hub.adapters.broker import event
from hub.adapters.trackers import TrackerEraser, TrackersNotErased
from hub.core.context import Context
from hub.core.queueing import join_queue
from hub.core.relay import BotRelay
from hub.core.shared_read import SharedRead
from hub.db.base import Helpful, Owner, Sender
from hub.db.models import Conversation, Message
from hub.db.unit import Unit
from hub.errors import Conflict, InvalidRequest, TooManyConversations
from hub.rules import bot_input, texts
from hub.rules.queue import QueueInfo
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import queue as queue_svc

log = logging.getLogger("hub")


@dataclass(frozen=True)
class ConversationView:
    """What a visitor sees of their conversation: its state, the messages after the
    last one seen, and their rating (the HTTP poll and the WebSocket alike)."""

    conversation: Conversation
    queue: QueueInfo | None
    messages: list[Message]
    rating: str | None


class Visitors:
    def __init__(self, ctx: Context, relay: BotRelay, eraser: TrackerEraser | None) -> None:
        # ``eraser`` erases Rasa's memory of a conversation the visitor deletes.
        self.ctx, self.relay, self.eraser = ctx, relay, eraser
        # One read of every waiting visitor's place per queue change, for all the queued
        # visitors' sockets here.
        self._shared_places = SharedRead(self._places)

    async def open(
        self, page: str | None, client: str | None = None
    ) -> tuple[Conversation, str, list[Message]]:
        """``client`` is the caller's address, for the limit on new conversations."""
        ctx = self.ctx
        window = ctx.limits.conversations
        if client is not None and await window.take(client) is None:
            raise TooManyConversations(window.limit, await window.retry_after(client))
        async with ctx.unit() as u:
            conv, secret = await conv_svc.open_conversation(u, ctx.clock.now(), page)
        await self.relay.ask(conv.id, "/start")
        async with ctx.read() as u:
            conv = await conv_svc.get(u, conv.id)  # the bot may have handed off already
            messages = await conv_svc.messages_after(u, conv.id)
        return conv, secret, messages

    async def message(
        self, conversation_id: str, secret: str | None, text: Any, payload: Any
    ) -> Message:
        """Store the visitor's message (acknowledged only once stored), then act on it.

        Personal numbers are masked first: what is stored, forwarded, shown and logged
        is the masked text. A number split over this message and the visitor's previous
        one is masked in both (the previous row is updated in the same transaction).
        """
        ctx = self.ctx
        limit = ctx.settings.max_message_chars
        text = navpii.mask(conv_svc.check_text(text, limit))
        if payload is not None and (not isinstance(payload, str) or len(payload) > limit):
            raise InvalidRequest(f"«payload» må være tekst på høyst {limit} tegn.")
        payload = conv_svc.masked(payload, conv_svc.PAYLOAD_CHARS) if payload else None
        now = ctx.clock.now()
        wants_advisor = payload == texts.REQUEST_ADVISOR_PAYLOAD
        async with ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.ensure_open(conv)
            await conv_svc.check_rate(u, conv, now, ctx.settings.messages_per_minute)
            conv_svc.touch(conv, now)
            chosen = texts.chosen_language(payload)
            if chosen is not None:
                conv.language = chosen  # the hub's own notices follow the switch
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
            if conv.owner == Owner.queue and not wants_advisor:
                # Stored for the advisor: the visitor is told so, once while waiting (the
                # bot's reply to the request for a person may come after the first).
                last = await conv_svc.last_notice(u, conv.id)
                if last is None or last.text != texts.WRITTEN_WHILE_QUEUED:
                    await conv_svc.add_message(
                        u, conv, Sender.system, texts.WRITTEN_WHILE_QUEUED, now
                    )
        ctx.metrics.messages.labels("visitor").inc()
        if wants_advisor:
            ctx.spawn(self.relay.queue_from_chat(conversation_id), f"queue:{conversation_id}")
        elif to_bot:
            self.relay.forward(
                conversation_id, bot_input.for_bot(msg.text, payload, offered), msg.id
            )
        return msg

    async def request_queue(
        self, conversation_id: str, secret: str | None, topic: Any
    ) -> QueueInfo:
        """The visitor chose a person (e.g. while the bot is down)."""
        return await join_queue(self.ctx, conversation_id, secret, topic)

    async def leave_queue(self, conversation_id: str, secret: str | None) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.ensure_open(conv)
            if conv.owner != Owner.queue:
                raise Conflict("Du står ikke i kø.")
            if await queue_svc.leave(u, conv, now, "left") is not None:
                notice = texts.in_language(texts.LEFT_QUEUE, conv.language)
                await conv_svc.add_message(u, conv, Sender.system, notice, now)
        self.relay.resume_later(conversation_id)

    async def end(self, conversation_id: str, secret: str | None) -> None:
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
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
            ended = texts.in_language(texts.VISITOR_ENDED, conv.language)
            await conv_svc.add_message(u, conv, Sender.system, ended, now)
        if was in (Owner.queue, Owner.advisor):
            self.relay.resume_later(conversation_id)

    async def delete(self, conversation_id: str, secret: str | None) -> bool:
        """The visitor deletes the conversation: True if it is gone from the database.

        It is ended first (as ``end``), so no advisor can claim it from then on.
        A conversation an advisor took part in is only ended: the advisor may still
        need what the visitor told them, and retention deletes it with the rest.
        """
        await self.end(conversation_id, secret)
        async with self.ctx.read() as u:
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
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            await conv_svc.delete_conversations(u, [conv.id])
            # A socket still open on it (another tab) finds it gone and closes.
            u.outbox.add(f"conv:{conv.id}", event("sync"))
        log.info("conversation deleted by its visitor", extra={"conversation_id": conversation_id})
        return True

    async def typing(self, conversation_id: str, secret: str | None, typing: Any) -> None:
        ctx = self.ctx
        if not isinstance(typing, bool):
            raise InvalidRequest("«typing» må være true eller false.")
        if not ctx.limits.typing.allow(("visitor", conversation_id)):
            return  # a hint, not a message: more than a few a second are dropped unseen
        async with ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, ctx.clock.now())
            advisor_id = (
                await conv_svc.assigned_advisor_id(u, conv.id)
                if conv.owner == Owner.advisor
                else None
            )
        if advisor_id is not None:
            ctx.broker.publish(
                f"advisor:{advisor_id}",
                event("typing", conversation_id=conversation_id, typing=typing),
            )

    # ---- reading ---------------------------------------------------------

    async def _view(
        self, u: Unit, conv: Conversation, after: int, now: datetime, *, rating: bool
    ) -> ConversationView:
        """The visitor's snapshot, inside the caller's unit (the one place it is built)."""
        queue = None
        if conv.owner == Owner.queue:
            entry = await queue_svc.open_entry(u, conv.id)
            if entry is not None:
                queue = await queue_svc.queue_info(
                    u,
                    entry,
                    now,
                    self.ctx.settings.average_chat_minutes,
                    self.ctx.present_since(now),
                )
        messages = await conv_svc.messages_after(u, conv.id, after)
        return ConversationView(
            conv, queue, messages, await conv_svc.rating_of(u, conv.id) if rating else None
        )

    async def view(self, conversation_id: str, secret: str | None, after: int) -> ConversationView:
        """The visitor polls (HTTP): a poll also marks them present (a write)."""
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, now)
            return await self._view(u, conv, after, now, rating=True)

    async def connect(self, conversation_id: str, secret: str) -> None:
        """A visitor's WebSocket authenticates (and counts as present)."""
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            conv_svc.touch(conv, self.ctx.clock.now())

    async def stream_view(
        self, conversation_id: str, after: int, *, touch: bool = False
    ) -> ConversationView:
        """The snapshot for a visitor's open WebSocket (authenticated when it opened).
        ``touch`` marks a queued visitor present (a write); otherwise it only reads."""
        now = self.ctx.clock.now()
        async with self.ctx.unit(read_only=not touch) as u:
            conv = await conv_svc.get(u, conversation_id)
            if touch and conv.owner == Owner.queue:
                conv_svc.touch(conv, now)
            return await self._view(u, conv, after, now, rating=False)

    async def _places(self) -> dict[str, QueueInfo]:
        async with self.ctx.read() as u:
            now = self.ctx.clock.now()
            return await queue_svc.places(
                u, now, self.ctx.settings.average_chat_minutes, self.ctx.present_since(now)
            )

    async def queue_place(self, conversation_id: str, since: float) -> QueueInfo | None:
        """A waiting visitor's place for their WebSocket, which heard of a queue change at
        ``since`` (``asyncio`` loop time): one read shared by the instance's sockets
        (``core/shared_read.py``). None: not waiting (any more)."""
        return (await self._shared_places.get(since)).get(conversation_id)

    async def transcript(
        self, conversation_id: str, secret: str | None
    ) -> tuple[Conversation, list[Message]]:
        async with self.ctx.read() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            return conv, await conv_svc.messages_after(u, conv.id, 0, limit=100_000)

    async def rate(self, conversation_id: str, secret: str | None, value: Any) -> str:
        """«Fikk du svar på det du lurte på?», once per conversation."""
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            rating = await conv_svc.rate(u, conv, value, self.ctx.clock.now())
        return rating.value.value

    async def answer_feedback(
        self, conversation_id: str, secret: str | None, message_id: str, value: Any
    ) -> Helpful:
        """«Var svaret nyttig?» for one of the bot's FAQ answers, once per answer."""
        async with self.ctx.unit() as u:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
            return await feedback_svc.vote(
                u, conv, feedback_svc.message_id_of(message_id), value, self.ctx.clock.now()
            )

    async def answer_votes(self, conversation_id: str) -> dict[int, str]:
        """Which FAQ answers the visitor already voted on, by message id: a reloaded Nav
        widget shows its thumbs as they were. The caller has authenticated the conversation."""
        async with self.ctx.read() as u:
            votes = await feedback_svc.votes_in(u, conversation_id)
        return {message_id: value.value for message_id, value in votes.items()}
