"""Memory per idle visitor WebSocket on one hub (bench/cluster_bench.py ``--idle``).

One hub process as the cluster runs it (PostgreSQL, LISTEN/NOTIFY between instances),
on a database of its own; Rasa is not needed to hold sockets (a closed port: each new
conversation gets the "bot is not answering" notice at once, instead of minutes of
welcomes from a real Rasa). Opens all the conversations first, reads the hub's RSS,
then connects and authenticates the sockets in steps, reading the RSS after each, and
the hub's CPU over one ``ws_poll_seconds`` (each socket re-reads on that timer).
"""

from __future__ import annotations

import asyncio
import gc
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
from cluster_load import Record, Talk, connect_all, open_conversations
from cluster_measure import PG, transactions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "handoff"))
from tests.stack import start_hub  # noqa: E402

POLL_SECONDS = 15.0  # the hub's default ws_poll_seconds


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


async def idle_sockets(steps: list[int]) -> dict[str, Any]:
    db = f"cluster_bench_idle_{secrets.token_hex(3)}"
    _psql(f'CREATE DATABASE "{db}"')
    hub = start_hub(
        database_url=f"{PG.replace('postgresql:', 'postgresql+asyncpg:')}/{db}",
        rasa_url="http://127.0.0.1:9",
        env={"HUB_CONVERSATIONS_PER_MINUTE": "0", "HUB_LOG_LEVEL": "WARNING",
             "HUB_ALWAYS_OPEN": "true", "HUB_RASA_TIMEOUT_SECONDS": "5"},
        timeout=60,
    )  # fmt: skip
    proc = psutil.Process(hub.proc.pid)
    record = Record()
    talks: list[Talk] = []
    rows: list[dict[str, Any]] = []
    try:
        began = time.monotonic()
        convs = await open_conversations(hub.url, max(steps), record, batch=100)
        opened_in = time.monotonic() - began
        await asyncio.sleep(3)
        base = proc.memory_info().rss
        for n in steps:
            talks += await connect_all(hub.url, convs[len(talks) : n], record)
            gc.collect()
            await asyncio.sleep(5)
            rss = proc.memory_info().rss
            # One poll period with the sockets idle: the hub's CPU and its transactions.
            cpu0, tx0 = proc.cpu_times(), await transactions((db,))
            await asyncio.sleep(POLL_SECONDS)
            cpu1, tx1 = proc.cpu_times(), await transactions((db,))
            busy = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / POLL_SECONDS
            open_now = sum(1 for t in talks if t.reader is not None and not t.reader.done())
            rows.append({
                "sockets": open_now,
                # Refused, or closed by the hub since (its database pool ran dry).
                "lost": n - open_now,
                "rss_mb": round(rss / 2**20, 1),
                "mb_per_socket": round((rss - base) / 2**20 / max(1, open_now), 4),
                "hub_cpu_cores_idle": round(busy, 3),
                "db_tx_per_s_idle": round((tx1.get(db, 0) - tx0.get(db, 0)) / POLL_SECONDS, 1),
                "load": [round(x, 2) for x in psutil.getloadavg()],
            })  # fmt: skip
            print(f"  idle: {rows[-1]}", flush=True)
        last = rows[-1] if rows else None
        return {
            "conversations_opened": len(convs),
            "open_seconds": round(opened_in, 1),
            "rss_before_sockets_mb": round(base / 2**20, 1),
            "steps": rows,
            "projected_mb_at_5000": (round(base / 2**20 + 5000 * last["mb_per_socket"], 0) if last else None),
            "errors": dict(record.errors),
        }
    finally:
        await asyncio.gather(*(t.close() for t in talks), return_exceptions=True)
        hub.stop()
        _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
