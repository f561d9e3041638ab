"""Training only when something changed (bot/runtime/training.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.paths import PROJECT_ROOT, TEST_MODEL_DIR
from bot.runtime.training import content_fingerprint, ensure_model


def test_a_model_trained_from_the_same_inputs_is_not_trained_again(test_model: Path, tmp_path: Path) -> None:
    # After a forced training Rasa's cache is empty, so handing an unchanged model to
    # `rasa train` trained it in full once more (the test model twice in every CI run).
    config = TEST_MODEL_DIR / "config.yml"  # written by ensure_test_model
    out = tmp_path / "models"
    out.mkdir()
    shutil.copy(test_model, out / "m.tar.gz")
    (out / "m.inputs.sha256").write_text(content_fingerprint(PROJECT_ROOT, config))
    before = (out / "m.tar.gz").stat().st_mtime_ns
    assert ensure_model(out, "m", config) == out / "m.tar.gz"
    assert (out / "m.tar.gz").stat().st_mtime_ns == before  # returned as it was, no training


def test_the_ensure_test_model_stamp_matches_what_it_trained(test_model: Path) -> None:
    # The fixture's model and its fingerprint were written by the same training.
    stamp = test_model.parent / "test.inputs.sha256"
    config = test_model.parent / "config.yml"
    assert stamp.read_text() == content_fingerprint(PROJECT_ROOT, config)
