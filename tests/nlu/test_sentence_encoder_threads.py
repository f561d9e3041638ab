"""The sentence encoder runs its engine on one thread unless the operator says otherwise
(OMP_NUM_THREADS, read when the engine loads), and the thread count does not change a single
embedded bit. Each setting runs in its own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from bot.paths import PROJECT_ROOT

MESSAGES = PROJECT_ROOT / "bench" / "chat-messages.txt"

_EMBED = """
import json, os, sys
import numpy as np
from bot.nlu.sentence_encoder import SentenceEncoder
texts = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip() and not l.startswith("#")]
vectors = SentenceEncoder().embed_many(texts[::4])  # short and long ones, as one batch
vectors = np.vstack([vectors, SentenceEncoder().embed(texts[-1])])  # and alone
np.save(sys.argv[2], vectors)
print(json.dumps({"omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "tasks": len(os.listdir("/proc/self/task"))}))
"""


def _embed_in_process(out: Path, threads: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if threads is not None:
        env["OMP_NUM_THREADS"] = threads
    done = subprocess.run(
        [sys.executable, "-c", _EMBED, str(MESSAGES), str(out)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_engine_runs_on_one_thread_unless_the_operator_sets_omp_num_threads(tmp_path: Path) -> None:
    default = _embed_in_process(tmp_path / "default.npy", None)
    chosen = _embed_in_process(tmp_path / "two.npy", "2")
    assert default["omp_num_threads"] == "1"
    assert chosen["omp_num_threads"] == "2"
    assert int(str(chosen["tasks"])) > int(str(default["tasks"]))  # the second OpenMP thread exists


def test_one_and_two_threads_embed_exactly_the_same_vectors(tmp_path: Path) -> None:
    _embed_in_process(tmp_path / "one.npy", "1")
    _embed_in_process(tmp_path / "two.npy", "2")
    one, two = np.load(tmp_path / "one.npy"), np.load(tmp_path / "two.npy")
    lines = [line.strip() for line in MESSAGES.read_text("utf-8").splitlines()]
    texts = [line for line in lines if line and not line.startswith("#")]
    assert one.shape == (len(texts[::4]) + 1, 384)
    assert np.array_equal(one, two)
