from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, BigId


class BotSignal(Base):
    """A bot turn that did not answer the visitor's message (hub.unanswered).

    The visitor's text stays in ``messages`` (masked there); this row only says
    which message went unanswered, how, and what the bot offered instead.
    Deleting the conversation deletes its signals.
    """

    __tablename__ = "bot_signals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    suggestions: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(index=True)
