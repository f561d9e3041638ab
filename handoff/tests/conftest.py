"""Fixtures: a real database (SQLite file, or a fresh PostgreSQL database) and a Hub
with a fixed clock. PostgreSQL tests skip when no server answers, and fail with CI=true."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from hub.adapters.broker import Broker
from hub.adapters.rasa import RasaClient
from hub.clock import FixedClock
from hub.core import Hub
from hub.db.base import Base
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.models import Advisor
from hub.db.unit import unit_of_work
from hub.services import advisors as advisor_svc
from hub.settings import Settings

# Tuesday 24 November 2026, 10:00 in Oslo: inside the default opening hours.
INSIDE_HOURS = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PG_SERVER = os.environ.get("HUB_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
CLOSED_PORT_URL = "http://127.0.0.1:9"  # nothing listens: a real "Rasa is down"


def _pg_reachable() -> bool:
    async def probe() -> None:
        engine = create_engine(f"{PG_SERVER}/postgres", null_pool=True)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(asyncio.wait_for(probe(), 5))
        return True
    except Exception:
        return False


def _require_pg() -> None:
    if not _pg_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {PG_SERVER} (CI=true)")
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}")


async def _admin(sql: str) -> None:
    engine = create_engine(f"{PG_SERVER}/postgres", null_pool=True)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh database ``hub_test_<random>``, migrated, dropped at the end."""
    _require_pg()
    name = f"hub_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"

    async def migrate() -> None:
        engine = create_engine(url, null_pool=True)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _truncate(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url, null_pool=True)
        async with engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that uses this runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(INSIDE_HOURS)


@pytest.fixture
def settings() -> Settings:
    return Settings(rasa_url=CLOSED_PORT_URL, rasa_timeout_seconds=2, bot_secret="s")


async def make_hub(url: str, settings: Settings, clock: FixedClock) -> Hub:
    engine = create_engine(url, null_pool=url.startswith("postgresql"))
    await upgrade(engine)
    http = httpx.AsyncClient()
    return Hub(
        settings,
        clock,
        session_factory(engine),
        RasaClient(settings.rasa_url, settings.rasa_timeout_seconds, http),
    )


@pytest.fixture
async def hub(db_url: str, settings: Settings, clock: FixedClock) -> AsyncIterator[Hub]:
    h = await make_hub(db_url, settings, clock)
    yield h
    await h.drain()
    await h.health.close()  # the metrics' reporter lock, if a test took it
    await h.bot.client.aclose()
    bind = h.sessions.kw["bind"]
    await bind.dispose()


_PASSWORD_HASH: str | None = None


async def new_advisor(
    hub: Hub, username: str, *, max_chats: int = 3, status: str = "available"
) -> tuple[Advisor, str]:
    """An advisor with a live login (password hashing is cheap enough here)."""
    now = hub.clock.now()
    async with unit_of_work(hub.sessions, Broker()) as u:
        advisor = await advisor_svc.create_advisor(
            u,
            username,
            username.title(),
            await advisor_svc.hash_password("passord123"),
            max_chats,
            now,
        )
        await advisor_svc.set_status(u, advisor, status)
    async with hub.unit() as u:
        token, advisor = await advisor_svc.start_session(u, advisor.id, now, 8)
    return advisor, token
