from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import Base, BigId, Sender


class Message(Base):
    """A message in a conversation. ``id`` grows, so it doubles as "last seen".

    ``awaiting_bot`` is true from the commit of a visitor message that goes to
    Rasa until the commit of Rasa's replies (or of the "bot unavailable"
    notice): a row left true past the bot timeout is a reply the process lost.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender: Mapped[Sender]
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(1000))
    buttons: Mapped[list[dict[str, str]]] = mapped_column(default=list)
    advisor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("advisors.id", ondelete="SET NULL")
    )
    advisor_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    awaiting_bot: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A bot message: the FAQ it answers with (if it is one of the bot's FAQ answers), and
    # the visitor message it replies to (the question an answer's feedback is about).
    faq_id: Mapped[str | None] = mapped_column(String(100))
    reply_to: Mapped[int | None] = mapped_column(BigId)

    __table_args__ = (
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        # Partial: only the few messages in flight are in it.
        Index(
            "ix_messages_awaiting_bot",
            "created_at",
            sqlite_where=sql("awaiting_bot"),
            postgresql_where=sql("awaiting_bot"),
        ),
    )
