"""The advisor queues: join, position, claim, transfer, end, hand back, leave."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update

from hub.adapters.broker import event
from hub.db.base import EntryState, Owner
from hub.db.models import Advisor, AdvisorSession, Conversation, Message, QueueEntry
from hub.db.unit import Unit
from hub.errors import AlreadyClaimed, ConversationClosed, Forbidden, TooManyChats
from hub.rules.admission import Admitted, QueueFacts, QueuePolicy, Refused
from hub.rules.estimate import estimate_wait_minutes, handling_minutes
from hub.rules.queue import ChatHead, QueueInfo, TopicQueue, Waiting, check_topic
from hub.rules.topics import TOPICS
from hub.services import advisors as advisor_svc


async def open_entry(u: Unit, conversation_id: str, *, lock: bool = False) -> QueueEntry | None:
    stmt = select(QueueEntry).where(
        QueueEntry.conversation_id == conversation_id, QueueEntry.state != EntryState.closed
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await u.session.execute(stmt)).scalar_one_or_none()


def _before(entry: QueueEntry) -> ColumnElement[bool]:
    """Waiting entries served before ``entry``: urgent first, then first come first served."""
    earlier = and_(
        QueueEntry.urgent.is_(entry.urgent),
        or_(
            QueueEntry.enqueued_at < entry.enqueued_at,
            and_(QueueEntry.enqueued_at == entry.enqueued_at, QueueEntry.id < entry.id),
        ),
    )
    before = earlier if entry.urgent else or_(QueueEntry.urgent.is_(True), earlier)
    return and_(QueueEntry.state == EntryState.waiting, QueueEntry.id != entry.id, before)


async def position(u: Unit, entry: QueueEntry) -> int:
    """1-based place in its topic queue: urgent first, then first come first served."""
    ahead = (
        await u.session.execute(
            select(func.count(QueueEntry.id)).where(QueueEntry.topic == entry.topic, _before(entry))
        )
    ).scalar_one()
    return int(ahead) + 1


async def ahead_in_all_queues(u: Unit, entry: QueueEntry) -> int:
    """Visitors served before ``entry`` in every topic: advisors take chats from all queues."""
    return int(
        (
            await u.session.execute(select(func.count(QueueEntry.id)).where(_before(entry)))
        ).scalar_one()
    )


# The chats the handling time is measured over: the most recent that an advisor ended.
HANDLING_SAMPLE = 50


async def chat_minutes(u: Unit, default_minutes: float) -> float:
    """How long a chat takes, measured over the last finished chats (claim to end)."""
    rows = await u.session.execute(
        select(QueueEntry.assigned_at, QueueEntry.closed_at)
        .where(
            QueueEntry.state == EntryState.closed,
            QueueEntry.assigned_at.is_not(None),
            QueueEntry.closed_at.is_not(None),
        )
        .order_by(QueueEntry.closed_at.desc())
        .limit(HANDLING_SAMPLE)
    )
    durations = [
        (closed - assigned).total_seconds()
        for assigned, closed in rows.all()
        if closed and assigned
    ]
    return handling_minutes(durations, default_minutes)


async def queue_info(
    u: Unit,
    entry: QueueEntry,
    now: datetime,
    minutes_per_chat: float,
    present_since: datetime | None = None,
) -> QueueInfo:
    """``minutes_per_chat`` is the configured average, used until enough chats are measured;
    only advisors whose console was seen since ``present_since`` count."""
    pos = await position(u, entry)
    capacity = await advisor_svc.available_capacity(u, now, present_since)
    minutes = None
    if capacity.advisors:
        ahead = await ahead_in_all_queues(u, entry)
        minutes = estimate_wait_minutes(ahead, capacity, await chat_minutes(u, minutes_per_chat))
    return QueueInfo(entry.topic, pos, minutes, entry.urgent, capacity.advisors)


async def places(
    u: Unit, now: datetime, minutes_per_chat: float, present_since: datetime | None = None
) -> dict[str, QueueInfo]:
    """Every waiting visitor's place (as :func:`queue_info` gives one), by conversation:
    one read for all of them."""
    entries = (
        await u.session.execute(
            select(QueueEntry.conversation_id, QueueEntry.topic, QueueEntry.urgent)
            .where(QueueEntry.state == EntryState.waiting)
            # The order of _before(): urgent first, then first come, first served.
            .order_by(QueueEntry.urgent.desc(), QueueEntry.enqueued_at, QueueEntry.id)
        )
    ).all()
    capacity = await advisor_svc.available_capacity(u, now, present_since)
    minutes_each = await chat_minutes(u, minutes_per_chat) if capacity.advisors and entries else 0.0
    seen: dict[str, int] = {}
    found: dict[str, QueueInfo] = {}
    # ``ahead`` counts every topic: advisors take chats from all queues (ahead_in_all_queues).
    for ahead, (cid, topic, urgent) in enumerate(entries):
        seen[topic] = pos = seen.get(topic, 0) + 1
        wait = estimate_wait_minutes(ahead, capacity, minutes_each) if capacity.advisors else None
        found[cid] = QueueInfo(topic, pos, wait, bool(urgent), capacity.advisors)
    return found


async def waiting_count(u: Unit, topic: str) -> int:
    return int(
        (
            await u.session.execute(
                select(func.count(QueueEntry.id)).where(
                    QueueEntry.topic == topic, QueueEntry.state == EntryState.waiting
                )
            )
        ).scalar_one()
    )


async def enqueue(
    u: Unit,
    conv: Conversation,
    *,
    topic: str,
    reason: str,
    faq_id: str | None,
    now: datetime,
    policy: QueuePolicy,
    present_since: datetime | None = None,
) -> QueueEntry | Refused:
    """Put the conversation in its topic queue, or say why not.

    Asking again while already queued or assigned returns the open entry, also when
    the second request comes while the first is still here (the bot retries a
    timed-out handoff with the same body): on PostgreSQL the conversation's row is
    locked first (held until commit), so the second waits, then finds the first's
    entry instead of inserting another and failing on the unique index. SQLite
    writers already take turns (BEGIN IMMEDIATE).
    """
    if u.session.get_bind().dialect.name != "sqlite":
        # populate_existing: what another transaction committed while we waited
        # (closed, queued) replaces the copy loaded before the lock.
        await u.session.execute(
            select(Conversation)
            .where(Conversation.id == conv.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if conv.owner == Owner.closed:
        raise ConversationClosed()
    existing = await open_entry(u, conv.id)
    if existing is not None:
        return existing
    urgent = reason == "urgent"
    logged_in, _ = await advisor_svc.logged_in_counts(u, now, present_since)
    decision = policy.decide(QueueFacts(now, await waiting_count(u, topic), logged_in, urgent))
    if not isinstance(decision, Admitted):
        return decision
    entry = QueueEntry(
        conversation_id=conv.id,
        topic=topic,
        reason=reason,
        urgent=urgent,
        faq_id=faq_id,
        state=EntryState.waiting,
        enqueued_at=now,
    )
    u.session.add(entry)
    conv.owner = Owner.queue
    conv.topic = topic
    await u.session.flush()
    _changed(u, conv.id)
    return entry


def _changed(u: Unit, conversation_id: str) -> None:
    u.outbox.add(f"conv:{conversation_id}", event("sync"))
    u.outbox.add("queues", event("queues"))


async def leave(u: Unit, conv: Conversation, now: datetime, close_reason: str) -> QueueEntry | None:
    """The visitor leaves a queue (or is taken out): the bot owns the conversation again."""
    result = await u.session.execute(
        update(QueueEntry)
        .where(QueueEntry.conversation_id == conv.id, QueueEntry.state == EntryState.waiting)
        .values(state=EntryState.closed, closed_at=now, close_reason=close_reason)
        .returning(QueueEntry.id)
    )
    entry_id = result.scalar_one_or_none()
    if entry_id is None:
        return None
    conv.owner = Owner.bot
    _changed(u, conv.id)
    return await u.session.get(QueueEntry, entry_id)


async def claim(u: Unit, advisor: Advisor, conversation_id: str, now: datetime) -> QueueEntry:
    """Take a waiting conversation. Exactly one of several simultaneous claims wins.

    The advisor row is locked (FOR UPDATE on PostgreSQL; SQLite serialises
    writers with BEGIN IMMEDIATE) so the chat limit holds, and the entry moves
    from waiting to assigned with a conditional UPDATE, so a second claimer
    finds nothing to update.
    """
    await u.session.execute(select(Advisor.id).where(Advisor.id == advisor.id).with_for_update())
    active = (
        await u.session.execute(
            select(func.count(QueueEntry.id)).where(
                QueueEntry.advisor_id == advisor.id, QueueEntry.state == EntryState.assigned
            )
        )
    ).scalar_one()
    entry_id = (
        await u.session.execute(
            update(QueueEntry)
            .where(
                QueueEntry.conversation_id == conversation_id,
                QueueEntry.state == EntryState.waiting,
            )
            .values(state=EntryState.assigned, advisor_id=advisor.id, assigned_at=now)
            .returning(QueueEntry.id)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if entry_id is None:
        raise AlreadyClaimed()
    if active >= advisor.max_chats:
        raise TooManyChats(advisor.max_chats)  # rolls the claim back
    entry = await u.session.get_one(QueueEntry, entry_id, populate_existing=True)
    conv = await u.session.get_one(Conversation, conversation_id)
    conv.owner = Owner.advisor
    _changed(u, conversation_id)
    u.outbox.add(
        f"advisor:{advisor.id}",
        event("conversation", conversation_id=conversation_id, owner="advisor"),
    )
    return entry


async def requeue_stranded(
    u: Unit, now: datetime, *, advisor_id: int | None = None, present_since: datetime | None = None
) -> list[QueueEntry]:
    """Chats whose advisor has no live login any more (logged out everywhere, or every
    login expired, or the account is gone), or, with ``present_since``, no console seen
    since then (the browser closed), go back to their queue: waiting, no advisor,
    the original ``enqueued_at`` (so they come before those who came later).

    ``advisor_id`` limits it to one advisor (at logout). Each entry moves with a
    conditional UPDATE, so two sweeps at once move it once.
    """
    live_login = exists().where(
        AdvisorSession.advisor_id == QueueEntry.advisor_id, AdvisorSession.expires_at > now
    )
    gone = ~live_login
    if present_since is not None:
        away = (
            select(Advisor.id)
            .where(
                Advisor.id == QueueEntry.advisor_id,
                or_(Advisor.console_seen_at.is_(None), Advisor.console_seen_at < present_since),
            )
            .exists()
        )
        gone = or_(gone, away)
    stmt = select(QueueEntry.id, QueueEntry.conversation_id, QueueEntry.advisor_id).where(
        QueueEntry.state == EntryState.assigned, gone
    )
    if advisor_id is not None:
        stmt = stmt.where(QueueEntry.advisor_id == advisor_id)
    # One order for every instance: messages lock their conversation (add_message).
    stranded = (await u.session.execute(stmt.order_by(QueueEntry.conversation_id))).all()
    moved: list[QueueEntry] = []
    for entry_id, conversation_id, old_advisor in stranded:
        done = (
            await u.session.execute(
                update(QueueEntry)
                .where(
                    QueueEntry.id == entry_id,
                    QueueEntry.state == EntryState.assigned,
                    QueueEntry.advisor_id.is_not_distinct_from(old_advisor),
                )
                .values(state=EntryState.waiting, advisor_id=None, assigned_at=None)
                .returning(QueueEntry.id)
                .execution_options(synchronize_session=False)
            )
        ).scalar_one_or_none()
        if done is None:
            continue
        conv = await u.session.get_one(Conversation, conversation_id)
        conv.owner = Owner.queue
        # The visitor was chatting, not polling the queue: a fresh start for the
        # absent sweep (a connected widget marks itself present within a poll).
        conv.last_seen_at = now
        _changed(u, conversation_id)
        if old_advisor is not None:
            u.outbox.add(
                f"advisor:{old_advisor}",
                event("conversation", conversation_id=conversation_id, owner=Owner.queue.value),
            )
        moved.append(await u.session.get_one(QueueEntry, entry_id, populate_existing=True))
    return moved


async def assigned_entry(u: Unit, advisor: Advisor, conversation_id: str) -> QueueEntry:
    """The open entry this advisor owns, or a clear refusal."""
    entry = await open_entry(u, conversation_id)
    if entry is None:
        conv = await u.session.get(Conversation, conversation_id)
        if conv is None:
            from hub.errors import NotFound

            raise NotFound("Fant ikke samtalen.")
        raise ConversationClosed("Samtalen er ikke lenger hos en veileder.")
    if entry.state != EntryState.assigned or entry.advisor_id != advisor.id:
        raise Forbidden("Samtalen er ikke din.")
    return entry


async def transfer(u: Unit, advisor: Advisor, conversation_id: str, topic: str) -> QueueEntry:
    entry = await assigned_entry(u, advisor, conversation_id)
    entry.topic = check_topic(topic)
    entry.state = EntryState.waiting
    entry.advisor_id = None
    entry.assigned_at = None
    conv = await u.session.get_one(Conversation, conversation_id)
    conv.owner = Owner.queue
    conv.topic = entry.topic
    _changed(u, conversation_id)
    return entry


async def finish(
    u: Unit,
    advisor: Advisor | None,
    conversation_id: str,
    now: datetime,
    *,
    close_reason: str,
    outcome: str | None,
    new_owner: Owner,
) -> QueueEntry:
    """End the advisor's part: closed (with an outcome) or handed back to the bot."""
    if advisor is not None:
        entry = await assigned_entry(u, advisor, conversation_id)
    else:
        found = await open_entry(u, conversation_id)
        if found is None:
            raise ConversationClosed()
        entry = found
    entry.state = EntryState.closed
    entry.closed_at = now
    entry.close_reason = close_reason
    entry.outcome = outcome
    conv = await u.session.get_one(Conversation, conversation_id)
    conv.owner = new_owner
    if new_owner == Owner.closed:
        conv.closed_at = now
    _changed(u, conversation_id)
    if entry.advisor_id is not None:
        u.outbox.add(
            f"advisor:{entry.advisor_id}",
            event("conversation", conversation_id=conversation_id, owner=new_owner.value),
        )
    return entry


async def overview(u: Unit, now: datetime) -> list[TopicQueue]:
    """Every topic queue (empty ones too), best first, with the first visitor lines."""
    entries = list(
        (
            await u.session.execute(
                select(QueueEntry)
                .where(QueueEntry.state == EntryState.waiting)
                .order_by(QueueEntry.urgent.desc(), QueueEntry.enqueued_at, QueueEntry.id)
            )
        ).scalars()
    )
    lines: dict[str, list[str]] = {e.conversation_id: [] for e in entries}
    languages: dict[str, str] = {}
    if entries:
        chosen = await u.session.execute(
            select(Conversation.id, Conversation.language).where(Conversation.id.in_(list(lines)))
        )
        languages = {cid: language for cid, language in chosen if language}
        rows = await u.session.execute(
            select(Message.conversation_id, Message.text)
            .where(Message.conversation_id.in_(list(lines)), Message.sender == "visitor")
            .order_by(Message.id)
        )
        for cid, text in rows:
            if len(lines[cid]) < 3:
                lines[cid].append(text[:200])
    out: dict[str, list[Waiting]] = {t: [] for t in TOPICS}
    for e in entries:
        out.setdefault(e.topic, []).append(
            Waiting(
                conversation_id=e.conversation_id,
                reason=e.reason,
                urgent=e.urgent,
                waiting_seconds=max(0, int((now - e.enqueued_at).total_seconds())),
                first_lines=lines[e.conversation_id],
                language=languages.get(e.conversation_id, "nb"),
            )
        )
    return [TopicQueue(t, w) for t, w in out.items()]


async def advisor_chats(u: Unit, advisor: Advisor) -> list[QueueEntry]:
    return list(
        (
            await u.session.execute(
                select(QueueEntry)
                .where(QueueEntry.advisor_id == advisor.id, QueueEntry.state == EntryState.assigned)
                .order_by(QueueEntry.assigned_at)
            )
        ).scalars()
    )


async def chat_heads(u: Unit, advisor_id: int) -> list[ChatHead]:
    """The advisor's open chats with the id of each one's newest message."""
    rows = await u.session.execute(
        select(QueueEntry.conversation_id, func.max(Message.id))
        .join(Message, Message.conversation_id == QueueEntry.conversation_id, isouter=True)
        .where(QueueEntry.advisor_id == advisor_id, QueueEntry.state == EntryState.assigned)
        .group_by(QueueEntry.conversation_id, QueueEntry.assigned_at)
        .order_by(QueueEntry.assigned_at, QueueEntry.conversation_id)
    )
    return [ChatHead(cid, int(last or 0)) for cid, last in rows]


async def absent_waiting(u: Unit, now: datetime, absent_seconds: int) -> list[str]:
    """Conversations waiting in a queue whose visitor has not been seen for a while."""
    rows = await u.session.execute(
        select(Conversation.id)
        .join(QueueEntry, QueueEntry.conversation_id == Conversation.id)
        .where(
            QueueEntry.state == EntryState.waiting,
            Conversation.last_seen_at < now - timedelta(seconds=absent_seconds),
        )
        # One order for every instance: messages lock their conversation (add_message).
        .order_by(Conversation.id)
    )
    return list(rows.scalars())


async def lengths(u: Unit) -> dict[str, int]:
    rows = await u.session.execute(
        select(QueueEntry.topic, func.count(QueueEntry.id))
        .where(QueueEntry.state == EntryState.waiting)
        .group_by(QueueEntry.topic)
    )
    counts = {t: 0 for t in TOPICS}
    counts.update({t: int(n) for t, n in rows.all()})
    return counts


async def active_chats(u: Unit) -> int:
    """Chats going on now (assigned entries)."""
    return int(
        (
            await u.session.execute(
                select(func.count(QueueEntry.id)).where(QueueEntry.state == EntryState.assigned)
            )
        ).scalar_one()
    )
