from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, BigId, Helpful


class AnswerFeedback(Base):
    """The visitor's "Var svaret nyttig?" for one FAQ answer (a bot message): once each.

    No text of its own: the answer and the question it replied to are ``messages``
    (masked there). Deleting the conversation deletes its feedback.
    """

    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    value: Mapped[Helpful]
    created_at: Mapped[datetime] = mapped_column(index=True)
