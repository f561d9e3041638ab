"""Engine and session factory. Created in a server listener, never at import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs; use the async drivers."""
    u = make_url(url)
    if u.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        u = u.set(drivername="postgresql+asyncpg")
    elif u.drivername in {"sqlite", "sqlite+pysqlite"}:
        u = u.set(drivername="sqlite+aiosqlite")
    return u.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


@dataclass(frozen=True)
class PoolSize:
    """PostgreSQL connections per instance (``HUB_DB_POOL_SIZE`` and the like): kept open,
    opened beyond that at busy moments, and how long a unit waits for one. With several
    instances, PostgreSQL's ``max_connections`` must cover each one's
    ``size + overflow`` plus two (the event relay's own connections)."""

    size: int = 10
    overflow: int = 20
    timeout_seconds: float = 30.0


def create_engine(
    url: str, *, null_pool: bool = False, pool: PoolSize | None = None
) -> AsyncEngine:
    url = normalise_url(url)
    # A failed statement's exception must not carry its parameters (visitor text) into
    # the logs; the statement itself has only placeholders.
    kwargs: dict[str, Any] = {"hide_parameters": True}
    if null_pool:
        kwargs["poolclass"] = NullPool
    if is_sqlite(url):
        kwargs["connect_args"] = {"timeout": 30}
    elif not null_pool:
        pool = pool or PoolSize()
        kwargs["pool_size"] = pool.size
        kwargs["max_overflow"] = pool.overflow
        kwargs["pool_timeout"] = pool.timeout_seconds
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _sqlite_setup(engine)
    return engine


def _sqlite_setup(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so that writers queue instead of failing.

    With SQLite's default deferred transactions, two transactions that both read
    and then write can fail with "database is locked"; taking the write lock at
    BEGIN makes them wait their turn (up to the busy timeout) instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Read-only units (hub.unit.READ_ONLY) need no write lock: in WAL mode a
        # deferred transaction reads its snapshot while a writer commits.
        read_only = conn.get_execution_options().get("hub_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
