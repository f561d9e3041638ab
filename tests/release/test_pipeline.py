"""The release pipeline (`make publish`, the editors' publish button): an editor's change reaches
the running bot without a restart."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.content.checks import check_content
from bot.evaluation.scoring import TARGETS
from bot.paths import PROJECT_ROOT, SHARED, TEST_MODEL_DIR
from bot.release import quality
from bot.release.changes import Route
from bot.release.messages import (
    LOAD_REFUSED,
    LOAD_TIMED_OUT,
    NOT_RUNNING,
    PUBLISHED,
    PUBLISHED_TEXTS,
    UNCHANGED,
)
from bot.release.pipeline import install, release
from bot.release.quality import check_quality, measure, measure_in_background
from bot.release.rasa_api import NotRunning, load_model, loaded_model, model_id
from bot.release.stamp import Stamp
from bot.runtime.live_texts import project_responses, read_snapshot, texts_path, write_snapshot
from bot.runtime.processes import free_port, rasa_server
from bot.runtime.training import content_fingerprint, model_fingerprint, nlu_code_hash, shape_fingerprint

TEST_CONFIG = TEST_MODEL_DIR / "config.yml"  # written by ensure_test_model


def test_a_running_rasa_loads_the_published_model(test_model: Path, tmp_path: Path) -> None:
    running, published = tmp_path / "running.tar.gz", tmp_path / "published.tar.gz"
    shutil.copy(test_model, running)
    shutil.copy(test_model, published)
    with rasa_server(running, log=tmp_path / "rasa.log") as url:
        assert loaded_model(url)["model_id"] == model_id(running)
        assert loaded_model(url)["model_file"].endswith("running.tar.gz")
        after = load_model(url, published)
        assert after["model_file"].endswith("published.tar.gz")
        with pytest.raises(RuntimeError, match="refused"):
            load_model(url, tmp_path / "missing.tar.gz")
        # A refused model leaves the running one in place.
        assert loaded_model(url)["model_file"].endswith("published.tar.gz")


def test_no_running_rasa_is_said_plainly(test_model: Path) -> None:
    with pytest.raises(NotRunning):
        load_model(f"http://127.0.0.1:{free_port()}", test_model)


def test_the_projects_content_passes_the_editors_checks() -> None:
    results = check_content()
    assert [r.what for r in results if not r.ok] == []
    assert len(results) == 3
    # Only texts changed: the rules on every answer's text, without Rasa's validation.
    [texts] = check_content(texts_only=True)
    assert texts.ok and texts.what.startswith("Hvert svar i katalogen")


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


def test_the_running_model_is_measured_at_start_and_a_publish_meanwhile_waits_for_that_measurement(
    test_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev, scores = SHARED / "eval" / "dev.yml", tmp_path / "scores"
    assert measure_in_background(tmp_path / "no-model.tar.gz", dev, scores) is None
    runs: list[Path] = []
    real_run = quality._run_measurement

    def counted(model: Path, cases: Path, niceness: int) -> object:
        runs.append(model)
        return real_run(model, cases, niceness)

    monkeypatch.setattr(quality, "_run_measurement", counted)
    started = measure_in_background(test_model, dev, scores)
    assert started is not None
    # A publish that needs the same model's scores while the start-up measurement runs.
    during = measure(test_model, model_id(test_model), dev, scores)
    started.join(600)
    assert not started.is_alive()
    assert runs == [test_model]  # measured once, by whichever came first
    assert measure(test_model, model_id(test_model), dev, scores).scores == during.scores
    assert len(list(scores.glob("*.json"))) == 1


def _copy_content(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "domain.yml", target / "domain.yml")
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    return target


def _edit_answer(root: Path) -> None:
    topic = root / "data" / "faq" / "arbeid.yml"
    text = topic.read_text("utf-8")
    assert "for eksempel oppsigelsen" in text
    topic.write_text(text.replace("for eksempel oppsigelsen", "som oppsigelsen"), "utf-8")


def test_the_fingerprint_follows_what_the_model_is_trained_from(tmp_path: Path) -> None:
    config = PROJECT_ROOT / "config.yml"
    one, two = _copy_content(tmp_path / "one"), _copy_content(tmp_path / "two")
    before = content_fingerprint(one, config)
    assert content_fingerprint(two, config) == before  # where the content lies does not count
    _edit_answer(two)
    assert content_fingerprint(two, config) != before
    (one / "data" / "extra.yml").write_text('version: "3.1"\n', "utf-8")
    assert content_fingerprint(one, config) != before
    other_config = tmp_path / "config.yml"
    other_config.write_text(config.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert content_fingerprint(two, other_config) != content_fingerprint(two, config)


@pytest.fixture()
def released(test_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A running Rasa with the published model, trained from the project's content."""
    models = tmp_path / "models"
    (models / "candidate").mkdir(parents=True)
    published = models / "nav.tar.gz"
    shutil.copy(test_model, published)
    # An earlier publish of the project's content left these beside the models; with
    # Rasa's training cache a new training of a small change takes seconds.
    (models / "candidate" / "nav.nlu-code.sha256").write_text(nlu_code_hash())
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(PROJECT_ROOT / ".rasa" / "cache"))
    Stamp(
        content_fingerprint(PROJECT_ROOT, TEST_CONFIG),
        model_id(published),
        model_fingerprint(PROJECT_ROOT, TEST_CONFIG),
        shape_fingerprint(PROJECT_ROOT, TEST_CONFIG),
    ).write(published)
    write_snapshot(texts_path(published), project_responses(PROJECT_ROOT))
    with rasa_server(published, log=tmp_path / "rasa.log") as url:
        yield url, models


def test_a_publish_trains_and_loads_only_when_the_content_changed(
    released: tuple[str, Path], tmp_path: Path
) -> None:
    url, models = released
    published = models / "nav.tar.gz"
    root = _copy_content(tmp_path / "project")
    no_dev_set = tmp_path / "shared"  # the gate is tested above; here, only what changed counts
    steps: list[str] = []
    before = loaded_model(url)["model_id"]

    # Nothing changed since the model running now was published: no training, no loading.
    done = release(root, TEST_CONFIG, models, url, no_dev_set, steps.append)
    assert (done.published, done.message, steps) == (True, UNCHANGED, [])
    assert loaded_model(url)["model_id"] == before

    # A change to what the model depends on (here the config, by a comment, so Rasa's
    # cache makes the training quick; a changed example retrains every component, minutes
    # here): trained, loaded, and then the published model, with its stamp and its texts.
    config = tmp_path / "config.yml"
    config.write_text(TEST_CONFIG.read_text("utf-8") + "# sjekket av redaksjonen\n", "utf-8")
    done = release(root, config, models, url, no_dev_set, steps.append)
    assert (done.published, done.message, done.route) == (True, PUBLISHED, Route.model), done.details
    assert steps[0].startswith("Trener")
    now = loaded_model(url)["model_id"]
    assert now != before and model_id(published) == now
    # A changed config is another shape: trained from scratch, not fine-tuned.
    trained = Stamp(
        content_fingerprint(root, config),
        now,
        model_fingerprint(root, config),
        shape_fingerprint(root, config),
        0,
    )
    assert Stamp.read(published) == trained
    assert not (models / "candidate" / "nav.tar.gz").exists()

    # The same content again: nothing to do.
    steps.clear()
    done = release(root, config, models, url, no_dev_set, steps.append)
    assert (done.published, done.message, steps) == (True, UNCHANGED, [])

    # A model Rasa refuses: the published model and the running bot stay as they were.
    broken = models / "candidate" / "nav.tar.gz"
    broken.write_bytes(b"not a model")
    kept = published.read_bytes()
    done = install(broken, published, url, Stamp("another fingerprint", ""))
    assert (done.published, done.message) == (False, LOAD_REFUSED)
    assert "refused" in done.details
    assert published.read_bytes() == kept and Stamp.read(published) == trained
    assert loaded_model(url)["model_id"] == now


def test_an_example_change_fine_tunes_the_published_model_and_loads_it(
    released: tuple[str, Path], tmp_path: Path
) -> None:
    url, models = released
    published = models / "nav.tar.gz"
    root = _copy_content(tmp_path / "project")
    topic = root / "data" / "faq" / "arbeid.yml"
    text = topic.read_text("utf-8")
    assert "    - hvordan søker jeg dagpenger\n" in text
    topic.write_text(text.replace(
        "    - hvordan søker jeg dagpenger\n",
        "    - hvordan søker jeg dagpenger\n    - hvordan går jeg fram for å søke om dagpenger\n", 1,
    ), "utf-8")  # fmt: skip
    before = loaded_model(url)["model_id"]
    steps: list[str] = []

    done = release(root, TEST_CONFIG, models, url, tmp_path / "shared", steps.append)

    assert (done.published, done.message, done.route) == (True, PUBLISHED, Route.model), done.details
    assert steps[0].startswith("Trener")
    stamp = Stamp.read(published)
    # Fine-tuned (a failed fine-tuning would have trained from scratch, with 0), and loaded.
    assert stamp is not None and stamp.finetunes == 1
    assert stamp.shape == shape_fingerprint(PROJECT_ROOT, TEST_CONFIG)
    assert stamp.model_inputs == model_fingerprint(root, TEST_CONFIG)
    assert loaded_model(url)["model_id"] == stamp.model_id != before
    # The new example is the model's: it answers it with the FAQ it was added to.
    request = urllib.request.Request(
        f"{url}/model/parse", json.dumps({"text": "hvordan går jeg fram for å søke om dagpenger"}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        parsed = json.loads(response.read())
    assert parsed["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/dagpenger_soke"


def test_a_text_change_goes_live_at_once_without_training_or_loading(
    released: tuple[str, Path], tmp_path: Path
) -> None:
    url, models = released
    published = models / "nav.tar.gz"
    root = _copy_content(tmp_path / "project")
    steps: list[str] = []
    before, model_bytes = loaded_model(url)["model_id"], published.read_bytes()

    _edit_answer(root)
    done = release(root, TEST_CONFIG, models, url, tmp_path / "shared", steps.append)
    assert (done.published, done.message, done.route, steps) == (True, PUBLISHED_TEXTS, Route.texts, [])
    live = read_snapshot(texts_path(published))
    assert "som oppsigelsen" in live["utter_faq/dagpenger_soke"][0]["text"]
    # The running model and the published one are the same as before: nothing trained or loaded.
    assert loaded_model(url)["model_id"] == before and published.read_bytes() == model_bytes
    assert not (models / "candidate" / "nav.tar.gz").exists()
    done = release(root, TEST_CONFIG, models, url, tmp_path / "shared", steps.append)
    assert (done.message, done.route) == (UNCHANGED, Route.unchanged)


def test_a_load_that_takes_too_long_leaves_the_published_model(test_model: Path, tmp_path: Path) -> None:
    published, candidate = tmp_path / "nav.tar.gz", tmp_path / "candidate" / "nav.tar.gz"
    published.write_bytes(b"the model the bot runs")
    candidate.parent.mkdir()
    shutil.copy(test_model, candidate)
    # A Rasa that takes the request and never answers (the kernel accepts for it).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        done = install(candidate, published, url, Stamp("fingerprint", ""), timeout=1)
    assert (done.published, done.message) == (False, LOAD_TIMED_OUT)
    assert published.read_bytes() == b"the model the bot runs"
    assert Stamp.read(published) is None
    assert candidate.exists()  # Rasa may still be reading it


def test_with_no_rasa_the_gated_model_waits_for_the_next_start(test_model: Path, tmp_path: Path) -> None:
    published, candidate = tmp_path / "nav.tar.gz", tmp_path / "candidate" / "nav.tar.gz"
    candidate.parent.mkdir()
    shutil.copy(test_model, candidate)
    done = install(candidate, published, f"http://127.0.0.1:{free_port()}", Stamp("fingerprint", ""))
    assert (done.published, done.message) == (False, NOT_RUNNING)
    assert Stamp.read(published) == Stamp("fingerprint", model_id(test_model))
    assert not texts_path(published).exists()  # no texts given: none written
