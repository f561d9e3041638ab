"""The facts behind the supervisors' figures (rules/overview.py), read in one unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from hub.db.base import EntryState, Role
from hub.db.models import Advisor, AdvisorSession, QueueEntry, Rating
from hub.db.unit import Unit
from hub.rules.overview import AdvisorFact, EntryFact, RatingFact


async def entry_facts(u: Unit, since: datetime) -> list[EntryFact]:
    """Entries open now, and every entry that joined a queue since ``since``."""
    rows = await u.session.execute(
        select(
            QueueEntry.topic,
            QueueEntry.reason,
            QueueEntry.state,
            QueueEntry.enqueued_at,
            QueueEntry.assigned_at,
            QueueEntry.closed_at,
        ).where(or_(QueueEntry.state != EntryState.closed, QueueEntry.enqueued_at >= since))
    )
    return [EntryFact(*row) for row in rows.all()]


async def advisor_facts(u: Unit, now: datetime) -> list[AdvisorFact]:
    """Advisors (the role, not editors or supervisors) with a live login, with their chats."""
    live = (
        select(AdvisorSession.advisor_id)
        .where(AdvisorSession.expires_at > now)
        .distinct()
        .scalar_subquery()
    )
    chats = (
        select(func.count(QueueEntry.id))
        .where(QueueEntry.advisor_id == Advisor.id, QueueEntry.state == EntryState.assigned)
        .scalar_subquery()
    )
    rows = await u.session.execute(
        select(Advisor.status, chats, Advisor.max_chats).where(
            Advisor.role == Role.advisor, Advisor.id.in_(live)
        )
    )
    return [AdvisorFact(status, int(n), max_chats) for status, n, max_chats in rows.all()]


async def rating_facts(u: Unit, since: datetime) -> list[RatingFact]:
    """Today's ratings of chats with an advisor, by the chat's topic."""
    rows = await u.session.execute(
        select(QueueEntry.topic, Rating.value)
        .join(QueueEntry, QueueEntry.id == Rating.queue_entry_id)
        .where(Rating.created_at >= since, Rating.advisor_id.is_not(None))
    )
    return [RatingFact(topic, value) for topic, value in rows.all()]
