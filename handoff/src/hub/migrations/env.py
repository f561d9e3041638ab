"""Alembic environment (from the async template).

When code hands in a connection (``config.attributes["connection"]``, used by
the hub at startup, by ``hub migrate`` and by the tests) it is used as is;
otherwise an async engine is built from ``sqlalchemy.url`` or ``HUB_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from hub.db.base import Base
from hub.db.engine import create_engine, is_sqlite
from hub.db.models import __all__ as _models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ.get(
        "HUB_DATABASE_URL", "sqlite+aiosqlite:///hub.db"
    )


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_engine(_url(), null_pool=True)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=is_sqlite(_url()),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
elif (conn := config.attributes.get("connection")) is not None:
    do_run_migrations(conn)
else:
    asyncio.run(run_async_migrations())
