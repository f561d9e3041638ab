"""The bot's unanswered turns: stored from Rasa's signals, read for content editors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hub.db.base import Sender
from hub.db.models import BotSignal, Conversation, Message
from hub.db.unit import Unit
from hub.rules.unanswered import ABOUT_PREVIOUS_QUESTION, KINDS, Unanswered, next_step
from hub.services import feedback as feedback_svc

# Enough for an editor's list; older cases are in the database, not the page.
MAX_CASES = 2000


async def record(
    u: Unit,
    conversation_id: str,
    message_id: int,
    kind: str,
    suggestions: list[str],
    now: datetime,
) -> None:
    """Stores that the bot did not answer visitor message ``message_id``.

    Unknown kinds are not stored: the list shows only what it can explain. A
    signal about the previous question is stored under the visitor's last typed
    message before this one, and not at all if there is none.
    """
    if kind not in KINDS:
        return
    if kind in ABOUT_PREVIOUS_QUESTION:
        previous = await _previous_typed_message(u, conversation_id, message_id)
        if previous is None:
            return
        # The bot sends the FAQ it answered last (its slot), which may be from a turn
        # before that question: kept only if the bot gave it in that question's turn.
        given = await _faqs_answered_between(u, conversation_id, previous, message_id)
        suggestions = [s for s in suggestions if s in given]
        message_id = previous
    u.session.add(
        BotSignal(
            conversation_id=conversation_id,
            message_id=message_id,
            kind=kind,
            suggestions=[s for s in suggestions if isinstance(s, str)][:5],
            created_at=now,
        )
    )


async def _previous_typed_message(u: Unit, conversation_id: str, message_id: int) -> int | None:
    return (
        await u.session.execute(
            select(Message.id)
            .where(
                Message.conversation_id == conversation_id,
                Message.sender == Sender.visitor,
                Message.payload.is_(None),
                Message.id < message_id,
            )
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _faqs_answered_between(
    u: Unit, conversation_id: str, after: int, before: int
) -> set[str]:
    """The FAQ answers the bot gave between two visitor messages."""
    rows = await u.session.execute(
        select(Message.faq_id).where(
            Message.conversation_id == conversation_id,
            Message.sender == Sender.bot,
            Message.faq_id.is_not(None),
            Message.id > after,
            Message.id < before,
        )
    )
    return {str(faq_id) for faq_id in rows.scalars()}


async def cases_since(u: Unit, since: datetime, limit: int = MAX_CASES) -> list[Unanswered]:
    """The newest unanswered turns since ``since``, each with what the visitor did next,
    and the FAQ answers visitors said "Nei" to (with the question each replied to).

    Only typed questions count for the bot's signals: a button press the bot did not
    follow up is not a question an editor can add as an example. A "Nei" counts
    whatever the question was: the answer itself is what the editors should look at.
    """
    return await _signalled_since(u, since, limit) + await feedback_svc.wrong_answers_since(
        u, since, limit
    )


async def _signalled_since(u: Unit, since: datetime, limit: int) -> list[Unanswered]:
    rows = (
        await u.session.execute(
            select(BotSignal, Message.text, Conversation.topic)
            .join(Message, Message.id == BotSignal.message_id)
            .join(Conversation, Conversation.id == BotSignal.conversation_id)
            .where(BotSignal.created_at >= since, Message.payload.is_(None))
            .order_by(BotSignal.created_at.desc(), BotSignal.id.desc())
            .limit(limit)
        )
    ).all()
    if not rows:
        return []
    first_message = min(signal.message_id for signal, _, _ in rows)
    presses = (
        await u.session.execute(
            select(Message.conversation_id, Message.id, Message.payload)
            .where(
                Message.conversation_id.in_({signal.conversation_id for signal, _, _ in rows}),
                Message.sender == Sender.visitor,
                Message.id > first_message,
            )
            .order_by(Message.id)
        )
    ).all()
    # Each visitor message after the unanswered one, per conversation, in order.
    later: dict[str, list[tuple[int, str | None]]] = {}
    for conversation_id, message_id, payload in presses:
        later.setdefault(conversation_id, []).append((message_id, payload))
    cases = []
    for signal, text, topic in rows:
        following = [m for m in later.get(signal.conversation_id, []) if m[0] > signal.message_id]
        # Only the visitor's very next message answers what the bot offered.
        step = next_step(following[0][1]) if following else None
        offered = tuple(signal.suggestions or ())
        # "Dette hjelper ikke" carries the answer that did not help, not suggestions.
        answered = offered[0] if signal.kind in ABOUT_PREVIOUS_QUESTION and offered else None
        cases.append(
            Unanswered(
                text=text,
                kind=signal.kind,
                at=signal.created_at,
                topic=topic,
                suggestions=() if signal.kind in ABOUT_PREVIOUS_QUESTION else offered,
                next_step=step,
                answered=answered,
                message_id=signal.message_id,
            )
        )
    return cases
