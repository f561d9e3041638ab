"""Benchmark of the boost.ai adapter (not a test). Results go to docs/boost-benchmark.md.

One visitor's round trip, START → POST (text) → POLL (which brings the visitor's message
and the bot's answer), through ``POST /api/chat/v2``, beside the same through the hub's
own visitor API (``POST /api/conversations``, ``POST …/messages``, ``GET …?after=``),
against one real hub on SQLite with Rasa replaced by bench/hub_bench.py's loopback
stand-in that answers at once: only the hub (and the adapter) is measured.

Each step is one request, timed alone; the total is their sum. Between POST and POLL
both paths wait, untimed and alike (the hub's own poll every 2 ms), until the bot's
answer is stored: a tight timed poll loop would measure how often the polls take the
SQLite write turn from the bot's reply, not the adapter. The two paths alternate, one
round trip each, so drift in the machine's load hits both alike; p50/p95 per path and
per step. The load average is printed at the start and the end.

    .venv/hub/bin/python bench/boost_bench.py --trips 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "handoff"))
sys.path.insert(0, str(BENCH))

from hub_bench import BENCH_ENV, FAKE_RASA, machine, pct  # noqa: E402
from tests.stack import free_port, start_hub, wait_http  # noqa: E402

QUESTION = "hvordan søker jeg dagpenger"
Steps = dict[str, float]


async def boost_trip(client: httpx.AsyncClient) -> Steps:
    t0 = time.perf_counter()
    started = (await client.post("/api/chat/v2", json={"command": "START", "language": "no"})).json()
    key, last = started["conversation"]["id"], started["response"]["id"]
    t1 = time.perf_counter()
    posted = await client.post(
        "/api/chat/v2",
        json={"command": "POST", "conversation_id": key, "type": "text", "value": QUESTION},
    )
    assert posted.status_code == 200, posted.text
    t2 = time.perf_counter()
    while True:
        polled = await client.post(
            "/api/chat/v2", json={"command": "POLL", "conversation_id": key, "value": last}
        )
        if any(r["source"] == "bot" for r in polled.json()["responses"]):
            break
    t3 = time.perf_counter()
    return {"start": t1 - t0, "post": t2 - t1, "poll": t3 - t2, "total": t3 - t0}


async def hub_trip(client: httpx.AsyncClient) -> Steps:
    t0 = time.perf_counter()
    opened = (await client.post("/api/conversations", json={})).json()
    cid, last = opened["id"], opened["messages"][-1]["id"]
    auth = {"Authorization": f"Bearer {opened['secret']}"}
    t1 = time.perf_counter()
    posted = await client.post(f"/api/conversations/{cid}/messages", json={"text": QUESTION}, headers=auth)
    assert posted.status_code == 201, posted.text
    t2 = time.perf_counter()
    while True:
        polled = await client.get(f"/api/conversations/{cid}?after={last}", headers=auth)
        if any(m["sender"] == "bot" for m in polled.json()["messages"]):
            break
    t3 = time.perf_counter()
    return {"start": t1 - t0, "post": t2 - t1, "poll": t3 - t2, "total": t3 - t0}


def stats(trips: list[Steps]) -> dict[str, Any]:
    out: dict[str, Any] = {"trips": len(trips)}
    for step in ("start", "post", "poll", "total"):
        ms = [t[step] * 1000 for t in trips]
        out[step] = {"p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2)}
    return out


async def run(trips: int, warmup: int) -> dict[str, Any]:
    port = free_port()
    # The tests' one stand-in for Rasa (handoff/tests/fake_rasa.py), answering at once.
    fake = subprocess.Popen([sys.executable, str(FAKE_RASA), "--port", str(port), "--reply", "instant"])
    db = f"sqlite:///{tempfile.mkdtemp(prefix='boost-bench-')}/hub.db"
    try:
        wait_http(f"http://127.0.0.1:{port}/status", 10)
        hub = start_hub(database_url=db, rasa_url=f"http://127.0.0.1:{port}", env=BENCH_ENV)
        try:
            paths: dict[str, Callable[[httpx.AsyncClient], Awaitable[Steps]]] = {
                "boost": boost_trip,
                "hub": hub_trip,
            }
            results: dict[str, list[Steps]] = {name: [] for name in paths}
            async with httpx.AsyncClient(base_url=hub.url, timeout=30) as client:
                for i in range(warmup + trips):
                    order = list(paths) if i % 2 == 0 else list(reversed(paths))
                    for name in order:
                        steps = await paths[name](client)
                        if i >= warmup:
                            results[name].append(steps)
        finally:
            hub.stop()
    finally:
        fake.kill()
        fake.wait()
    summary = {name: stats(r) for name, r in results.items()}
    summary["boost_minus_hub_p50_ms"] = {
        step: round(summary["boost"][step]["p50_ms"] - summary["hub"][step]["p50_ms"], 2)
        for step in ("start", "post", "poll", "total")
    }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trips", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}))
    print(json.dumps(asyncio.run(run(args.trips, args.warmup)), indent=1))
    print(json.dumps({"loadavg_at_end": os.getloadavg()}))


if __name__ == "__main__":
    main()
