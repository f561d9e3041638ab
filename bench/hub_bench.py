"""Benchmark of the hub (not a test). Results go to docs/hub-benchmark.md.

1. Reply latency: N concurrent visitors, each sending M messages over the hub's
   WebSocket to a real Rasa, timed from send to the first bot message frame;
   beside the same load sent straight to Rasa's REST channel. The hub's overhead
   is the ratio of the two p50s.
2. Idle connections: how many authenticated, idle visitor WebSockets one hub
   process holds, and its memory (RSS) while holding them.

Everything runs on 127.0.0.1 and stops by itself. Usage (from the repo root):

    .venv/hub/bin/python bench/hub_bench.py --visitors 20 --messages 10 --idle 1000
    .venv/hub/bin/python bench/hub_bench.py --skip-latency --idle 1000   # no Rasa needed

Needs a trained model for part 1 (``make test-model`` or HUB_TEST_MODEL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "handoff"))

from tests.stack import free_port, model_path, start_hub, start_rasa_stack  # noqa: E402

# Our own everyday questions (not from any evaluation set).
QUESTIONS = [
    "hei",
    "hvordan søker jeg dagpenger",
    "når kommer pengene mine",
    "jeg er syk, hva gjør jeg",
    "hva er foreldrepenger",
    "takk for hjelpen",
]
BENCH_ENV = {
    "HUB_ALWAYS_OPEN": "true",
    "HUB_MESSAGES_PER_MINUTE": "100000",
    "HUB_RASA_TIMEOUT_SECONDS": "60",
    "HUB_LOG_LEVEL": "WARNING",
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def hub_visitor(base: str, messages: int, lat: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        r = await client.post("/api/conversations", json={})
        conv = r.json()
    ws_url = base.replace("http", "ws") + f"/api/conversations/{conv['id']}/ws"
    async with websockets.connect(ws_url, max_size=2**20) as ws:
        last = conv["messages"][-1]["id"] if conv["messages"] else 0
        await ws.send(
            json.dumps({"type": "auth", "secret": conv["secret"], "last_seen_id": last})
        )
        for i in range(messages):
            started = time.perf_counter()
            await ws.send(
                json.dumps({"type": "message", "text": QUESTIONS[i % len(QUESTIONS)]})
            )
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame["type"] == "message" and frame["data"]["sender"] in (
                    "bot",
                    "system",
                ):
                    lat.append(time.perf_counter() - started)
                    break
            # drain further replies of the same turn (several bot messages)
            await asyncio.sleep(0)


async def rasa_visitor(rasa: str, sender: str, messages: int, lat: list[float]) -> None:
    async with httpx.AsyncClient(base_url=rasa, timeout=60) as client:
        await client.post(
            "/webhooks/rest/webhook", json={"sender": sender, "message": "/start"}
        )
        for i in range(messages):
            started = time.perf_counter()
            r = await client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": QUESTIONS[i % len(QUESTIONS)]},
            )
            r.raise_for_status()
            lat.append(time.perf_counter() - started)


async def run_load(label: str, coros: list[Any], lat: list[float]) -> dict[str, Any]:
    started = time.perf_counter()
    await asyncio.gather(*coros)
    elapsed = time.perf_counter() - started
    return {
        "label": label,
        "replies": len(lat),
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": pct(lat, 99) * 1000,
        "per_second": len(lat) / elapsed,
    }


async def latency(visitors: int, messages: int, rounds: int) -> list[dict[str, Any]]:
    model = model_path()
    if model is None:
        raise SystemExit(
            "no trained model: run `make test-model` or set HUB_TEST_MODEL"
        )
    db = f"sqlite:///{tempfile.mkdtemp(prefix='hub-bench-')}/hub.db"
    hub_port = free_port()
    stack = start_rasa_stack(
        model, hub_url=f"http://127.0.0.1:{hub_port}", bot_secret="bench"
    )
    hub = start_hub(port=hub_port, database_url=db, rasa_url=stack.rasa_url,
                    bot_secret="bench", env=BENCH_ENV)  # fmt: skip
    results = []
    try:
        # warm-up: Rasa's first predictions are slow
        await run_load("warm-up", [rasa_visitor(stack.rasa_url, "warm", 3, [])], [0.0])
        for r in range(rounds):  # alternate so both see the same machine state
            lat_rasa: list[float] = []
            results.append(await run_load(
                "straight to Rasa REST",
                [rasa_visitor(stack.rasa_url, f"direct-{r}-{i}", messages, lat_rasa)
                 for i in range(visitors)],
                lat_rasa,
            ))  # fmt: skip
            lat_hub: list[float] = []
            results.append(await run_load(
                "through the hub (WebSocket)",
                [hub_visitor(hub.url, messages, lat_hub) for _ in range(visitors)],
                lat_hub,
            ))  # fmt: skip
    finally:
        hub.stop()
        stack.stop()
    return results


async def idle(count: int) -> dict[str, Any]:
    db = f"sqlite:///{tempfile.mkdtemp(prefix='hub-bench-')}/hub.db"
    # Rasa is not needed to hold idle connections: a closed port answers "down" at once.
    hub = start_hub(database_url=db, rasa_url="http://127.0.0.1:9", env=BENCH_ENV)
    proc = psutil.Process(hub.proc.pid)
    sockets: list[Any] = []
    try:
        base_rss = proc.memory_info().rss
        async with httpx.AsyncClient(base_url=hub.url, timeout=60) as client:
            convs = []
            for start in range(0, count, 50):
                batch = await asyncio.gather(
                    *(client.post("/api/conversations", json={})
                      for _ in range(min(50, count - start)))
                )  # fmt: skip
                convs += [r.json() for r in batch]
        for start in range(0, count, 50):

            async def connect(conv: dict[str, Any]) -> Any:
                ws = await websockets.connect(
                    hub.url.replace("http", "ws")
                    + f"/api/conversations/{conv['id']}/ws"
                )
                await ws.send(json.dumps({"type": "auth", "secret": conv["secret"],
                                          "last_seen_id": 0}))  # fmt: skip
                while json.loads(await ws.recv())["type"] != "state":
                    pass
                return ws

            sockets += await asyncio.gather(
                *(connect(c) for c in convs[start : start + 50])
            )
        await asyncio.sleep(5)
        held_rss = proc.memory_info().rss
        alive = sum(1 for ws in sockets if ws.state.name == "OPEN")
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(hub.url + "/metrics")).text
        gauge = next(
            (line for line in metrics.splitlines()
             if line.startswith('hub_websocket_connections{kind="visitor"}')), ""
        )  # fmt: skip
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        hub.stop()
    return {
        "connections": alive,
        "server_gauge": gauge.split()[-1] if gauge else "?",
        "rss_before_mb": base_rss / 2**20,
        "rss_held_mb": held_rss / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    if not args.skip_latency:
        for row in asyncio.run(latency(args.visitors, args.messages, args.rounds)):
            print(json.dumps(row, ensure_ascii=False))
    if args.idle:
        print(json.dumps({"idle": asyncio.run(idle(args.idle))}))


if __name__ == "__main__":
    main()
