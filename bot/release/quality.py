"""Measuring a trained model on an evaluation set, and the gate's verdict before it is published.

The measurement runs `python -m bot.evaluate` in its own process: the long-running
content service should not hold a second TensorFlow model in memory. Results are
kept per model id and set, without the set's sentences, so the model running now is
measured once, not on every publish: a published model was measured as the candidate it
was, and the model a bot starts with is measured in the background when the content
service starts (`measure_in_background`), so an editor's publish measures only its own
candidate.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from bot.evaluation.gate import Measurement, Verdict, judge
from bot.paths import PROJECT_ROOT, code_env
from bot.release.messages import UNMEASURED_RUNNING
from bot.release.rasa_api import model_id


def _key(model_id: str, cases: Path) -> str:
    return f"{model_id}-{hashlib.sha256(cases.read_bytes()).hexdigest()[:12]}"


def measure(model: Path, model_id: str, cases: Path, cache: Path, niceness: int = 0) -> Measurement:
    """The model's scores on `cases` through the real dialogue, from `cache` if measured before.

    One measurement per model and set at a time: a second caller (a publish while the
    start-up measurement runs) waits for the first and reads its result.
    """
    cache.mkdir(parents=True, exist_ok=True)
    key = _key(model_id, cases)
    stored = cache / f"{key}.json"
    with open(cache / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.exists():
            return Measurement.from_json(json.loads(stored.read_text("utf-8")))
        measurement = _run_measurement(model, cases, niceness)
        written = stored.with_suffix(".tmp")
        written.write_text(json.dumps(measurement.as_json(), ensure_ascii=False), "utf-8")
        os.replace(written, stored)  # never a half-written file for the next reader
        return measurement


def _run_measurement(model: Path, cases: Path, niceness: int) -> Measurement:
    with tempfile.TemporaryDirectory(prefix="nav-quality-") as tmp:
        report = Path(tmp) / "report.json"
        command = [
            sys.executable, "-m", "bot.evaluate", "--cases", str(cases.resolve()),
            "--model", str(model.resolve()), "--json", str(report), "--max-failures", "0",
        ]  # fmt: skip
        env = code_env({"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"})
        done = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
            preexec_fn=(lambda: os.nice(niceness)) if niceness else None,
        )  # fmt: skip
        if done.returncode != 0 or not report.exists():
            raise RuntimeError(f"measuring {model} failed (exit {done.returncode})\n{done.stderr[-3000:]}")
        sets = json.loads(report.read_text("utf-8"))["sets"]
    return Measurement.from_report(next(iter(sets.values())))


def measure_in_background(published: Path, cases: Path, cache: Path) -> threading.Thread | None:
    """Measures the published model now, at low priority, so the first publish need not.

    Nothing to do without a published model or a set to measure on, or when it was
    measured before. A failure is left for the publish, which tells the editor.
    """
    if not published.exists() or not cases.exists():
        return None

    def run() -> None:
        # A failure is the publish's to report: it measures again.
        with contextlib.suppress(Exception):
            measure(published, model_id(published), cases, cache, niceness=10)

    thread = threading.Thread(target=run, name="measure-published", daemon=True)
    thread.start()
    return thread


def check_quality(
    candidate: Path, published: Path, cases: Path, cache: Path, titles: Mapping[str, str] | None = None
) -> tuple[Verdict, str]:
    """The gate's verdict on `candidate` against `published`, and a note for editors if any.

    Rasa's /status names the running model's file but not its folder: the comparison is
    with the published model, which `make run` starts.
    """
    new = measure(candidate, model_id(candidate), cases, cache)
    before, note = None, ""
    if published.exists():
        try:
            before = measure(published, model_id(published), cases, cache)
        except Exception:  # noqa: BLE001 - unreadable or from older code: the targets alone decide
            note = UNMEASURED_RUNNING
    return judge(new, before, titles), note
