"""Run Alembic migrations from code (startup, CLI, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db.advisory import MIGRATION_LOCK_KEY, wait_for_lock_in_transaction


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "hub:migrations")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    # Hubs starting together on one empty PostgreSQL database take turns: the second
    # waits here until the first has committed, then finds nothing left to do.
    wait_for_lock_in_transaction(connection, MIGRATION_LOCK_KEY)
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (one instance at a time)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)
