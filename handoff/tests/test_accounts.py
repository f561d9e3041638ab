"""Console logins (core/accounts.py): logout, expiry and the lockout after failed attempts."""

from __future__ import annotations

import asyncio

import pytest

from hub.core.ratelimit import Limits
from hub.db.base import EntryState, Owner, Sender
from hub.errors import (
    TooManyLogins,
    Unauthorized,
)
from hub.rules import texts
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.support import handed_off, messages_of


async def test_an_advisor_who_logs_out_gives_the_chats_back_to_the_queue(hub, clock) -> None:  # type: ignore[no-untyped-def]
    kari, token = await new_advisor(hub, "kari")
    ola, _ = await new_advisor(hub, "ola")
    first = await handed_off(hub)
    enqueued = clock.now()
    clock.advance(seconds=30)
    later = await handed_off(hub)
    await hub.advisors.claim(kari, first)
    async with hub.unit() as u:  # Kari is logged in twice (another browser)
        other_token, _ = await advisor_svc.start_session(u, kari.id, clock.now(), 8)
    assert await hub.accounts.logout(kari, token) == []  # still logged in elsewhere
    async with hub.unit() as u:
        assert (await queue_svc.open_entry(u, first)).state == EntryState.assigned  # type: ignore[union-attr]

    clock.advance(minutes=10)  # the visitor has been reading, not polling the queue
    with hub.broker.subscribe(f"advisor:{kari.id}", "queues", f"conv:{first}") as sub:
        assert await hub.accounts.logout(kari, other_token) == [first]
        events = sub.drain()
    assert {"type": "conversation", "data": {"conversation_id": first, "owner": "queue"}} in events
    assert {"type": "queues", "data": {}} in events and {"type": "sync", "data": {}} in events
    async with hub.unit() as u:
        entry = await queue_svc.open_entry(u, first)
        assert entry is not None and entry.state == EntryState.waiting
        assert (entry.advisor_id, entry.assigned_at, entry.enqueued_at) == (None, None, enqueued)
        assert await queue_svc.position(u, entry) == 1  # before the one who came later
        assert await queue_svc.position(u, await queue_svc.open_entry(u, later)) == 2  # type: ignore[arg-type]
        assert (await conv_svc.get(u, first)).owner == Owner.queue
        assert await queue_svc.advisor_chats(u, kari) == []
    last = (await messages_of(hub, first))[-1]
    assert (last.sender, last.text) == (Sender.system, texts.ADVISOR_LEFT)
    # Not taken for an absent visitor (the one who came later did not poll: gone).
    assert await hub.sweeps.absent() == [later]
    await hub.advisors.claim(ola, first)  # the next advisor takes over


async def test_failed_logins_are_limited_and_then_no_password_is_checked(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")  # password "passord123"
    here = "192.0.2.10"
    for _ in range(hub.settings.login_failures):
        with pytest.raises(Unauthorized):
            await hub.accounts.login("kari", "gjett", here)
    with pytest.raises(TooManyLogins) as refused:
        await hub.accounts.login("Kari", "passord123", here)  # the right one, too late
    assert refused.value.status == 429 and refused.value.body()["retry_after"] == 15 * 60
    assert refused.value.message.endswith("Prøv igjen om 15 minutter.")
    token, _ = await hub.accounts.login("kari", "passord123", "192.0.2.99")  # another address
    assert token
    clock.advance(minutes=14)
    with pytest.raises(TooManyLogins) as still:
        await hub.accounts.login("kari", "passord123", here)
    assert still.value.message.endswith("Prøv igjen om 1 minutt.")
    clock.advance(minutes=1)
    token, advisor = await hub.accounts.login("kari", "passord123", here)
    assert token and advisor.status == "available"
    # A success starts the count again for that user name and address.
    for _ in range(hub.settings.login_failures - 1):
        with pytest.raises(Unauthorized):
            await hub.accounts.login("kari", "gjett", here)
    await hub.accounts.login("kari", "passord123", here)
    with pytest.raises(Unauthorized):
        await hub.accounts.login("kari", "gjett", here)


async def test_parallel_login_guesses_cannot_slip_past_the_limit(hub) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "kari")

    async def guess(i: int) -> str:
        try:
            await hub.accounts.login("kari", f"gjett{i}", "192.0.2.10")
        except (Unauthorized, TooManyLogins) as exc:
            return exc.code if isinstance(exc, Unauthorized) else "limited"
        return "in"

    results = await asyncio.gather(*(guess(i) for i in range(12)))
    assert results.count("unauthorized") == hub.settings.login_failures
    assert results.count("limited") == 12 - hub.settings.login_failures


async def test_one_address_trying_many_user_names_is_limited_too(hub) -> None:  # type: ignore[no-untyped-def]
    hub.limits = Limits.from_settings(
        hub.settings.with_(login_failures_per_address=3), lambda: hub.clock.now().timestamp()
    )
    for name in ("anne", "bjørn", "carl"):
        with pytest.raises(Unauthorized):
            await hub.accounts.login(name, "gjett", "192.0.2.10")
    with pytest.raises(TooManyLogins):
        await hub.accounts.login("dina", "gjett", "192.0.2.10")
