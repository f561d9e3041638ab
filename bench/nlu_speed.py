"""NLU speed: in-process parse latency and full training time (a measurement, not a test).

    .venv/bot/bin/python bench/nlu_speed.py [--model models/nav.tar.gz] [--train]
        [--out docs/results/nlu-speed.json]

Parse: every dev-set text parsed in-process by the trained model (Agent.parse_message),
after a warm-up, three rounds; median and p95 per message. Train (with --train):
`rasa train --force` of config.yml into a scratch folder, wall clock; then `rasa train`
with nothing changed (twice, the second timed: the first fills Rasa's training cache,
which the forced run leaves alone), what `make run` costs when the model is current.
Targets (issue 14): parse ≤ 15 ms at the median; full training ≤ 4 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.evaluation.scoring import load_cases  # noqa: E402
from bot.paths import PROJECT_ROOT, RASA  # noqa: E402
from bot.runtime.processes import quiet_rasa_logs  # noqa: E402


def cpu_description() -> str:
    """The CPU's model name and its widest vector instructions: the same code trains and
    parses at very different speeds on an AVX2-only and an AVX-512 (VNNI) machine."""
    try:
        info = Path("/proc/cpuinfo").read_text("utf-8")
    except OSError:
        return platform.processor() or "unknown"
    name = next(
        (line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), ""
    )
    flags = set(
        next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    )
    vector = (
        "AVX-512 with VNNI"
        if "avx512_vnni" in flags
        else "AVX-512"
        if "avx512f" in flags
        else "AVX2"
        if "avx2" in flags
        else "no AVX2"
    )
    return f"{name}, {vector}"


async def parse_latencies(model: Path, texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds (every thread of the process) of each parse."""
    from rasa.core.agent import Agent

    from bot.nlu.sentence_encoder import SentenceEncoder

    # Every parse embeds its text anew, as a visitor's new message does: without this the
    # encoder's cache answered every round after the first (the 10.2 ms median of
    # 2026-12-05 was mostly such cached parses).
    SentenceEncoder._remember = lambda self, text, vector: None  # type: ignore[method-assign]
    agent = Agent.load(str(model))
    for text in texts[:20]:
        await agent.parse_message(text)  # warm-up: TensorFlow traces its graph on first calls
    latencies, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return latencies, cpu


def _timed_train(*args: str, cache: bool = True) -> float:
    """Wall clock of one `rasa train` of config.yml into a scratch folder."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    if not cache:
        env["RASA_MAX_CACHE_SIZE"] = "0"
    out = PROJECT_ROOT / ".cache" / "speed"
    started = time.monotonic()
    subprocess.run(
        [RASA, "train", *args, "--out", str(out)], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
    )
    return time.monotonic() - started


def train_seconds() -> float:
    return _timed_train("--force", "--fixed-model-name", "speed", cache=False)


def unchanged_retrain_seconds() -> float:
    _timed_train("--fixed-model-name", "speed-unchanged")  # fills the cache the forced run left alone
    return _timed_train("--fixed-model-name", "speed-unchanged")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "nav.tar.gz")
    parser.add_argument("--cases", default=str(PROJECT_ROOT.parent / "shared" / "eval" / "dev.yml"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--train", action="store_true", help="also time a full training")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "nlu-speed.json")
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    texts = [c.text for c in load_cases(args.cases)]
    result: dict[str, object] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
        "cpu": cpu_description(),
        "load_average_before": load_average(),
    }
    if args.train:
        result["train_seconds"] = round(train_seconds(), 1)
        result["load_average_after_training"] = load_average()
        result["retrain_unchanged_seconds"] = round(unchanged_retrain_seconds(), 1)
    latencies, cpu = asyncio.run(parse_latencies(args.model, texts, args.rounds))
    quantiles = statistics.quantiles(latencies, n=100)
    result |= {
        "parses": len(latencies),
        "parse_ms_median": round(statistics.median(latencies), 2),
        "parse_ms_p95": round(quantiles[94], 2),
        # CPU time says less about a busy machine's queueing than wall time does.
        "parse_cpu_ms_median": round(statistics.median(cpu), 2),
        "load_average_after": load_average(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), "utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
