"""Benchmark of the cluster (not a test): N concurrent visitors through nginx to 2 hubs +
2 Rasa instances, beside 1 hub + 1 Rasa, both started by scripts/run_cluster.sh (the
`make run-cluster` script) with the test model, on PostgreSQL and Redis. Results go to
docs/scaling.md.

Each visitor opens a conversation, connects its WebSocket through nginx and sends M
questions, one at a time, each timed from the send to the bot's first message frame
(a frame from the hub saying the bot is not answering counts as an error, as does no
answer within 60 s). Printed per layout: p50 and p99 reply latency, errors, and bot
replies per second over the whole run; with the date, the machine and its load.

    .venv/hub/bin/python bench/cluster_bench.py --visitors 100 --messages 3

Uses its own databases (cluster_bench_*, dropped after) and Redis key prefix.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "handoff"))

from tests.stack import free_port_range, model_path  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432"
# Our own everyday questions (not from any evaluation set).
QUESTIONS = [
    "hvordan søker jeg dagpenger",
    "når kommer pengene mine",
    "jeg er syk, hva gjør jeg",
    "hva er foreldrepenger",
    "takk for hjelpen",
]
UNAVAILABLE = "Chatboten svarer ikke akkurat nå"
READY_LINE = "is running as a cluster"


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


class Cluster:
    """scripts/run_cluster.sh with `hubs` hubs and `rasa` Rasa instances."""

    def __init__(self, hubs: int, rasa: int, model: Path) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
        models = self.tmp / "models"
        models.mkdir()
        (models / "nav.tar.gz").write_bytes(model.read_bytes())
        tag = secrets.token_hex(3)
        self.dbs = (f"cluster_bench_hub_{tag}", f"cluster_bench_rasa_{tag}")
        self.prefix = f"clusterbench{tag}"
        base = free_port_range(50)
        self.url = f"http://127.0.0.1:{base + 49}"
        self.env = {
            **os.environ,
            "PORT": str(base + 49),
            "CLUSTER_PORT_BASE": str(base),
            "CLUSTER_DIR": str(self.tmp / "run"),
            "CLUSTER_MODELS": str(models),
            "CLUSTER_CONFIG": str(model.parent / "config.yml"),
            "CLUSTER_DB": self.dbs[0],
            "CLUSTER_RASA_DB": self.dbs[1],
            "CLUSTER_HUBS": str(hubs),
            "CLUSTER_RASA": str(rasa),
            "RASA_LOCK_PREFIX": self.prefix,
            # One address sends every visitor here: no per-address limits for the bench.
            "HUB_CONVERSATIONS_PER_MINUTE": "0",
            "HUB_MESSAGES_PER_MINUTE": "100000",
        }
        self.log = self.tmp / "run_cluster.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Cluster:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                ["bash", str(REPO / "scripts" / "run_cluster.sh")],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 900
        while READY_LINE not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(self.log.read_text(errors="replace")[-2000:])
            time.sleep(1)
        return self

    def __exit__(self, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for db in self.dbs:
            _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        keys = subprocess.run(["redis-cli", "--scan", "--pattern", f"{self.prefix}:*"],
                              capture_output=True, text=True).stdout.split()  # fmt: skip
        if keys:
            subprocess.run(["redis-cli", "DEL", *keys], capture_output=True)


async def _visitor(base: str, messages: int, start: asyncio.Event, out: dict[str, list[Any]]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        try:
            opened = await client.post("/api/conversations", json={"page": "/dagpenger"})
            opened.raise_for_status()
        except httpx.HTTPError as exc:
            out["errors"].append(f"open: {type(exc).__name__}")
            return
    body = opened.json()
    ws_url = base.replace("http", "ws") + f"/api/conversations/{body['id']}/ws"
    try:
        async with websockets.connect(ws_url, open_timeout=60) as ws:
            last = body["messages"][-1]["id"] if body["messages"] else 0
            await ws.send(json.dumps({"type": "auth", "secret": body["secret"], "last_seen_id": last}))
            await start.wait()
            for _ in range(messages):
                text = random.choice(QUESTIONS)
                sent = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "text": text}))
                try:
                    kind = await asyncio.wait_for(_first_answer(ws), 60)
                except TimeoutError:
                    out["errors"].append("no answer in 60 s")
                    continue
                if kind == "bot":
                    out["latencies"].append(time.perf_counter() - sent)
                else:
                    out["errors"].append(kind)
    except (OSError, websockets.WebSocketException) as exc:
        out["errors"].append(f"websocket: {type(exc).__name__}")


async def _first_answer(ws: Any) -> str:
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] != "message":
            continue
        sender, text = frame["data"]["sender"], frame["data"]["text"]
        if sender == "bot":
            return "bot"
        if sender == "system" and UNAVAILABLE in text:
            return "bot not answering"


async def _run(base: str, visitors: int, messages: int) -> dict[str, Any]:
    out: dict[str, list[Any]] = {"latencies": [], "errors": []}
    start = asyncio.Event()
    tasks = [asyncio.create_task(_visitor(base, messages, start, out)) for _ in range(visitors)]
    await asyncio.sleep(5)  # every visitor connected (or failed to)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    took = time.perf_counter() - began
    lat = sorted(out["latencies"])

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else float("nan")

    return {
        "replies": len(lat),
        "errors": len(out["errors"]),
        "error_kinds": sorted(set(out["errors"])),
        "p50_s": round(statistics.median(lat), 2) if lat else float("nan"),
        "p99_s": pct(0.99),
        "replies_per_s": round(len(lat) / took, 2),
        "seconds": round(took, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--layouts", default="1x1,2x2", help="hubs x Rasa instances, comma-separated")
    args = parser.parse_args()
    model = model_path()
    if model is None:
        print("no test model: make test-model", file=sys.stderr)
        return 2
    print(f"date: {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"load at start: {os.getloadavg()}")
    for layout in args.layouts.split(","):
        hubs, rasa = (int(n) for n in layout.split("x"))
        with Cluster(hubs, rasa, model) as cluster:
            print(f"{hubs} hub(s) + {rasa} Rasa, load before: {tuple(round(x, 2) for x in os.getloadavg())}")
            result = asyncio.run(_run(cluster.url, args.visitors, args.messages))
            print(f"  {json.dumps(result)}  load after: {tuple(round(x, 2) for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
