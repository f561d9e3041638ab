from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, Owner


class Conversation(Base):
    """One website conversation. ``secret_hash`` is the SHA-256 of the visitor's key."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    owner: Mapped[Owner] = mapped_column(default=Owner.bot)
    topic: Mapped[str | None] = mapped_column(String(32))
    page: Mapped[str | None] = mapped_column(String(300))
    # "nb" or "en" (None: Norwegian): the language of the hub's own notices to the visitor.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_conversations_created_at", "created_at"),)
