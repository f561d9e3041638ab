"""`make publish`: an editor's change reaches the running bot without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.checks import check_content
from bot.runtime.processes import free_port, rasa_server
from bot.runtime.publish import NotRunning, loaded_model, model_id, publish


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
