"""Console accounts: log in (with the lockout after failed attempts), log out, the login
and role check every protected request makes, and an advisor's status."""

from __future__ import annotations

from typing import Any

from hub.adapters.broker import event
from hub.core.context import Context
from hub.core.queueing import requeue_stranded
from hub.db.base import AdvisorStatus, Role
from hub.db.models import Advisor
from hub.errors import Forbidden, InvalidRequest, TooManyLogins, Unauthorized
from hub.rules import texts
from hub.services import advisors as advisor_svc


def check_role(account: Advisor, role: Role | None) -> None:
    """Who may do what: ``role`` None is any console login; advisors chat (the queues
    are not for editors or supervisors); editors change the bot's answers; supervisors
    (``leder``) see the overview. One role per account: a supervisor who also chats
    has an advisor account too, so that watching the overview never counts as staff."""
    if role is None or account.role == role:
        return
    if role == Role.advisor:
        message = texts.LEDER_NOT_ADVISOR if account.role == Role.leder else texts.EDITOR_ONLY
    elif role == Role.leder:
        message = texts.LEDERS_ONLY
    else:
        message = texts.CONTENT_EDITORS_ONLY
    raise Forbidden(message)


class Accounts:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def login(self, username: Any, password: Any, client: str) -> tuple[str, Advisor]:
        """Check the password and start a login (advisors start ``available``).

        Failed attempts are limited per user name and address, and per address: past
        the limit the answer is 429 without checking the password at all. An attempt
        counts as failed from its start (parallel guesses cannot all slip through
        before the first failure is recorded); a success takes it back.
        """
        ctx = self.ctx
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidRequest("Skriv inn brukernavn og passord.")
        pair = (username.strip().lower(), client)
        windows = (
            (ctx.limits.login_failures, pair),
            (ctx.limits.login_failures_per_address, client),
        )
        for window, key in windows:
            if window.blocked(key):
                raise TooManyLogins(window.limit, window.retry_after(key))
        started = [(window, key, window.add(key)) for window, key in windows]
        async with ctx.read() as u:
            found = await advisor_svc.password_hash_of(u, username)
        ok = await advisor_svc.verify_password(found[1] if found else None, password)
        if not found or not ok:
            raise Unauthorized("Feil brukernavn eller passord.")
        for window, key, at in started:
            window.forget(key, at)
        ctx.limits.login_failures.reset(pair)
        async with ctx.unit() as u:
            token, advisor = await advisor_svc.start_session(
                u, found[0], ctx.clock.now(), ctx.settings.advisor_token_hours
            )
            # Advisors log in to work: available at once (they may switch to away).
            # Editors never take chats.
            if advisor.role == Role.advisor:
                await advisor_svc.set_status(u, advisor, AdvisorStatus.available)
            u.outbox.add("queues", event("queues"))
        return token, advisor

    async def logout(self, advisor: Advisor, token: str) -> list[str]:
        """End this login. If it was the advisor's last, their chats go back to the
        queue (first in line, as they waited before); returns those conversations."""
        now = self.ctx.clock.now()
        async with self.ctx.unit() as u:
            await advisor_svc.end_session(u, token)
            moved = await requeue_stranded(u, now, advisor.id)
            # Who is logged in changed: queues, waits and "no advisors" may change.
            u.outbox.add("queues", event("queues"))
        return moved

    async def account_for(self, token: str | None, role: Role | None = None) -> Advisor:
        """The account a live login belongs to, if its role may do this (``role`` None:
        any console login). Reads only: checking a login takes no write lock."""
        async with self.ctx.read() as u:
            account = await advisor_svc.by_token(u, token, self.ctx.clock.now())
        check_role(account, role)
        return account

    async def set_status(self, advisor: Advisor, status: Any) -> Advisor:
        async with self.ctx.unit() as u:
            account = await u.session.get_one(Advisor, advisor.id)
            await advisor_svc.set_status(u, account, status)
            # Who is available changed: waits and "no advisors" may change.
            u.outbox.add("queues", event("queues"))
        return account
