"""Benchmark of publishing (not a test): an editor's change until the bot answers with it.

1. Text change: one FAQ answer's wording changed through the content service's API
   (as the editors' page does: PUT the entry, POST /publish), timed from the publish
   request until a visitor's answer carries the new text. Target: <= 10 s.
2. Example change: one example added to the same FAQ, timed from the publish request
   until the publish job succeeded and Rasa runs the new model. Target: <= 3 min on
   2 cores. This one trains (the test stacks' quick config, `TEST_EPOCHS`), measures
   the new model on the dev set, and loads it. The running model was measured when the
   content service started (as `make run` starts it); the bench waits for that first
   and reports how long it took.

All the while one visitor asks the bot a question every 0.5 s through Rasa's REST
channel; every request that fails or gets no answer is counted (target: 0). Everything
runs on 127.0.0.1 (action server, NLG server, Rasa, content service, as the browser
tests start them) and stops by itself. The load average is read at the start and the
end: the machine is shared. Usage (from the repo root):

    .venv/hub/bin/python bench/publish_bench.py --out docs/results/publish-bench.json

Needs the test model (`make test-model`) and ../shared (the dev set the gate measures on).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "handoff"))

from tests import stack  # type: ignore[attr-defined]  # noqa: E402  (the hub's test helpers: handoff/tests/stack.py)

QUESTION = "hvordan søker jeg dagpenger"
FAQ = "dagpenger_soke"
OLD = "Først registrerer du deg"
NEW = "Det første du gjør, er å registrere deg"
# Written for this benchmark; the content service refuses any sentence of the evaluation sets.
NEW_EXAMPLE = "hva gjør jeg for å få penger fra nav når jobben tar slutt neste måned"


def _call(url: str, method: str = "GET", body: Any = None, token: str = "", timeout: float = 30) -> Any:
    headers = {"Content-Type": "application/json", "X-Nav-Editor": "benchmark"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class Visitor(threading.Thread):
    """Asks the bot QUESTION every `interval` s and keeps every answer, and every failure."""

    def __init__(self, rasa_url: str, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.interval = interval
        self.answers: list[tuple[float, str]] = []  # (time answered, text)
        self.failures: list[tuple[float, str]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        sender = "bench-" + secrets.token_hex(4)
        while not self.stopped.is_set():
            try:
                messages = _call(self.url, "POST", {"sender": sender, "message": QUESTION}, timeout=60)
                text = " ".join(str(m.get("text", "")) for m in messages)
                if not text.strip():
                    self.failures.append((time.monotonic(), "no answer"))
                else:
                    self.answers.append((time.monotonic(), text))
            except (urllib.error.URLError, OSError, ValueError) as exc:
                self.failures.append((time.monotonic(), f"{type(exc).__name__}: {exc}"))
            self.stopped.wait(self.interval)

    def first_answer_with(self, text: str, since: float, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, said in list(self.answers):
                if at >= since and text in said:
                    return at
            time.sleep(0.05)
        return None


def _publish(content: str, token: str, timeout: float) -> tuple[float, float, dict[str, Any]]:
    """Starts a publish; returns when it started, when it finished, and the finished job with
    `steps`: how long each step the editors' page shows took, in seconds."""
    started = time.monotonic()
    _call(f"{content}/publish", "POST", {}, token)
    deadline = started + timeout
    steps: dict[str, float] = {}
    step, since = "", started
    while time.monotonic() < deadline:
        status = _call(f"{content}/publish", token=token)
        now = time.monotonic()
        if status["state"] != "running" or status["message"] != step:
            if step:
                steps[step] = round(steps.get(step, 0) + now - since, 1)
            step, since = status["message"], now
        if status["state"] != "running":
            return started, now, dict(status) | {"steps": steps}
        time.sleep(0.2)
    raise TimeoutError("the publish did not finish")


def _measured(scores: Path, timeout: float) -> float:
    """Waits until the content service measured the published model at start; its seconds."""
    started = time.monotonic()
    while time.monotonic() < started + timeout:
        if any(scores.glob("*.json")):
            return time.monotonic() - started
        time.sleep(1)
    raise TimeoutError("the published model was not measured")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--skip-examples", action="store_true", help="only the text change (no training)")
    args = parser.parse_args()
    model = stack.model_path()
    if model is None:
        print("no test model: run `make test-model` first", file=sys.stderr)
        return 2
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "python": platform.python_version()},
        "load_average_start": _load(),
    }
    print(f"load average at start: {result['load_average_start']}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="publish-bench-"))
    content_root = stack.copy_content(tmp / "content")
    config = tmp / "config.yml"
    config.write_text(
        subprocess.run(
            [str(stack.BOT_VENV / "bin" / "python"), "-c",
             "from bot.runtime.test_model import TEST_EPOCHS; from bot.runtime.training import capped_config; "
             "print(capped_config(TEST_EPOCHS), end='')"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout,
        "utf-8",
    )  # fmt: skip
    published = content_root / "models" / "nav.tar.gz"
    published.parent.mkdir(parents=True)
    shutil.copy(model, published)
    subprocess.run(
        [str(stack.BOT_VENV / "bin" / "python"), "-m", "bot.release.stamp", "--root", str(content_root),
         "--config", str(config), "--model", str(published)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    rasa = stack.start_rasa_stack(
        published,
        hub_url=f"http://127.0.0.1:{stack.free_port()}",
        bot_secret="bench",
        texts=published.with_name("nav.texts.json"),
    )
    token = secrets.token_urlsafe(16)
    content = stack.start_content_service(
        content_root, token=token, rasa_url=rasa.rasa_url, config=config, measure_at_start=True
    )
    visitor = Visitor(rasa.rasa_url)
    try:
        visitor.start()
        if visitor.first_answer_with(OLD, 0, 120) is None:
            raise RuntimeError(f"the bot does not answer: {visitor.failures[-3:]}")
        model_before = _call(f"{rasa.rasa_url}/status")["model_id"]

        # 1. A text change.
        entry = _call(f"{content.url}/faqs/{FAQ}", token=token)
        answer = entry["answer"].replace(OLD, NEW, 1)
        _call(f"{content.url}/faqs/{FAQ}", "PUT", {**entry, "answer": answer}, token)
        failures_before = len(visitor.failures)
        started, finished, job = _publish(content.url, token, 120)
        live = visitor.first_answer_with(NEW, started, 60)
        result["text_change"] = {
            "route": job.get("route"),
            "state": job["state"],
            "publish_job_seconds": round(finished - started, 2),
            "to_live_seconds": round(live - started, 2) if live is not None else None,
            "model_loaded": _call(f"{rasa.rasa_url}/status")["model_id"] != model_before,
            "failed_visitor_requests": len(visitor.failures) - failures_before,
            "target_seconds": 10,
        }
        print(f"text change: {result['text_change']}", flush=True)

        # 2. An example change: trained, measured, loaded. In the steady state: the content
        # service measured the running model when it started (as in production, where it
        # starts with the bot), so the publish measures only its candidate.
        if not args.skip_examples:
            waited = _measured(published.parent / "scores", 1200)
            result["running_model_measured_at_start_seconds"] = round(waited, 1)
            print(f"running model measured at start: {waited:.0f} s after the text change", flush=True)
            entry = _call(f"{content.url}/faqs/{FAQ}", token=token)
            examples = [*entry["examples"], NEW_EXAMPLE]
            _call(f"{content.url}/faqs/{FAQ}", "PUT", {**entry, "examples": examples}, token)
            failures_before = len(visitor.failures)
            answered_before = len(visitor.answers)
            started, finished, job = _publish(content.url, token, 1800)
            model_after = _call(f"{rasa.rasa_url}/status")["model_id"]
            time.sleep(2)  # a few more answers from the new model
            result["example_change"] = {
                "route": job.get("route"),
                "state": job["state"],
                "message": job["message"],
                "to_live_seconds": round(finished - started, 1),
                "steps_seconds": job["steps"],
                "model_loaded": model_after != model_before,
                # 1: fine-tuned from the published model (only an example changed); 0: from scratch.
                "fine_tunings_in_a_row": json.loads(published.with_name("nav.published.json").read_text())[
                    "finetunes"
                ],
                "failed_visitor_requests": len(visitor.failures) - failures_before,
                "visitor_requests": len(visitor.answers)
                - answered_before
                + len(visitor.failures)
                - failures_before,
                "target_seconds": 180,
            }
            print(f"example change: {result['example_change']}", flush=True)
    finally:
        visitor.stopped.set()
        visitor.join(70)
        content.stop()
        rasa.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    result["failures"] = [f for _, f in visitor.failures][:20]
    result["load_average_end"] = _load()
    print(f"load average at end: {result['load_average_end']}", flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
