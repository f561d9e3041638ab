from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, BigId, RatingValue


class Rating(Base):
    """The visitor's answer to "Fikk du svar på det du lurte på?" (once per conversation)."""

    __tablename__ = "ratings"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[RatingValue]
    created_at: Mapped[datetime]
    advisor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("advisors.id", ondelete="SET NULL")
    )
    queue_entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("queue_entries.id", ondelete="SET NULL")
    )
