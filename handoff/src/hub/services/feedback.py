"""The visitors' "Var svaret nyttig?": stored once per FAQ answer, counted for editors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from hub.db.base import Helpful, Sender
from hub.db.models import AnswerFeedback, Conversation, Message
from hub.db.unit import Unit
from hub.errors import Conflict, InvalidRequest, NotFound
from hub.rules.feedback import AnswerVotes, check_vote, tally
from hub.rules.unanswered import WRONG_ANSWER, Unanswered

# The largest message id the database holds (PostgreSQL's INTEGER).
_MAX_ID = 2**31 - 1


def message_id_of(raw: str) -> int:
    """The id in a path; anything else is a message that does not exist."""
    if not raw.isdigit() or len(raw) > 10 or not 0 < int(raw) <= _MAX_ID:
        raise NotFound("Fant ikke meldingen.")
    return int(raw)


async def vote(u: Unit, conv: Conversation, message_id: int, value: Any, now: datetime) -> Helpful:
    """The visitor's answer for one of the bot's FAQ answers in their own conversation.

    Once per answer: a second vote (also a concurrent one) is a 409 and changes nothing.
    """
    helpful = check_vote(value)
    answer = (
        await u.session.execute(
            select(Message).where(Message.id == message_id, Message.conversation_id == conv.id)
        )
    ).scalar_one_or_none()
    if answer is None:
        raise NotFound("Fant ikke meldingen.")
    if answer.sender != Sender.bot or not answer.faq_id:
        raise InvalidRequest("Du kan bare si om et svar fra chatboten var nyttig.")
    insert = pg_insert if u.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stored = (
        await u.session.execute(
            insert(AnswerFeedback)
            .values(conversation_id=conv.id, message_id=answer.id, value=helpful, created_at=now)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(AnswerFeedback.id)
        )
    ).scalar_one_or_none()
    if stored is None:
        raise Conflict("Du har allerede svart på om dette svaret var nyttig.")
    return helpful


async def counts_since(u: Unit, since: datetime) -> list[AnswerVotes]:
    """Yes and no per FAQ answer, for the votes given since ``since``."""
    rows = await u.session.execute(
        select(Message.faq_id, AnswerFeedback.value, func.count(AnswerFeedback.id))
        .join(Message, Message.id == AnswerFeedback.message_id)
        .where(AnswerFeedback.created_at >= since, Message.faq_id.is_not(None))
        .group_by(Message.faq_id, AnswerFeedback.value)
    )
    return tally((str(faq_id), value, int(n)) for faq_id, value, n in rows)


async def wrong_answers_since(u: Unit, since: datetime, limit: int) -> list[Unanswered]:
    """Each "Nei" since ``since`` as a case for the unanswered list: the question the
    answer replied to (by message id, stored with the answer), and the answer given."""
    question = aliased(Message)
    answer = aliased(Message)
    rows = await u.session.execute(
        select(
            AnswerFeedback.created_at, question.text, answer.faq_id, Conversation.topic, question.id
        )
        .join(answer, answer.id == AnswerFeedback.message_id)
        .join(question, question.id == answer.reply_to)
        .join(Conversation, Conversation.id == AnswerFeedback.conversation_id)
        .where(AnswerFeedback.value == Helpful.nei, AnswerFeedback.created_at >= since)
        .order_by(AnswerFeedback.created_at.desc(), AnswerFeedback.id.desc())
        .limit(limit)
    )
    return [
        Unanswered(
            text=text,
            kind=WRONG_ANSWER,
            at=at,
            topic=topic,
            answered=faq_id,
            message_id=question_id,
        )
        for at, text, faq_id, topic, question_id in rows
    ]


async def votes_in(u: Unit, conversation_id: str) -> dict[int, Helpful]:
    """The visitor's answers in one conversation, by the answer's message id."""
    rows = await u.session.execute(
        select(AnswerFeedback.message_id, AnswerFeedback.value).where(
            AnswerFeedback.conversation_id == conversation_id
        )
    )
    return {int(message_id): value for message_id, value in rows}
