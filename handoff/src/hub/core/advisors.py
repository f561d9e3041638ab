"""The advisor's use cases: the queues, claiming a conversation, chatting, transferring,
ending or handing back; the FAQ search and the list of what the bot could not answer."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import navpii

from hub.adapters.broker import event
from hub.adapters.faq_source import FaqSource
from hub.core.context import Context
from hub.core.relay import BotRelay
from hub.db.base import Owner, Sender
from hub.db.models import Advisor, Conversation, Message, QueueEntry
from hub.db.unit import Unit
from hub.errors import FaqUnavailable, Forbidden, InvalidRequest
from hub.rules import texts
from hub.rules.assist import ChatSummary, latest_question, suggest, summarise
from hub.rules.faq import FaqEntry, search, words
from hub.rules.feedback import AnswerVotes
from hub.rules.queue import ChatHead, QueueInfo, TopicQueue, check_outcome
from hub.rules.unanswered import Question, group
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import queue as queue_svc
from hub.services import unanswered as unanswered_svc

# How long a chat's first read waits for the bot's FAQ titles (only before the first copy).
TITLES_WAIT_SECONDS = 1.0


@dataclass(frozen=True)
class AdvisorChat:
    """A conversation as an advisor sees it: its queue entry and the whole transcript."""

    conversation: Conversation
    entry: QueueEntry
    messages: list[Message]
    # The bot's part in short (topic, why handed over, what the bot answered).
    summary: ChatSummary


@dataclass(frozen=True)
class Suggestions:
    """Catalogue answers for the visitor's latest question (``question``: None when the
    visitor has not said what it is about yet)."""

    question: Message | None
    answers: list[FaqEntry]


@dataclass(frozen=True)
class UnansweredReport:
    days: int
    since: datetime
    retention_days: int
    questions: list[Question]
    votes: list[AnswerVotes]
    # FAQ id -> title; empty while the bot's answers cannot be read (ids are shown).
    titles: dict[str, str]


class Advisors:
    def __init__(self, ctx: Context, relay: BotRelay, faq: FaqSource) -> None:
        self.ctx, self.relay, self.faq = ctx, relay, faq

    # ---- reading ---------------------------------------------------------

    async def queue_overview(self, token: str | None = None) -> list[TopicQueue]:
        """Every topic queue with who waits. With ``token``, the login must still be live
        (an advisor's WebSocket refreshes with it: an expired login ends the socket)."""
        async with self.ctx.read() as u:
            now = self.ctx.clock.now()
            if token is not None:
                await advisor_svc.by_token(u, token, now)
            return await queue_svc.overview(u, now)

    async def _titles(self) -> dict[str, str]:
        """The FAQ titles for a chat's summary: the copy at hand, or (before the first) Rasa
        asked for at most a second; an answer without a title is named by its first words."""
        titles = self.faq.cached_titles()
        if not titles:
            with contextlib.suppress(FaqUnavailable, TimeoutError):
                await asyncio.wait_for(self.faq.entries(), TITLES_WAIT_SECONDS)
            titles = self.faq.cached_titles()
        return titles

    async def _chat(
        self, u: Unit, advisor: Advisor, conversation_id: str, titles: dict[str, str]
    ) -> AdvisorChat:
        conv = await conv_svc.get(u, conversation_id)
        entry = await queue_svc.open_entry(u, conversation_id)
        # Waiting conversations are open to every advisor; a claimed one to its advisor only.
        mine = entry is not None and entry.advisor_id == advisor.id
        if entry is None or (entry.advisor_id is not None and not mine):
            raise Forbidden("Du har ikke tilgang til denne samtalen.")
        messages = await conv_svc.messages_after(u, conversation_id, 0, limit=100_000)
        summary = summarise(entry.topic, entry.reason, messages, titles)
        return AdvisorChat(conv, entry, messages, summary)

    async def open_chat(self, advisor: Advisor, conversation_id: str) -> AdvisorChat:
        """A waiting conversation or one of the advisor's own, with the whole transcript."""
        titles = await self._titles()
        async with self.ctx.read() as u:
            return await self._chat(u, advisor, conversation_id, titles)

    async def chats(self, advisor: Advisor) -> list[QueueEntry]:
        """The advisor's open chats, oldest claim first."""
        async with self.ctx.read() as u:
            return await queue_svc.advisor_chats(u, advisor)

    async def chat_heads(self, advisor_id: int) -> list[ChatHead]:
        async with self.ctx.read() as u:
            return await queue_svc.chat_heads(u, advisor_id)

    async def suggestions(self, advisor: Advisor, conversation_id: str) -> Suggestions:
        """The catalogue answers for the visitor's latest question in a chat the advisor
        may open (before they search). 503 while the bot's answers cannot be read."""
        async with self.ctx.read() as u:
            chat = await self._chat(u, advisor, conversation_id, {})
        question = latest_question(chat.messages)
        if question is None:
            return Suggestions(None, [])
        found = suggest(await self.faq.entries(), question.text, chat.entry.topic)
        return Suggestions(question, found)

    async def search_faq(self, query: str) -> list[FaqEntry]:
        if len(query) > 200:
            raise InvalidRequest("Søket kan ha høyst 200 tegn.")
        if not words(query):
            return []
        return search(await self.faq.entries(), query)

    async def unanswered(self, days: int) -> UnansweredReport:
        """What the bot could not answer in the last ``days``, and the answers' votes."""
        since = self.ctx.clock.now() - timedelta(days=days)
        async with self.ctx.read() as u:
            questions = group(await unanswered_svc.cases_since(u, since))
            votes = await feedback_svc.counts_since(u, since)
        try:
            titles = {e.id: e.question for e in await self.faq.entries()}
        except FaqUnavailable:
            titles = {}  # The list is still useful with FAQ ids instead of titles.
        return UnansweredReport(
            days, since, self.ctx.settings.retention_days, questions, votes, titles
        )

    # ---- chatting ----------------------------------------------------------

    async def claim(self, advisor: Advisor, conversation_id: str) -> AdvisorChat:
        """Take a waiting conversation; returns it as the advisor now sees it (same unit)."""
        titles = await self._titles()
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
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
            chat = await self._chat(u, advisor, conversation_id, titles)
        self.ctx.metrics.queue_wait.labels(entry.topic).observe(
            (now - entry.enqueued_at).total_seconds()
        )
        return chat

    async def message(self, advisor: Advisor, conversation_id: str, text: Any) -> Message:
        # Advisors paste numbers too; the visitor's transcript and the logs get them masked.
        text = navpii.mask(conv_svc.check_text(text, self.ctx.settings.max_message_chars))
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            await queue_svc.assigned_entry(u, advisor, conversation_id)
            conv = await conv_svc.get(u, conversation_id)
            msg = await conv_svc.add_message(
                u, conv, Sender.advisor, text, now, advisor=advisor, notify_advisor_id=advisor.id
            )
        self.ctx.metrics.messages.labels("advisor").inc()
        return msg

    async def typing(self, advisor: Advisor, conversation_id: str, typing: Any) -> None:
        if not isinstance(typing, bool):
            raise InvalidRequest("«typing» må være true eller false.")
        if not self.ctx.limits.typing.allow(("advisor", advisor.id, conversation_id)):
            return
        async with self.ctx.unit() as u:
            await queue_svc.assigned_entry(u, advisor, conversation_id)
        self.ctx.broker.publish(
            f"conv:{conversation_id}", event("typing", sender="advisor", typing=typing)
        )

    async def transfer(self, advisor: Advisor, conversation_id: str, topic: Any) -> QueueInfo:
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
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
            info = await queue_svc.queue_info(u, entry, now, self.ctx.settings.average_chat_minutes)
        return info

    async def end(self, advisor: Advisor, conversation_id: str, outcome: Any) -> None:
        outcome = check_outcome(outcome)
        await self._finish(
            advisor, conversation_id, "ended", outcome, Owner.closed, texts.ADVISOR_ENDED
        )
        self.relay.resume_later(conversation_id)

    async def handback(self, advisor: Advisor, conversation_id: str) -> None:
        await self._finish(
            advisor, conversation_id, "handed_back", None, Owner.bot, texts.HANDED_BACK
        )
        self.relay.greet_later(conversation_id)

    async def _finish(
        self,
        advisor: Advisor,
        conversation_id: str,
        close_reason: str,
        outcome: Any,
        new_owner: Owner,
        notice: str,
    ) -> None:
        """The advisor's chat ends (closed or back to the bot), with a notice, in one unit."""
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            await queue_svc.finish(
                u,
                advisor,
                conversation_id,
                now,
                close_reason=close_reason,
                outcome=outcome,
                new_owner=new_owner,
            )
            conv = await conv_svc.get(u, conversation_id)
            await conv_svc.add_message(
                u, conv, Sender.system, notice, now, notify_advisor_id=advisor.id
            )
