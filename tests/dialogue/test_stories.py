"""`rasa data validate` and `rasa test core` on the real project."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from bot.paths import PROJECT_ROOT, RASA
from bot.runtime.processes import ActionServer

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}


def test_rasa_data_validate_fails_on_no_warning() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", "--fail-on-warnings"],
        cwd=PROJECT_ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_stories_pass(test_model: Path, actions: ActionServer, tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(actions.endpoints_yml(), "utf-8")
    out = tmp_path / "results"
    result = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(test_model),
            "--stories",
            "tests/stories",
            "--endpoints",
            str(endpoints),
            "--out",
            str(out),
            "--fail-on-prediction-errors",
        ],  # fmt: skip
        cwd=PROJECT_ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    failed = (
        (out / "failed_test_stories.yml").read_text("utf-8")
        if (out / "failed_test_stories.yml").exists()
        else ""
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + failed
    report = json.loads((out / "story_report.json").read_text("utf-8"))
    assert report["conversation_accuracy"]["accuracy"] == 1.0
