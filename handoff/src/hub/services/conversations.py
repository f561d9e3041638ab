"""Conversations and their messages."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import navpii
from sqlalchemy import delete, func, select, update

from hub.adapters.broker import event
from hub.db.base import Owner, RatingValue, Sender
from hub.db.models import (
    Advisor,
    AnswerFeedback,
    BotSignal,
    Conversation,
    Message,
    QueueEntry,
    Rating,
)
from hub.db.unit import Unit
from hub.errors import (
    Conflict,
    ConversationClosed,
    InvalidRequest,
    MessageTooLong,
    NotFound,
    RateLimited,
    Unauthorized,
)
from hub.rules.inputs import clean
from hub.rules.wire import message_json

# The sizes of Conversation.page and Message.payload (db/models).
PAGE_CHARS = 300
PAYLOAD_CHARS = 1000


def masked(text: str, max_chars: int) -> str:
    """``text`` with personal numbers masked, cut to ``max_chars``: a notice is longer
    than the digits it replaces, and the column is not."""
    return navpii.mask(text)[:max_chars]


# conversations.id is String(40).
MAX_ID_CHARS = 40


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def open_conversation(u: Unit, now: datetime, page: str | None) -> tuple[Conversation, str]:
    """A new conversation; ``page`` (the address or title it started on) is stored masked."""
    secret = secrets.token_urlsafe(32)
    conv = Conversation(
        id="c_" + secrets.token_urlsafe(15),
        secret_hash=hash_secret(secret),
        owner=Owner.bot,
        page=masked(page, PAGE_CHARS) if page else None,
        created_at=now,
        last_seen_at=now,
    )
    u.session.add(conv)
    await u.session.flush()
    return conv, secret


async def get(u: Unit, conversation_id: str, *, lock: bool = False) -> Conversation:
    if len(conversation_id) > MAX_ID_CHARS or not clean(conversation_id):
        # Never an id of ours; PostgreSQL would refuse a NUL in the query.
        raise NotFound("Fant ikke samtalen.")
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    if lock:
        stmt = stmt.with_for_update()
    conv = (await u.session.execute(stmt)).scalar_one_or_none()
    if conv is None:
        raise NotFound("Fant ikke samtalen.")
    return conv


async def authenticate(u: Unit, conversation_id: str, secret: str | None) -> Conversation:
    """The secret opens this conversation and no other."""
    if not secret:
        raise Unauthorized("Nøkkelen til samtalen mangler.")
    conv = await get(u, conversation_id)
    if not hmac.compare_digest(conv.secret_hash, hash_secret(secret)):
        raise Unauthorized("Feil nøkkel til samtalen.")
    return conv


def touch(conv: Conversation, now: datetime) -> None:
    if (now - conv.last_seen_at).total_seconds() >= 5:
        conv.last_seen_at = now


async def _take_turn(u: Unit, conv: Conversation) -> None:
    """Writers to one conversation take turns until commit: on PostgreSQL by locking its
    row (SQLite writers already take turns, BEGIN IMMEDIATE)."""
    if u.session.get_bind().dialect.name != "sqlite":
        await u.session.execute(
            select(Conversation.id).where(Conversation.id == conv.id).with_for_update()
        )


async def add_message(
    u: Unit,
    conv: Conversation,
    sender: Sender,
    text: str,
    now: datetime,
    *,
    buttons: list[dict[str, str]] | None = None,
    payload: str | None = None,
    advisor: Advisor | None = None,
    notify_advisor_id: int | None = None,
    awaiting_bot: bool = False,
    faq_id: str | None = None,
    reply_to: int | None = None,
) -> Message:
    """Store a message (masked: whoever sent it, and however the caller got it) and
    announce it after commit.

    Readers page by id (``after`` = the last id seen), so the ids of one conversation
    must become visible in order. On PostgreSQL an id is drawn from a sequence at
    INSERT and two transactions may commit out of that order: the conversation's row
    is locked first (held until commit), so writers to one conversation take turns and
    draw their ids in commit order. SQLite writers already take turns (BEGIN IMMEDIATE).
    """
    await _take_turn(u, conv)
    msg = Message(
        conversation_id=conv.id,
        sender=sender,
        text=navpii.mask(text),
        payload=masked(payload, PAYLOAD_CHARS) if payload else None,
        buttons=[
            {"title": navpii.mask(b["title"]), "payload": b["payload"]} for b in (buttons or [])
        ],
        advisor_id=advisor.id if advisor else None,
        advisor_name=advisor.name if advisor else None,
        created_at=now,
        awaiting_bot=awaiting_bot,
        faq_id=faq_id,
        reply_to=reply_to,
    )
    u.session.add(msg)
    await u.session.flush()
    u.outbox.add(f"conv:{conv.id}", event("sync"))
    if notify_advisor_id is None and conv.owner == Owner.advisor:
        notify_advisor_id = await assigned_advisor_id(u, conv.id)
    if notify_advisor_id is not None:
        u.outbox.add(
            f"advisor:{notify_advisor_id}",
            event("message", conversation_id=conv.id, message=message_json(msg)),
        )
    return msg


async def mask_split_number(u: Unit, conv: Conversation, text: str) -> str:
    """``text`` (masked) with the end of a fødselsnummer begun in the visitor's
    previous message masked, and that message's part masked in its stored row ("120389",
    then "10076"). navpii.mask_split says what counts.

    The previous part has already gone to the bot and to any screen showing the chat
    (alone it is a date); what is stored from now on, and so every transcript, list and
    view opened later, has it masked.
    """
    await _take_turn(u, conv)  # the previous message is the one before this, stored next
    previous = (
        await u.session.execute(
            select(Message)
            .where(Message.conversation_id == conv.id, Message.sender == Sender.visitor)
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if previous is None:
        return text
    both = navpii.mask_split(previous.text, text)
    if both is None:
        return text
    previous.text, text = both
    return text


async def last_notice(u: Unit, conversation_id: str) -> Message | None:
    """The newest system message of the conversation."""
    return (
        await u.session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.sender == Sender.system)
            .order_by(Message.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def offered_payloads(u: Unit, conversation_id: str) -> frozenset[str]:
    """The payloads of every button shown in the conversation (bot and hub messages)."""
    rows = await u.session.execute(
        select(Message.buttons).where(
            Message.conversation_id == conversation_id,
            Message.sender.in_((Sender.bot, Sender.system)),
        )
    )
    return frozenset(
        b["payload"]
        for buttons in rows.scalars()
        for b in buttons or []
        if isinstance(b, dict) and isinstance(b.get("payload"), str)
    )


async def assigned_advisor_id(u: Unit, conversation_id: str) -> int | None:
    from hub.db.base import EntryState

    return (
        await u.session.execute(
            select(QueueEntry.advisor_id).where(
                QueueEntry.conversation_id == conversation_id,
                QueueEntry.state == EntryState.assigned,
            )
        )
    ).scalar_one_or_none()


async def answered(u: Unit, *message_ids: int) -> int:
    """The bot's exchange for these visitor messages is over (replies or notice stored).

    Conditional: returns how many were still marked. Of two instances clearing the same
    marks at once, the second waits for the first's row locks and then finds none.
    """
    result = await u.session.execute(
        update(Message)
        .where(Message.id.in_(message_ids), Message.awaiting_bot)
        .values(awaiting_bot=False)
        # Nothing loaded needs refreshing: skip the ORM's session bookkeeping.
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def earlier_awaiting(u: Unit, conversation_id: str, message_id: int) -> int | None:
    """The oldest visitor message of the conversation stored before ``message_id`` that is
    still waiting for the bot (its id), or None."""
    row = await u.session.execute(
        select(func.min(Message.id)).where(
            Message.conversation_id == conversation_id,
            Message.id < message_id,
            Message.awaiting_bot,
        )
    )
    oldest = row.scalar_one_or_none()
    return int(oldest) if oldest is not None else None


async def lost_bot_replies(
    u: Unit, before: datetime, exclude: Collection[int] = ()
) -> dict[str, list[Message]]:
    """Visitor messages still waiting for the bot since before ``before`` (and not
    in flight here), by conversation, oldest first."""
    rows = await u.session.execute(
        select(Message)
        .where(Message.awaiting_bot, Message.created_at < before)
        .order_by(Message.id)
        .limit(1000)
    )
    lost: dict[str, list[Message]] = {}
    for m in rows.scalars():
        if m.id not in exclude:
            lost.setdefault(m.conversation_id, []).append(m)
    return lost


def check_text(text: Any, max_chars: int) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest("Meldingen mangler tekst.")
    if len(text) > max_chars:
        raise MessageTooLong(max_chars)
    if "\x00" in text:
        raise InvalidRequest("Meldingen inneholder ugyldige tegn.")
    return text.strip()


async def check_rate(u: Unit, conv: Conversation, now: datetime, per_minute: int) -> None:
    """At most ``per_minute`` visitor messages a minute, counted in the database, so
    every instance counts them all; the conversation's row is locked first (held to the
    commit, as :func:`add_message` does), so simultaneous messages through several
    instances are counted one after the other."""
    await _take_turn(u, conv)
    count = (
        await u.session.execute(
            select(func.count(Message.id)).where(
                Message.conversation_id == conv.id,
                Message.sender == Sender.visitor,
                Message.created_at > now - timedelta(minutes=1),
            )
        )
    ).scalar_one()
    if count >= per_minute:
        raise RateLimited(per_minute)


def ensure_open(conv: Conversation) -> None:
    if conv.owner == Owner.closed:
        raise ConversationClosed()


async def messages_after(
    u: Unit, conversation_id: str, after: int = 0, limit: int = 500
) -> list[Message]:
    rows = await u.session.execute(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after)
        .order_by(Message.id)
        .limit(limit)
    )
    return list(rows.scalars())


async def rating_of(u: Unit, conversation_id: str) -> str | None:
    value = (
        await u.session.execute(
            select(Rating.value).where(Rating.conversation_id == conversation_id)
        )
    ).scalar_one_or_none()
    return value.value if value is not None else None


async def rate(u: Unit, conv: Conversation, value: Any, now: datetime) -> Rating:
    try:
        rv = RatingValue(value)
    except ValueError:
        raise InvalidRequest("Svaret må være «ja», «nei» eller «delvis».") from None
    if await rating_of(u, conv.id) is not None:
        raise Conflict("Du har allerede svart på dette.")
    last_entry = (
        await u.session.execute(
            select(QueueEntry)
            .where(QueueEntry.conversation_id == conv.id)
            .order_by(QueueEntry.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    rating = Rating(
        conversation_id=conv.id,
        value=rv,
        created_at=now,
        advisor_id=last_entry.advisor_id if last_entry else None,
        queue_entry_id=last_entry.id if last_entry else None,
    )
    u.session.add(rating)
    await u.session.flush()
    return rating


async def advisor_took_part(u: Unit, conversation_id: str) -> bool:
    """An advisor claimed this conversation (now or before) or wrote in it."""
    claimed = select(QueueEntry.id).where(
        QueueEntry.conversation_id == conversation_id, QueueEntry.assigned_at.is_not(None)
    )
    wrote = select(Message.id).where(
        Message.conversation_id == conversation_id, Message.sender == Sender.advisor
    )
    found = await u.session.execute(select(claimed.exists() | wrote.exists()))
    return bool(found.scalar_one())


# Every table with a conversation's rows, children before the conversation itself.
_CONVERSATION_ROWS = (AnswerFeedback, BotSignal, Rating, Message, QueueEntry)


async def delete_conversations(u: Unit, ids: list[str]) -> None:
    """Delete these conversations and everything stored with them (messages, queue
    entries, ratings, answer feedback, the bot's unanswered marks)."""
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for model in _CONVERSATION_ROWS:
            await u.session.execute(delete(model).where(model.conversation_id.in_(chunk)))
        await u.session.execute(delete(Conversation).where(Conversation.id.in_(chunk)))


async def expired_ids(u: Unit, cutoff: datetime, limit: int) -> list[str]:
    """Up to ``limit`` ids of conversations created before ``cutoff``."""
    query = select(Conversation.id).where(Conversation.created_at < cutoff).limit(limit)
    return list((await u.session.execute(query)).scalars())


async def purge_older_than(u: Unit, cutoff: datetime) -> int:
    """Delete conversations created before ``cutoff`` (the hub's rows only: see
    hub/core/retention.py for Rasa's trackers)."""
    deleted = 0
    while ids := await expired_ids(u, cutoff, 500):
        await delete_conversations(u, ids)
        deleted += len(ids)
    return deleted


async def ping(u: Unit) -> None:
    """The database answers (readiness)."""
    await u.session.execute(select(1))
