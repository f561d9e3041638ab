"""The publication history (bot/release/history.py): every publication in a list, and an
earlier one put back through the same model load as a publish, without training."""

from __future__ import annotations

import json
import shutil
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.paths import PROJECT_ROOT
from bot.release import history
from bot.release.history import Kind
from bot.release.messages import RESTORE_GONE, RESTORED
from bot.release.rasa_api import load_model, loaded_model, model_id
from bot.release.stamp import Stamp
from bot.runtime.live_texts import project_responses, read_snapshot, texts_path, write_snapshot
from bot.runtime.processes import rasa_server

ANSWER = "utter_faq/dagpenger_soke"


def _publish_files(published: Path, model: str, text: str, model_bytes: bytes | None = None) -> None:
    """What a publish leaves beside the published model: the file, its stamp, its live texts."""
    if model_bytes is not None:
        published.write_bytes(model_bytes)
    Stamp(f"content-{model}-{text}", model, f"inputs-{model}").write(published)
    write_snapshot(texts_path(published), {ANSWER: [{"text": text}]})


def test_every_publication_is_listed_and_only_the_last_models_are_kept(tmp_path: Path) -> None:
    published = tmp_path / "models" / "nav.tar.gz"
    published.parent.mkdir()
    _publish_files(published, "m1", "Først registrerer du deg.", b"model one")
    start = history.record_start(published, {"dagpenger_soke": "v1", "aap_soke": "a1"}, keep=3)
    assert start is not None and (start.id, start.kind, start.faqs) == (1, Kind.start, {})
    # The same model and texts again (a restart): no second line.
    assert history.record_start(published, {"dagpenger_soke": "v1", "aap_soke": "a1"}, keep=3) is None

    # A text-only publish: same model, new texts, the FAQ it changed by its title.
    _publish_files(published, "m1", "Det første du gjør, er å registrere deg.")
    titles = {"dagpenger_soke": "Hvordan søker jeg om dagpenger?", "aap_soke": "Hvordan søker jeg AAP?"}
    texts = history.record(
        published, Kind.texts, "redaktor", {"dagpenger_soke": "v2", "aap_soke": "a1"}, titles
    )
    assert texts.faqs == {"dagpenger_soke": "Hvordan søker jeg om dagpenger?"}
    assert (texts.by, texts.model_id, texts.scores) == ("redaktor", "m1", None)
    assert texts.at.endswith("+00:00")  # ISO 8601 with its offset

    # Model publishes m2 … m5, with the gate's scores: only the last 3 models are kept.
    scores = {"passed": True, "rows": [{"key": "intent_accuracy", "now": 0.9}], "worse": []}
    for n in range(2, 6):
        _publish_files(published, f"m{n}", f"Tekst {n}.", f"model {n}".encode())
        history.record(
            published,
            Kind.model,
            "bjørn",
            {"dagpenger_soke": "v2", "aap_soke": f"a{n}"},
            titles,
            scores,
            keep=3,
        )
    listed = history.publications(published)
    assert [p.id for p in listed] == [1, 2, 3, 4, 5, 6]
    assert [p.kind for p in listed] == [Kind.start, Kind.texts, *[Kind.model] * 4]
    assert listed[-1].faqs == {"aap_soke": "Hvordan søker jeg AAP?"} and listed[-1].scores == scores
    kept = sorted(p.name for p in (published.parent / "history").glob("*.tar.gz"))
    assert kept == ["m3.tar.gz", "m4.tar.gz", "m5.tar.gz"]
    assert history.model_file(published, "m5").read_bytes() == b"model 5"
    # The lines of the deleted models stay; they cannot be put back any more.
    assert [history.restorable(published, p) for p in listed] == [False, False, False, True, True, True]
    assert not history.texts_file(published, 1).exists() and history.texts_file(published, 4).exists()
    done = history.restore(published, 1, "http://127.0.0.1:9")
    assert (done.done, done.message) == (False, RESTORE_GONE)
    assert history.restore(published, 99, "http://127.0.0.1:9").message == RESTORE_GONE
    assert Stamp.read(published) is not None and Stamp.read(published).model_id == "m5"  # type: ignore[union-attr]

    # A line that cannot be read (a crash mid-write) hides nothing else.
    with open(published.parent / "history" / history.LOG_NAME, "a", encoding="utf-8") as log:
        log.write('{"id": 7, "at"\n')
    assert [p.id for p in history.publications(published)] == [1, 2, 3, 4, 5, 6]


def _repacked(model: Path, target: Path, new_id: str) -> Path:
    """The test model as another model: the same archive with another model id (as a second
    training would give), so Rasa has a model to switch to without training one here."""
    unpacked = target.parent / f"{new_id}-unpacked"
    with tarfile.open(model, "r:gz") as archive:
        archive.extractall(unpacked, filter="data")
    metadata = unpacked / "metadata.json"
    data = json.loads(metadata.read_text("utf-8"))
    data["model_id"] = new_id
    metadata.write_text(json.dumps(data), "utf-8")
    with tarfile.open(target, "w:gz") as archive:
        for path in sorted(unpacked.iterdir()):
            archive.add(path, arcname=path.name)
    shutil.rmtree(unpacked)
    return target


class Asking(threading.Thread):
    """Asks the running Rasa's model a visitor's question (`POST /model/parse`) every 0.2 s,
    all through a restore; counts the requests that failed. (This Rasa has no action or NLG
    server beside it; the whole visitor path under a model load is measured by
    bench/publish_bench.py.)"""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.sent, self.failed = url, 0, 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            body = json.dumps({"text": "hvordan søker jeg dagpenger"}).encode()
            request = urllib.request.Request(
                f"{self.url}/model/parse", body, {"Content-Type": "application/json"}
            )
            self.sent += 1
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status != 200 or not json.loads(response.read()).get("intent"):
                        self.failed += 1
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                self.failed += 1
            time.sleep(0.2)


def test_an_earlier_publication_is_put_back_without_training_and_no_request_fails(
    test_model: Path, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    published = models / "nav.tar.gz"
    shutil.copy(test_model, published)
    first_id = model_id(published)
    responses = project_responses(PROJECT_ROOT)
    Stamp("content-1", first_id, "inputs-1").write(published)
    write_snapshot(texts_path(published), responses)
    history.record_start(published, {"dagpenger_soke": "v1"})
    second = _repacked(test_model, tmp_path / "second.tar.gz", "andre-modell")

    with rasa_server(published, log=tmp_path / "rasa.log") as url:
        # A model publish: Rasa loads the second model, which becomes the published one.
        load_model(url, second)
        shutil.copy(second, published)
        changed = {**responses, ANSWER: [{"text": "Ny tekst fra modellpubliseringen."}]}
        Stamp("content-2", "andre-modell", "inputs-2").write(published)
        write_snapshot(texts_path(published), changed)
        history.record(published, Kind.model, "redaktor", {"dagpenger_soke": "v2"})
        assert loaded_model(url)["model_id"] == "andre-modell"

        asking = Asking(url)
        asking.start()
        time.sleep(1)
        done = history.restore(published, 1, url, "bjørn")
        time.sleep(1)
        asking.stop.set()
        asking.join()
        assert (done.done, done.message) == (True, RESTORED), done.details
        print("requests", asking.sent, "failed", asking.failed)
        assert asking.sent >= 5 and asking.failed == 0, (asking.sent, asking.failed)

        # The first model runs again (loaded, not trained), is the published one, with its
        # stamp and its texts live.
        assert loaded_model(url)["model_id"] == first_id
        assert model_id(published) == first_id
        assert Stamp.read(published) == Stamp("content-1", first_id, "inputs-1")
        assert read_snapshot(texts_path(published)) == responses
        restored = history.publications(published)[-1]
        assert (restored.id, restored.kind, restored.by, restored.restored_from) == (
            3,
            Kind.restore,
            "bjørn",
            1,
        )
        assert restored.versions == {"dagpenger_soke": "v1"} and restored.model_id == first_id
        assert restored.faqs == {"dagpenger_soke": "dagpenger_soke"}

        # A text-only publication put back: its texts, and no model load (Rasa keeps its
        # conversations): the model file Rasa runs from stays the same.
        write_snapshot(texts_path(published), changed)
        history.record(published, Kind.texts, "redaktor", {"dagpenger_soke": "v2"})
        running_file = loaded_model(url)["model_file"]
        done = history.restore(published, 3, url, "redaktor")
        assert done.done and read_snapshot(texts_path(published)) == responses
        assert loaded_model(url) == {"model_file": running_file, "model_id": first_id}
