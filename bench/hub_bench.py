"""Benchmark of the hub (not a test). Results go to docs/hub-benchmark.md.

1. Reply latency: N concurrent visitors, each sending M messages over the hub's
   WebSocket to a real Rasa, timed from send to the first bot message frame;
   beside the same load sent straight to Rasa's REST channel, in alternating
   rounds. The hub's overhead is the ratio of the p50s (per round, and of the
   medians over the rounds). Each hub round also reports the hub's own mean time
   per message: its reply latency minus the mean of its Rasa calls
   (``hub_bot_latency_seconds``) in the same round.
2. ``--own``: the hub's own time with Rasa replaced by a loopback server that
   answers at once (handoff/tests/fake_rasa.py; 1 visitor, and 10 at full speed).
3. Idle connections: how many authenticated, idle visitor WebSockets one hub
   process holds, and its memory (RSS) while holding them.

Everything runs on 127.0.0.1 and stops by itself. The load average is printed
at the start and the end (and per round on stderr). Usage (from the repo root):

    .venv/hub/bin/python bench/hub_bench.py --visitors 10 --messages 10 --rounds 6 --own --idle 1000
    .venv/hub/bin/python bench/hub_bench.py --skip-latency --idle 2000   # no Rasa needed

Needs a trained model for part 1 (``make test-model`` or HUB_TEST_MODEL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
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
FAKE_RASA = REPO / "handoff" / "tests" / "fake_rasa.py"

from tests.stack import free_port, model_path, start_hub, start_rasa_stack, wait_http  # noqa: E402

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
    # The load opens thousands of conversations from one address.
    "HUB_CONVERSATIONS_PER_MINUTE": "0",
    "HUB_RASA_TIMEOUT_SECONDS": "60",
    "HUB_LOG_LEVEL": "WARNING",
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def open_conversations(base: str, count: int) -> list[dict[str, Any]]:
    """Open conversations (each gets the bot's welcome from Rasa) before the timing."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answers = await asyncio.gather(*(client.post("/api/conversations", json={}) for _ in range(count)))
    return [r.json() for r in answers]


async def hub_visitor(
    base: str, conv: dict[str, Any], messages: int, lat: list[float], failed: list[int] | None = None
) -> None:
    ws_url = base.replace("http", "ws") + f"/api/conversations/{conv['id']}/ws"
    async with websockets.connect(ws_url, max_size=2**20) as ws:
        last = conv["messages"][-1]["id"] if conv["messages"] else 0
        await ws.send(json.dumps({"type": "auth", "secret": conv["secret"], "last_seen_id": last}))
        for i in range(messages):
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": QUESTIONS[i % len(QUESTIONS)]}))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame["type"] == "message" and frame["data"]["sender"] in (
                    "bot",
                    "system",
                ):
                    lat.append(time.perf_counter() - started)
                    if frame["data"]["sender"] == "system" and failed is not None:
                        failed.append(1)  # "the bot is not answering": not a real reply
                    break
            # drain further replies of the same turn (several bot messages)
            await asyncio.sleep(0)


async def start_senders(rasa: str, senders: list[str]) -> None:
    """Each sender's ``/start`` (the welcome) before the timing, as for the hub."""
    async with httpx.AsyncClient(base_url=rasa, timeout=60) as client:
        await asyncio.gather(
            *(client.post("/webhooks/rest/webhook", json={"sender": s, "message": "/start"}) for s in senders)
        )


async def rasa_visitor(rasa: str, sender: str, messages: int, lat: list[float]) -> None:
    async with httpx.AsyncClient(base_url=rasa, timeout=60) as client:
        for i in range(messages):
            started = time.perf_counter()
            r = await client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": QUESTIONS[i % len(QUESTIONS)]},
            )
            r.raise_for_status()
            lat.append(time.perf_counter() - started)


async def rasa_time_inside_hub(base: str) -> tuple[float, float]:
    """(total seconds, calls) of the hub's Rasa calls (``hub_bot_latency_seconds``).

    The hub's own time per message is its reply latency minus the Rasa call it
    made, both in the same round: less exposed to the machine's noise than the
    comparison with a separate straight-to-Rasa round. (The calls include each
    visitor's ``/start`` at open, which is not in the timed replies.)
    """
    async with httpx.AsyncClient() as client:
        text = (await client.get(base + "/metrics")).text
    values = {}
    for line in text.splitlines():
        for name in ("hub_bot_latency_seconds_sum", "hub_bot_latency_seconds_count"):
            if line.startswith(name + " "):
                values[name] = float(line.split()[-1])
    return values.get("hub_bot_latency_seconds_sum", 0.0), values.get("hub_bot_latency_seconds_count", 0.0)


async def run_load(
    label: str, coros: list[Any], lat: list[float], failed: list[int] | None = None
) -> dict[str, Any]:
    started = time.perf_counter()
    await asyncio.gather(*coros)
    elapsed = time.perf_counter() - started
    return {
        "label": label,
        "replies": len(lat),
        "bot_not_answering": len(failed or []),
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": pct(lat, 99) * 1000,
        "per_second": len(lat) / elapsed,
    }


async def latency(visitors: int, messages: int, rounds: int) -> list[dict[str, Any]]:
    model = model_path()
    if model is None:
        raise SystemExit("no trained model: run `make test-model` or set HUB_TEST_MODEL")
    db = f"sqlite:///{tempfile.mkdtemp(prefix='hub-bench-')}/hub.db"
    hub_port = free_port()
    stack = start_rasa_stack(model, hub_url=f"http://127.0.0.1:{hub_port}", bot_secret="bench")
    hub = start_hub(port=hub_port, database_url=db, rasa_url=stack.rasa_url,
                    bot_secret="bench", env=BENCH_ENV)  # fmt: skip
    results = []
    try:
        # warm-up: Rasa's first predictions are slow
        await run_load("warm-up", [rasa_visitor(stack.rasa_url, "warm", 3, [])], [0.0])
        (warm,) = await open_conversations(hub.url, 1)
        await run_load("warm-up", [hub_visitor(hub.url, warm, 3, [])], [0.0])
        for r in range(rounds):  # alternate so both see the same machine state
            lat_rasa: list[float] = []
            senders = [f"direct-{r}-{i}" for i in range(visitors)]
            await start_senders(stack.rasa_url, senders)
            results.append(await run_load(
                "straight to Rasa REST",
                [rasa_visitor(stack.rasa_url, sender, messages, lat_rasa) for sender in senders],
                lat_rasa,
            ))  # fmt: skip
            lat_hub: list[float] = []
            failed: list[int] = []
            convs = await open_conversations(hub.url, visitors)
            before = await rasa_time_inside_hub(hub.url)
            results.append(await run_load(
                "through the hub (WebSocket)",
                [hub_visitor(hub.url, c, messages, lat_hub, failed) for c in convs],
                lat_hub,
                failed,
            ))  # fmt: skip
            after = await rasa_time_inside_hub(hub.url)
            calls = after[1] - before[1]
            rasa_mean = (after[0] - before[0]) / calls if calls else float("nan")
            hub_mean = statistics.mean(lat_hub)
            results[-1] |= {
                "hub_mean_ms": hub_mean * 1000,
                "rasa_mean_inside_hub_ms": rasa_mean * 1000,
                "hub_own_mean_ms": (hub_mean - rasa_mean) * 1000,
            }
            print(json.dumps({"round": r + 1, **results[-2], "loadavg": os.getloadavg()}),
                  file=sys.stderr, flush=True)  # fmt: skip
            print(json.dumps({"round": r + 1, **results[-1], "loadavg": os.getloadavg()}),
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        hub.stop()
        stack.stop()
    return results


async def own_latency(rounds: int) -> list[dict[str, Any]]:
    """The hub's own time per message: Rasa replaced by a loopback server that
    answers at once (in its own process), so the latency is the hub's (plus the
    client's and a ~1-2 ms HTTP round trip)."""
    port = free_port()
    # The tests' stand-in for Rasa (handoff/tests/fake_rasa.py), in a process of its own.
    fake = subprocess.Popen([sys.executable, str(FAKE_RASA), "--port", str(port), "--reply", "instant"])
    db = f"sqlite:///{tempfile.mkdtemp(prefix='hub-bench-')}/hub.db"
    results = []
    try:
        wait_http(f"http://127.0.0.1:{port}/status", 10)
        hub = start_hub(database_url=db, rasa_url=f"http://127.0.0.1:{port}", env=BENCH_ENV)
        try:
            (warm,) = await open_conversations(hub.url, 1)
            await run_load("warm-up", [hub_visitor(hub.url, warm, 5, [])], [0.0])
            for r in range(rounds):
                for visitors, messages in ((1, 30), (10, 20)):
                    convs = await open_conversations(hub.url, visitors)
                    lat: list[float] = []
                    row = await run_load(
                        f"hub, instant Rasa, {visitors} visitor(s) at full speed",
                        [hub_visitor(hub.url, c, messages, lat) for c in convs],
                        lat,
                    )
                    results.append({"round": r + 1, **row})
        finally:
            hub.stop()
    finally:
        fake.kill()
        fake.wait()
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
                    hub.url.replace("http", "ws") + f"/api/conversations/{conv['id']}/ws"
                )
                await ws.send(json.dumps({"type": "auth", "secret": conv["secret"],
                                          "last_seen_id": 0}))  # fmt: skip
                while json.loads(await ws.recv())["type"] != "state":
                    pass
                return ws

            sockets += await asyncio.gather(*(connect(c) for c in convs[start : start + 50]))
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


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over the rounds of each path's p50, and the overhead per round."""
    direct = [r["p50_ms"] for r in results if r["label"].startswith("straight")]
    hub = [r["p50_ms"] for r in results if r["label"].startswith("through")]
    per_round = [h / d - 1 for d, h in zip(direct, hub, strict=True)]
    return {
        "rounds": len(direct),
        "median_p50_direct_ms": statistics.median(direct),
        "median_p50_hub_ms": statistics.median(hub),
        "overhead_of_medians": statistics.median(hub) / statistics.median(direct) - 1,
        "median_overhead_per_round": statistics.median(per_round),
        "overhead_per_round": per_round,
    }


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
        "loadavg": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--own", action="store_true", help="also the hub's own time (instant Rasa)")
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}))
    if not args.skip_latency:
        results = asyncio.run(latency(args.visitors, args.messages, args.rounds))
        for row in results:
            print(json.dumps(row, ensure_ascii=False))
        print(json.dumps({"summary": summary(results)}))
    if args.own:
        for row in asyncio.run(own_latency(args.rounds)):
            print(json.dumps(row, ensure_ascii=False))
    if args.idle:
        print(json.dumps({"idle": asyncio.run(idle(args.idle))}))
    print(json.dumps({"loadavg_at_end": os.getloadavg()}))


if __name__ == "__main__":
    main()
