"""Benchmark of the cluster (not a test): visitors through nginx to 2 hubs + 2 Rasa
instances, beside 1 hub + 1 Rasa, both started by scripts/run_cluster.sh (the
`make run-cluster` script) with the test model, on PostgreSQL and Redis, one layout after
the other in the same run. Results go to docs/scaling.md. The content service (editors'
publishing) is stopped once the cluster is up (``--keep-content`` leaves it): it serves
no visitor, and at start it measures the model for the publish gate, a core for minutes.

For each layout and each number of visitors (each visitor: a conversation opened through
nginx and its WebSocket):

1. Typist's pace (open loop): every visitor sends a question every ``--interval`` s
   (10) from a random phase for ``--typist-seconds``, not waiting for answers.
2. Saturation (closed loop): every visitor sends the next question as soon as the first
   frame of the answer to the last one is there, for ``--saturation-seconds``.

Per phase: p50/p99 reply latency (from ``ws.send`` to the first frame of the bot's answer
to that message, matched by the hub's ``reply_to``: bench/cluster_load.py), messages per
second answered, errors by kind, PostgreSQL transactions per message in the hubs' and
Rasa's databases (``pg_stat_database``), the cores each kind of process used (and this
client), and the load average before and after. ``--idle 1000,2000,5000``: memory per
idle visitor WebSocket on one hub (bench/cluster_idle.py).

    .venv/hub/bin/python bench/cluster_bench.py --visitors 100,300 --idle 1000,2000,5000 \\
        --json docs/results/cluster-bench.json

Uses its own databases (cluster_bench_*, dropped after) and Redis key prefix. Raises its
open-files limit (and so the servers' it starts) to the hard limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from cluster_idle import idle_sockets
from cluster_load import Record, Talk, connect_all, match, open_conversations, percentile, saturate, typist
from cluster_measure import (
    PG,
    STATS_FLUSH_SECONDS,
    Cpu,
    HubDb,
    hub_units,
    load,
    rss_mb,
    storage,
    transactions,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "handoff"))

from tests.stack import free_port_range, model_path  # noqa: E402

READY_LINE = "is running as a cluster"
RASA_TIMEOUT = 30.0  # scripts/run_cluster.sh's HUB_RASA_TIMEOUT_SECONDS


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
        self.pids = self.tmp / "run" / "pids"
        base = free_port_range(50)
        self.hubs = [f"http://127.0.0.1:{base + 10 + i}" for i in range(hubs)]
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
            "HUB_RASA_TIMEOUT_SECONDS": str(RASA_TIMEOUT),
            # One address sends every visitor here, faster than a person in the
            # saturation phase: no per-address or per-conversation limits for the bench.
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

    def stop_content(self) -> None:
        """Stop the content service (editors' FAQ editing and publishing): it serves no
        visitor, and at start it measures the published model for the publish gate, a
        core for minutes on this machine."""
        pid_file = self.pids / "content.pid"
        if not pid_file.exists():
            return
        try:
            root = psutil.Process(int(pid_file.read_text()))
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        psutil.wait_procs(procs, timeout=20)
        pid_file.unlink(missing_ok=True)

    def __exit__(self, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.tmp / "models", ignore_errors=True)  # the logs stay, for a look
        for db in self.dbs:
            _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        keys = subprocess.run(["redis-cli", "--scan", "--pattern", f"{self.prefix}:*"],
                              capture_output=True, text=True).stdout.split()  # fmt: skip
        if keys:
            subprocess.run(["redis-cli", "DEL", *keys], capture_output=True)


async def _phase(
    kind: str, talks: list[Talk], seconds: float, interval: float, cluster: Cluster
) -> dict[str, Any]:
    """One phase on connected visitors: send, wait for every answer, then read the counts."""
    record = Record()
    for t in talks:
        t.record = record
        t.unechoed.clear()  # an earlier phase's sends are its own
    hub_db = HubDb(cluster.dbs[0])
    await asyncio.sleep(STATS_FLUSH_SECONDS)  # the earlier work's counts are flushed
    tx0, units0 = await transactions(cluster.dbs), await hub_units(cluster.hubs)
    cpu0, load0 = Cpu.now(cluster.pids), load()
    began = time.perf_counter()
    if kind == "typist":
        sending = await typist(talks, seconds, interval)
    else:
        sending = await saturate(talks, seconds, timeout=2 * RASA_TIMEOUT + 15)
    drained = await hub_db.drain(timeout=2 * RASA_TIMEOUT + 30)
    cpu1, load1 = Cpu.now(cluster.pids), load()
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    tx1, units1 = await transactions(cluster.dbs), await hub_units(cluster.hubs)
    own_queries = hub_db.queries
    ids = [s.message_id for s in record.sends if s.message_id is not None]
    m = match(record, await hub_db.first_replies(ids))
    sent = len(record.sends)
    lat_ms = [x * 1000 for x in m.latencies]
    in_window = sum(1 for at in m.answered_at if at <= began + seconds)
    hub_tx = tx1.get(cluster.dbs[0], 0) - tx0.get(cluster.dbs[0], 0) - own_queries
    rasa_tx = tx1.get(cluster.dbs[1], 0) - tx0.get(cluster.dbs[1], 0)
    cpu_s = cpu1.seconds_since(cpu0)
    answered = len(lat_ms)
    return {
        "phase": kind,
        "visitors": len(talks),
        "send_seconds": round(sending, 1),
        "drain_seconds": round(drained, 1),
        "sent": sent,
        "answered": answered,
        "offered_per_s": round(sent / seconds, 2),
        "answered_per_s_in_window": round(in_window / seconds, 2),
        "p50_ms": round(statistics.median(lat_ms)) if lat_ms else None,
        "p99_ms": round(percentile(lat_ms, 99)) if lat_ms else None,
        "max_ms": round(max(lat_ms)) if lat_ms else None,
        "errors": sum(m.errors.values()) - m.errors.get("of which the hub said the bot is not answering", 0),
        "error_kinds": dict(m.errors),
        "hub_db_tx_per_message": round(hub_tx / sent, 2) if sent else None,
        "rasa_db_tx_per_message": round(rasa_tx / sent, 2) if sent else None,
        # The hubs' units of work among them (the rest: pg_notify, advisory locks).
        "hub_units_per_message": {k: round((v - units0.get(k, 0.0)) / sent, 2) for k, v in units1.items()}
        if sent
        else None,
        "cores_used": cpu1.since(cpu0),
        "cpu_ms_per_answered_message": {
            k: round(v * 1000 / answered, 1) for k, v in cpu_s.items() if answered
        },
        "load_before": load0,
        "load_after": load1,
    }


async def _settle(cluster: Cluster, quiet: float = 0.15, limit: float = 120) -> float:
    """Wait until the cluster's processes together use less than ``quiet`` cores over
    5 s (after the start, the content service and Rasa go on loading for a while);
    returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        before = Cpu.now(cluster.pids)
        await asyncio.sleep(5)
        used = Cpu.now(cluster.pids).since(before)
        ours = sum(v for k, v in used.items() if k not in ("postgres", "redis-server", "client", "machine"))
        if ours < quiet:
            break
    return time.monotonic() - began


async def _layout(cluster: Cluster, args: argparse.Namespace) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    print(f"  settled in {await _settle(cluster):.0f} s, load {load()}", flush=True)
    empty = await storage(*cluster.dbs)
    for visitors in args.visitors:
        opening = Record()
        began = time.monotonic()
        convs = await open_conversations(cluster.url, visitors, opening)
        opened_in = time.monotonic() - began
        talks = await connect_all(cluster.url, convs, opening)
        print(f"  {visitors} visitors: {len(convs)} opened in {opened_in:.0f} s, {len(talks)} sockets,"
              f" errors {dict(opening.errors)}", flush=True)  # fmt: skip
        try:
            if not rows and args.warmup_seconds > 0:
                # Rasa's first answers after it loads are slow: a few, not counted.
                warm = talks[:10]
                for t in warm:
                    t.record = Record()
                await saturate(warm, args.warmup_seconds, timeout=2 * RASA_TIMEOUT + 15)
                await HubDb(cluster.dbs[0]).drain(timeout=2 * RASA_TIMEOUT + 30)
            for kind, seconds in (("typist", args.typist_seconds), ("saturation", args.saturation_seconds)):
                if seconds <= 0:
                    continue
                row = await _phase(kind, talks, seconds, args.interval, cluster)
                row["open_errors"] = dict(opening.errors)
                rows.append(row)
                print("  " + json.dumps(row, ensure_ascii=False), flush=True)
        finally:
            await asyncio.gather(*(t.close() for t in talks), return_exceptions=True)
    full = await storage(*cluster.dbs)
    grown = {k: full[k] - empty[k] for k in full}
    print(f"  storage: empty {empty}, after {full}", flush=True)
    return {
        "phases": rows,
        "rss_mb_after": rss_mb(cluster.pids),
        "storage_empty": empty,
        "storage_after": full,
        "hub_bytes_per_message": round(grown["hub_db_bytes"] / max(1, grown["messages"])),
        "rasa_bytes_per_event": round(grown["rasa_db_bytes"] / max(1, grown["events"])),
        "rasa_events_per_hub_message": round(grown["events"] / max(1, grown["messages"]), 2),
    }


def _machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")  # fmt: skip
    return {
        "node": platform.node(),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _ints(raw: str) -> list[int]:
    return [int(n) for n in raw.split(",") if n.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--visitors", type=_ints, default=[100, 300], help="comma-separated")
    parser.add_argument("--layouts", default="1x1,2x2", help="hubs x Rasa instances, comma-separated")
    parser.add_argument("--interval", type=float, default=10.0, help="typist: seconds between messages")
    parser.add_argument("--typist-seconds", type=float, default=60.0)
    parser.add_argument("--saturation-seconds", type=float, default=30.0)
    parser.add_argument(
        "--warmup-seconds", type=float, default=10.0, help="per layout, 10 visitors, not counted"
    )
    parser.add_argument("--keep-content", action="store_true", help="leave the content service running")
    parser.add_argument("--idle", type=_ints, default=[], help="idle sockets on one hub, in steps")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    model = model_path()
    if model is None:
        print("no test model: make test-model", file=sys.stderr)
        return 2
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    result: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "open_files_limit": hard,
        "load_at_start": load(),
        "settings": {k: v for k, v in vars(args).items() if k != "json"},
        "layouts": {},
    }
    result["settings"]["rasa_timeout_s"] = RASA_TIMEOUT
    print(json.dumps({k: result[k] for k in ("date", "machine", "load_at_start")}), flush=True)
    for layout in [x for x in args.layouts.split(",") if x]:
        hubs, rasa = (int(n) for n in layout.split("x"))
        began = time.monotonic()
        with Cluster(hubs, rasa, model) as cluster:
            if not args.keep_content:
                cluster.stop_content()
            print(
                f"{hubs} hub(s) + {rasa} Rasa: up in {time.monotonic() - began:.0f} s, load {load()}",
                flush=True,
            )
            result["layouts"][layout] = asyncio.run(_layout(cluster, args))
    if args.idle:
        print(f"idle sockets on one hub: {args.idle}", flush=True)
        result["idle"] = asyncio.run(idle_sockets(args.idle))
    result["load_at_end"] = load()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({"load_at_end": result["load_at_end"]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
