"""Advisor accounts, logins and status."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from hub.db.base import AdvisorStatus, Role
from hub.db.models import Advisor, AdvisorSession
from hub.db.unit import Unit
from hub.errors import Conflict, InvalidRequest, Unauthorized

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


async def create_advisor(
    u: Unit,
    username: str,
    name: str,
    password_hash: str,
    max_chats: int,
    now: datetime,
    role: Role | str = Role.advisor,
) -> Advisor:
    username = username.strip().lower()
    if not username or not name.strip() or max_chats < 1:
        raise InvalidRequest("Brukernavn, navn og antall samtaler (minst 1) må fylles ut.")
    exists = (
        await u.session.execute(select(Advisor.id).where(Advisor.username == username))
    ).scalar_one_or_none()
    if exists is not None:
        raise Conflict(f"Brukernavnet {username} finnes allerede.")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidRequest("Rollen må være «advisor», «editor» eller «leder».") from None
    advisor = Advisor(
        username=username,
        name=name.strip(),
        password_hash=password_hash,
        status=AdvisorStatus.away,
        max_chats=max_chats,
        created_at=now,
        role=role,
    )
    u.session.add(advisor)
    await u.session.flush()
    return advisor


async def password_hash_of(u: Unit, username: str) -> tuple[int, str] | None:
    row = (
        await u.session.execute(
            select(Advisor.id, Advisor.password_hash).where(
                Advisor.username == username.strip().lower()
            )
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def start_session(
    u: Unit, advisor_id: int, now: datetime, hours: float
) -> tuple[str, Advisor]:
    token = secrets.token_urlsafe(32)
    u.session.add(
        AdvisorSession(
            token_hash=_token_hash(token),
            advisor_id=advisor_id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    await u.session.execute(delete(AdvisorSession).where(AdvisorSession.expires_at < now))
    advisor = await u.session.get_one(Advisor, advisor_id)
    return token, advisor


async def by_token(u: Unit, token: str | None, now: datetime) -> Advisor:
    if not token:
        raise Unauthorized("Du må logge inn.")
    row = (
        await u.session.execute(
            select(Advisor)
            .join(AdvisorSession, AdvisorSession.advisor_id == Advisor.id)
            .where(AdvisorSession.token_hash == _token_hash(token), AdvisorSession.expires_at > now)
        )
    ).scalar_one_or_none()
    if row is None:
        raise Unauthorized("Innloggingen er utløpt eller ugyldig. Logg inn på nytt.")
    return row


async def end_session(u: Unit, token: str) -> None:
    await u.session.execute(
        delete(AdvisorSession).where(AdvisorSession.token_hash == _token_hash(token))
    )


async def set_status(u: Unit, advisor: Advisor, status: Any) -> Advisor:
    try:
        advisor.status = AdvisorStatus(status)
    except ValueError:
        raise InvalidRequest("Status må være «available» eller «away».") from None
    return advisor


async def logged_in_counts(u: Unit, now: datetime) -> tuple[int, int]:
    """(advisors with a live login, of whom available). Editors do not count."""
    rows = (
        await u.session.execute(
            select(Advisor.status, func.count(func.distinct(Advisor.id)))
            .join(AdvisorSession, AdvisorSession.advisor_id == Advisor.id)
            .where(AdvisorSession.expires_at > now, Advisor.role == Role.advisor)
            .group_by(Advisor.status)
        )
    ).all()
    counts = {status: n for status, n in rows}
    available = counts.get(AdvisorStatus.available, 0)
    return available + counts.get(AdvisorStatus.away, 0), available
