"""What changed decides the publish's route: texts live at once, a model only when examples change."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.paths import PROJECT_ROOT
from bot.release.changes import Route, finetunes_next, route
from bot.release.pipeline import plan
from bot.release.stamp import Stamp
from bot.runtime.live_texts import project_responses, texts_path, write_snapshot
from bot.runtime.training import content_fingerprint, model_fingerprint, shape_fingerprint

CONFIG = PROJECT_ROOT / "config.yml"


def _copy(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "domain.yml", target / "domain.yml")
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_route_follows_what_changed() -> None:
    assert route("m", "m", "t", "t") == Route.unchanged
    assert route("m", "m", "t", "t2") == Route.texts
    assert route("m", "m", None, "t") == Route.texts  # no live texts yet
    assert route("m", "m2", "t", "t") == Route.model
    assert route("m", "m2", "t", "t2") == Route.model  # the new model's texts go live with it
    assert route(None, "m", "t", "t") == Route.model  # unknown what the published model had


def test_the_model_fingerprint_ignores_texts_and_follows_examples_and_config(tmp_path: Path) -> None:
    root = _copy(tmp_path / "project")
    model, full = model_fingerprint(root, CONFIG), content_fingerprint(root, CONFIG)
    topic = root / "data" / "faq" / "arbeid.yml"
    _replace(topic, "for eksempel oppsigelsen", "som oppsigelsen")  # an FAQ answer's wording
    _replace(root / "domain.yml", "Fint! Hva mer kan jeg hjelpe deg med?", "Fint! Hva mer lurer du på?")
    topic.write_text(topic.read_text("utf-8") + "# sjekket av redaksjonen\n", "utf-8")
    assert model_fingerprint(root, CONFIG) == model
    assert content_fingerprint(root, CONFIG) != full  # `make train` still retrains, with the new texts

    examples = _copy(tmp_path / "examples")
    _replace(examples / "data" / "faq" / "arbeid.yml", "- ", "- hei, ")  # one example changed
    assert model_fingerprint(examples, CONFIG) != model
    metadata = _copy(tmp_path / "metadata")
    _replace(metadata / "data" / "faq" / "arbeid.yml", "tema: arbeid", "tema: familie")  # the actions read it
    assert model_fingerprint(metadata, CONFIG) != model
    other_config = tmp_path / "config.yml"
    other_config.write_text(CONFIG.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert model_fingerprint(root, other_config) != model


def test_a_plan_compares_with_the_published_model_and_the_live_texts(tmp_path: Path) -> None:
    root = _copy(tmp_path / "project")
    models = tmp_path / "models"
    published = models / "nav.tar.gz"
    models.mkdir()
    # Nothing published yet: a model is trained.
    assert plan(root, CONFIG, models).route == Route.model
    Stamp("f", "model-1", model_fingerprint(root, CONFIG)).write(published)
    assert plan(root, CONFIG, models).route == Route.texts  # no live texts yet
    write_snapshot(texts_path(published), project_responses(root))
    assert plan(root, CONFIG, models).route == Route.unchanged

    _replace(root / "data" / "faq" / "arbeid.yml", "for eksempel oppsigelsen", "som oppsigelsen")
    planned = plan(root, CONFIG, models)
    assert planned.route == Route.texts
    assert "som oppsigelsen" in planned.responses["utter_faq/dagpenger_soke"][0]["text"]

    _replace(root / "data" / "faq" / "arbeid.yml", "- ", "- hei, ")
    assert plan(root, CONFIG, models).route == Route.model
    # A stamp from before texts were live says nothing of the model's inputs: trained.
    Stamp("f", "model-1").write(published)
    assert plan(_copy(tmp_path / "again"), CONFIG, models).route == Route.model


def test_the_shape_ignores_examples_and_follows_intents_answers_and_config(tmp_path: Path) -> None:
    root = _copy(tmp_path / "project")
    shape = shape_fingerprint(root, CONFIG)
    examples = _copy(tmp_path / "examples")
    _replace(examples / "data" / "faq" / "arbeid.yml", "    - hvordan søker jeg dagpenger\n", "    - hei\n")
    assert shape_fingerprint(examples, CONFIG) == shape
    assert model_fingerprint(examples, CONFIG) != model_fingerprint(root, CONFIG)

    renamed = _copy(tmp_path / "renamed")  # an FAQ renamed: other labels, so no fine-tuning
    _replace(renamed / "data" / "faq" / "arbeid.yml", "faq/dagpenger_soke", "faq/dagpenger_soknad")
    assert shape_fingerprint(renamed, CONFIG) != shape
    metadata = _copy(tmp_path / "metadata")
    _replace(metadata / "data" / "faq" / "arbeid.yml", "tema: arbeid", "tema: familie")
    assert shape_fingerprint(metadata, CONFIG) != shape
    other_config = tmp_path / "config.yml"
    other_config.write_text(CONFIG.read_text("utf-8") + "\n# changed\n", "utf-8")
    assert shape_fingerprint(root, other_config) != shape


def test_only_a_model_of_the_same_shape_is_fine_tuned_and_only_so_many_times_in_a_row() -> None:
    assert finetunes_next("s", "s", 0, 5) == 1
    assert finetunes_next("s", "s", 4, 5) == 5
    assert finetunes_next("s", "s", 5, 5) is None  # the fifth in a row was the last: from scratch
    assert finetunes_next("s", "s2", 0, 5) is None  # intents, answers, rules or config changed
    assert finetunes_next("", "s", 0, 5) is None  # unknown what the published model was
    assert finetunes_next("s", "s", 0, 0) is None  # fine-tuning switched off
