from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, BigId, EntryState


class QueueEntry(Base):
    """A conversation's stay with the advisors: waiting, then assigned, then closed.

    At most one entry per conversation is open (waiting or assigned): a partial
    unique index enforces it on both SQLite and PostgreSQL.
    """

    __tablename__ = "queue_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    faq_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[EntryState] = mapped_column(default=EntryState.waiting)
    enqueued_at: Mapped[datetime]
    advisor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("advisors.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index(
            "uq_queue_entries_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("state != 'closed'"),
            postgresql_where=text("state != 'closed'"),
        ),
        Index("ix_queue_entries_state_topic", "state", "topic"),
        Index("ix_queue_entries_advisor_state", "advisor_id", "state"),
    )
