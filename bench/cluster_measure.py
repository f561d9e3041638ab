"""What the cluster benchmark (bench/cluster_bench.py) reads besides the visitors' frames:
PostgreSQL's transaction counters, the hub's record of which bot message answers which
visitor message, the CPU time of each kind of process, and the load average.

PostgreSQL 15 counts a backend's transactions in ``pg_stat_database`` when it flushes
its statistics: at most once a second while busy, and within 10 s once idle. So a
count is read after a quiet :data:`STATS_FLUSH_SECONDS`, and a phase's count includes
what ran in the background during it (sweeps, the sockets' timers).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil

PG = "postgresql://postgres@127.0.0.1:5432"
STATS_FLUSH_SECONDS = 11.0


async def transactions(databases: tuple[str, ...]) -> dict[str, int]:
    """Committed + rolled back transactions so far, per database."""
    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        rows = await conn.fetch(
            "SELECT datname, xact_commit + xact_rollback AS n FROM pg_stat_database"
            " WHERE datname = ANY($1::text[])",
            list(databases),
        )
    finally:
        await conn.close()
    return {r["datname"]: int(r["n"]) for r in rows}


async def storage(hub_db: str, rasa_db: str) -> dict[str, int]:
    """The databases' sizes on disk and what they hold: the hubs' conversations and
    messages, Rasa's tracker events."""
    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        sizes = {
            f"{key}_bytes": int(await conn.fetchval("SELECT pg_database_size($1)", db))
            for key, db in (("hub_db", hub_db), ("rasa_db", rasa_db))
        }
    finally:
        await conn.close()
    counts: dict[str, int] = {}
    for db, table in ((hub_db, "conversations"), (hub_db, "messages"), (rasa_db, "events")):
        conn = await asyncpg.connect(f"{PG}/{db}")
        try:
            counts[table] = int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        except asyncpg.UndefinedTableError:
            counts[table] = 0
        finally:
            await conn.close()
    return {**sizes, **counts}


class HubDb:
    """The hub's database, read by the benchmark itself (each query one transaction,
    counted so that it can be taken off the phase's count)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.queries = 0

    async def awaiting(self) -> int:
        """Visitor messages still waiting for the bot's answer."""
        self.queries += 1
        conn = await asyncpg.connect(f"{PG}/{self.name}")
        try:
            return int(await conn.fetchval("SELECT count(*) FROM messages WHERE awaiting_bot"))
        finally:
            await conn.close()

    async def first_replies(self, message_ids: list[int]) -> dict[int, int]:
        """visitor message id -> the id of the first bot message answering it."""
        self.queries += 1
        conn = await asyncpg.connect(f"{PG}/{self.name}")
        try:
            rows = await conn.fetch(
                "SELECT reply_to, min(id) AS first FROM messages"
                " WHERE sender = 'bot' AND reply_to = ANY($1::bigint[]) GROUP BY reply_to",
                message_ids,
            )
        finally:
            await conn.close()
        return {int(r["reply_to"]): int(r["first"]) for r in rows}

    async def drain(self, timeout: float) -> float:
        """Wait until no visitor message waits for the bot (or ``timeout``); returns the
        seconds waited."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if await self.awaiting() == 0:
                await asyncio.sleep(2)  # the last answers' frames on their way
                break
            await asyncio.sleep(1)
        return time.monotonic() - began


async def hub_units(hub_urls: list[str]) -> dict[str, float]:
    """The hubs' own count of their units of work (``hub_db_transactions_total``), by kind
    (read, write), summed over the hubs: the rest of PostgreSQL's count for the hubs'
    database is the relay's ``pg_notify`` (one per event) and the advisory locks."""
    units: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for url in hub_urls:
            for line in (await client.get(f"{url}/metrics")).text.splitlines():
                if line.startswith("hub_db_transactions_total{"):
                    kind = line.split('kind="', 1)[1].split('"', 1)[0]
                    units[kind] = units.get(kind, 0.0) + float(line.split()[-1])
    return units


def _role(pid_file: Path) -> str:
    return pid_file.stem.rstrip("0123456789")


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            continue
    return total


def rss_mb(pid_dir: Path) -> dict[str, float]:
    """Resident memory of each cluster process (with its children), by pid file name."""
    out: dict[str, float] = {}
    for f in sorted(pid_dir.glob("*.pid")):
        total = 0
        for p in _tree(int(f.read_text())):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                continue
        out[f.stem] = round(total / 2**20, 1)
    return out


@dataclass
class Cpu:
    """CPU seconds so far: per kind of cluster process (hub, rasa, actions, nlg, nginx,
    content), PostgreSQL and Redis (every backend on the machine: shared), this client,
    and the whole machine (busy, all cores)."""

    by_role: dict[str, float]
    wall: float

    @classmethod
    def now(cls, pid_dir: Path) -> Cpu:
        by_role: dict[str, float] = {}
        for f in sorted(pid_dir.glob("*.pid")):
            try:
                pid = int(f.read_text())
            except (OSError, ValueError):
                continue
            by_role[_role(f)] = by_role.get(_role(f), 0.0) + _seconds(_tree(pid))
        for name in ("postgres", "redis-server"):
            procs = [p for p in psutil.process_iter(["name"]) if p.info["name"] == name]
            by_role[name] = _seconds(procs)
        by_role["client"] = _seconds([psutil.Process(os.getpid())])
        t = psutil.cpu_times()
        by_role["machine"] = t.user + t.system + t.nice + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
        return cls(by_role, time.monotonic())

    def since(self, before: Cpu) -> dict[str, float]:
        """Cores used in between (CPU seconds / wall seconds), per kind."""
        wall = self.wall - before.wall
        return {k: round((v - before.by_role.get(k, 0.0)) / wall, 3) for k, v in self.by_role.items()}

    def seconds_since(self, before: Cpu) -> dict[str, float]:
        return {k: round(v - before.by_role.get(k, 0.0), 2) for k, v in self.by_role.items()}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
