from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db.base import AdvisorStatus, Base, BigId, Role


class Advisor(Base):
    __tablename__ = "advisors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[AdvisorStatus] = mapped_column(default=AdvisorStatus.away)
    # Editors log in to the console's pages but never count as staff for the queue.
    role: Mapped[Role] = mapped_column(default=Role.advisor, server_default=Role.advisor.value)
    max_chats: Mapped[int]
    created_at: Mapped[datetime]
    # The last sign of a console (a login, a WebSocket heartbeat, a poll): the advisor is
    # at work only while this is newer than settings.advisor_presence_seconds.
    console_seen_at: Mapped[datetime | None]


class AdvisorSession(Base):
    """A login. Only the SHA-256 of the token is stored."""

    __tablename__ = "advisor_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    advisor_id: Mapped[int] = mapped_column(BigId, ForeignKey("advisors.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
