"""Retention (hub/core/retention.py): old conversations go, with Rasa's trackers, one sweep at
a time across hubs on one PostgreSQL, on a schedule inside the hub.

Rasa's side is the stand-in of tests/fake_rasa.py, which records the tracker calls (and
can be slow); test_with_rasa.py checks the same calls against the real Rasa.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.adapters.broker import Broker
from hub.adapters.rasa import RasaClient
from hub.adapters.trackers import RasaApiEraser
from hub.clock import FixedClock
from hub.core.retention import Retention
from hub.db.base import Sender
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.models import Conversation, Message
from hub.db.unit import unit_of_work
from hub.services import conversations as conv_svc
from hub.settings import Settings
from tests.conftest import CLOSED_PORT_URL, INSIDE_HOURS, _truncate
from tests.fake_rasa import FakeRasa
from tests.live import HUB_ENV
from tests.stack import HUB_VENV, REPO, start_hub


async def _seed(url: str, created: list[datetime]) -> list[str]:
    """Conversations with a visitor message, created at these times."""
    engine = create_engine(url, null_pool=True)
    ids = []
    try:
        await upgrade(engine)
        for at in created:
            async with unit_of_work(session_factory(engine), Broker()) as u:
                conv, _ = await conv_svc.open_conversation(u, at, None)
                await conv_svc.add_message(u, conv, Sender.visitor, "Når kommer pengene?", at)
                ids.append(conv.id)
    finally:
        await engine.dispose()
    return ids


async def _left(url: str) -> tuple[set[str], int]:
    engine = create_engine(url, null_pool=True)
    try:
        async with engine.connect() as conn:
            ids = set((await conn.execute(select(Conversation.id))).scalars())
            messages = (await conn.execute(select(func.count(Message.id)))).scalar_one()
    finally:
        await engine.dispose()
    return ids, messages


def _retention(url: str, rasa_url: str, clock: FixedClock) -> tuple[Retention, httpx.AsyncClient]:
    settings = Settings(database_url=url, rasa_url=rasa_url, rasa_timeout_seconds=2)
    engine = create_engine(url, null_pool=url.startswith("postgresql"))
    http = httpx.AsyncClient()
    bot = RasaClient(rasa_url, 2, http)
    units = _Units(engine)
    return Retention(settings, clock, units, engine, RasaApiEraser(bot)), http


class _Units:
    def __init__(self, engine: Any) -> None:
        self.sessions = session_factory(engine)

    def __call__(self, *, read_only: bool = False) -> Any:
        return unit_of_work(self.sessions, Broker(), read_only=read_only)


async def test_sweep_erases_trackers_then_deletes_old_conversations(db_url: str) -> None:
    now = INSIDE_HOURS
    old = await _seed(db_url, [now - timedelta(days=31)] * 3)
    recent = await _seed(db_url, [now - timedelta(days=29)])
    with FakeRasa() as rasa:
        retention, http = _retention(db_url, rasa.url, FixedClock(now))
        try:
            result = await retention.sweep()
        finally:
            await http.aclose()
            await retention.engine.dispose()
    assert result.ran and result.complete and result.deleted == 3
    assert sorted(rasa.erased) == sorted(old)
    assert await _left(db_url) == (set(recent), 1)


async def test_rasa_down_keeps_the_conversations_for_a_later_sweep(db_url: str) -> None:
    now = INSIDE_HOURS
    old = await _seed(db_url, [now - timedelta(days=40)] * 2)
    retention, http = _retention(db_url, CLOSED_PORT_URL, FixedClock(now))
    try:
        result = await retention.sweep()
    finally:
        await http.aclose()
        await retention.engine.dispose()
    # Deleting the hub's rows first would lose the only record of which trackers to erase.
    assert result.ran and not result.complete and result.deleted == 0
    assert (await _left(db_url))[0] == set(old)


@pytest.fixture
def pg_url(pg_database: str) -> str:
    _truncate(pg_database)
    return pg_database


@pytest.mark.postgres
async def test_two_hubs_on_one_postgresql_sweep_one_at_a_time(pg_url: str) -> None:
    now = INSIDE_HOURS
    old = await _seed(pg_url, [now - timedelta(days=31)] * 5)
    with FakeRasa(erase_delay=0.5) as rasa:  # the first sweep holds the lock for a while
        a, http_a = _retention(pg_url, rasa.url, FixedClock(now))
        b, http_b = _retention(pg_url, rasa.url, FixedClock(now))
        try:
            results = await asyncio.gather(a.sweep(), b.sweep())
            # Once the first is done, the lock is free again.
            again = await b.sweep()
        finally:
            for http, r in ((http_a, a), (http_b, b)):
                await http.aclose()
                await r.engine.dispose()
    assert sorted(r.ran for r in results) == [False, True]
    assert sum(r.deleted for r in results) == 5
    assert again.ran and again.deleted == 0
    assert Counter(rasa.erased) == Counter(old)  # each tracker erased once
    assert await _left(pg_url) == (set(), 0)


def _old_conversation_in(url: str, days: int) -> str:
    """A conversation created ``days`` ago (by the real clock: the hub's own)."""
    return asyncio.run(_seed(url, [datetime.now(UTC) - timedelta(days=days)]))[0]


def _migrate(url: str) -> None:
    subprocess.run(
        [str(HUB_VENV / "bin" / "hub"), "migrate"],
        check=True,
        cwd=REPO,
        capture_output=True,
        env={**os.environ, "HUB_DATABASE_URL": url},
    )


def test_the_hub_sweeps_on_its_own_schedule(tmp_path: Path) -> None:
    db_path = tmp_path / "hub.db"
    url = f"sqlite:///{db_path}"
    _migrate(url)
    with FakeRasa() as rasa:
        env = {**HUB_ENV, "HUB_RETENTION_DAYS": "30", "HUB_RETENTION_SWEEP_MINUTES": "0.02"}
        hub = start_hub(database_url=url, rasa_url=rasa.url, env=env)
        try:
            # Written while the hub runs: the sweep at start did not see it, a later one must.
            old = _old_conversation_in(url, 31)
            recent = _old_conversation_in(url, 29)
            # Rasa is told first, the row goes after: wait for both before stopping the hub.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (
                old not in rasa.erased or _ids(db_path) != [recent]
            ):
                time.sleep(0.2)
        finally:
            hub.stop()
    assert rasa.erased == [old]
    assert _ids(db_path) == [recent]


def _ids(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM conversations")]


def test_hub_purge_command_reaches_rasa(tmp_path: Path) -> None:
    db_path = tmp_path / "hub.db"
    url = f"sqlite:///{db_path}"
    _migrate(url)
    old = _old_conversation_in(url, 10)

    def purge(rasa_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HUB_VENV / "bin" / "hub"), "purge", "--days", "7", *extra],
            cwd=REPO,
            capture_output=True,
            text=True,
            env={**os.environ, "HUB_DATABASE_URL": url, "HUB_RASA_URL": rasa_url},
        )

    down = purge(CLOSED_PORT_URL)
    assert down.returncode == 1 and "Rasa did not answer" in down.stderr
    with FakeRasa() as rasa:
        done = purge(rasa.url)
    assert done.returncode == 0, done.stderr
    assert "deleted 1 conversations" in done.stdout and rasa.erased == [old]
    _old_conversation_in(url, 9)
    hub_only = purge(CLOSED_PORT_URL, "--hub-only")
    assert hub_only.returncode == 0 and "deleted 1 conversations" in hub_only.stdout


def test_retention_settings() -> None:
    s = Settings.from_env(
        {
            "HUB_RETENTION_SWEEP_MINUTES": "15",
            "HUB_RASA_TRACKER_DB_URL": "postgresql://rasa@db/rasa",
        }
    )
    assert s.retention_sweep_minutes == 15 and s.rasa_tracker_db_url == "postgresql://rasa@db/rasa"
    assert Settings().retention_sweep_minutes == 60 and Settings().rasa_tracker_db_url == ""
