"""`make publish`: an editor's change reaches the running bot without a restart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content.checks import SHARED, check_content
from bot.evaluation.scoring import TARGETS
from bot.runtime.processes import free_port, rasa_server
from bot.runtime.publish import NotRunning, check_quality, loaded_model, model_id, publish


def test_a_running_rasa_loads_the_published_model(test_model: Path, tmp_path: Path) -> None:
    running, published = tmp_path / "running.tar.gz", tmp_path / "published.tar.gz"
    shutil.copy(test_model, running)
    shutil.copy(test_model, published)
    with rasa_server(running, log=tmp_path / "rasa.log") as url:
        assert loaded_model(url)["model_id"] == model_id(running)
        assert loaded_model(url)["model_file"].endswith("running.tar.gz")
        after = publish(url, published)
        assert after["model_file"].endswith("published.tar.gz")
        with pytest.raises(RuntimeError, match="refused"):
            publish(url, tmp_path / "missing.tar.gz")
        # A refused model leaves the running one in place.
        assert loaded_model(url)["model_file"].endswith("published.tar.gz")


def test_no_running_rasa_is_said_plainly(test_model: Path) -> None:
    with pytest.raises(NotRunning):
        publish(f"http://127.0.0.1:{free_port()}", test_model)


def test_the_projects_content_passes_the_editors_checks() -> None:
    results = check_content()
    assert [r.what for r in results if not r.ok] == []
    assert len(results) == 3


def test_the_gate_measures_a_model_once_and_keeps_no_test_sentences(test_model: Path, tmp_path: Path) -> None:
    dev, scores = SHARED / "eval" / "dev.yml", tmp_path / "scores"
    unreadable = tmp_path / "published.tar.gz"
    unreadable.write_bytes(b"not a model")
    verdict, note = check_quality(test_model, unreadable, dev, scores)
    # A published model that cannot be measured: the targets alone decide, and the editor is told.
    assert note == "Modellen boten bruker nå, kunne ikke måles. Bare målene avgjør."
    for row in verdict.rows:
        op, bound = TARGETS[row.key]
        assert row.before is None and row.now is not None
        assert row.passed == (row.now >= bound if op == ">=" else row.now <= bound)
    stored = list(scores.glob("*.json"))
    assert len(stored) == 1
    kept = stored[0].read_text("utf-8")
    assert set(json.loads(kept)) == {"scores", "cases"}  # per case: expected, got, right
    sentences = [c["text"] for c in yaml.safe_load(dev.read_text("utf-8")) if " " in c["text"]]
    assert sentences and not any(sentence in kept for sentence in sentences)

    # The same model published: measured once (from the store), no worse than itself.
    published = tmp_path / "nav.tar.gz"
    shutil.copy(test_model, published)
    verdict, note = check_quality(test_model, published, dev, scores)
    assert note == "" and verdict.passed and verdict.worse == []
    assert all(row.before == row.now for row in verdict.rows)
    assert list(scores.glob("*.json")) == stored
