"""The content service over real HTTP, on a copy of the project's content."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.release.messages import RESTORE_NOT_RUNNING
from bot.release.rasa_api import model_id
from bot.release.stamp import adopt
from bot.runtime.live_texts import read_snapshot, texts_path
from bot.runtime.processes import content_service, free_port

TOKEN = "test-content-token"
ANSWER = "utter_faq/dagpenger_soke"


def call(
    url: str, method: str = "GET", body: Any = None, token: str = TOKEN, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Authorization": f"Bearer {token}", "X-Nav-Editor": "kari", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture()
def service(project: Path, tmp_path: Path) -> Iterator[str]:
    # No Rasa at this address: publishing here never gets as far as loading a model.
    with content_service(
        project, TOKEN, f"http://127.0.0.1:{free_port()}", log=tmp_path / "content.log"
    ) as url:
        yield url


def test_an_editor_reads_changes_and_sees_what_is_unpublished(service: str, project: Path) -> None:
    status, listed = call(f"{service}/faqs")
    assert status == 200 and len(listed) == 55 and not any(f["unpublished"] for f in listed)
    status, entry = call(f"{service}/faqs/dagpenger_soke")
    assert status == 200 and entry["link"] in entry["answer"] and entry["facts"]

    answer = entry["answer"].replace("Først", "Aller først")
    status, saved = call(
        f"{service}/faqs/dagpenger_soke",
        "PUT",
        {"answer": answer, "examples": entry["examples"], "version": entry["version"]},
    )
    assert status == 200, saved
    assert saved["answer"] == answer and saved["unpublished"] and saved["changes"][0]["editor"] == "kari"
    assert "Aller først" in (project / "data" / "faq" / "arbeid.yml").read_text("utf-8")
    _, publish = call(f"{service}/publish")
    assert publish["state"] == "idle" and publish["unpublished"] == ["dagpenger_soke"]

    # The same old version again: someone else's save is not overwritten.
    status, conflict = call(
        f"{service}/faqs/dagpenger_soke",
        "PUT",
        {"answer": entry["answer"], "examples": entry["examples"], "version": entry["version"]},
    )
    assert (
        status == 409 and conflict["error"] == "version_conflict" and conflict["current"]["answer"] == answer
    )


def test_bad_requests_get_clear_errors_and_change_nothing(service: str, project: Path) -> None:
    before = (project / "data" / "faq" / "arbeid.yml").read_text("utf-8")
    assert call(f"{service}/faqs", token="wrong")[0] == 401
    assert call(f"{service}/faqs/finnes_ikke")[0] == 404
    status, body = call(f"{service}/faqs/dagpenger_soke", "PUT", raw=b"{not json")
    assert status == 400 and body["message"] == "Forespørselen må være JSON."
    status, body = call(
        f"{service}/faqs/dagpenger_soke", "PUT", {"answer": "x", "examples": "x", "version": "v"}
    )
    assert status == 400 and body["error"] == "invalid_request"
    _, entry = call(f"{service}/faqs/dagpenger_soke")
    status, body = call(
        f"{service}/faqs/dagpenger_soke",
        "PUT",
        {"answer": "Søk på nav.no.", "examples": entry["examples"][:4], "version": entry["version"]},
    )
    assert status == 422 and body["error"] == "invalid_content"
    assert {p["field"] for p in body["problems"]} == {"answer", "examples"}
    assert (project / "data" / "faq" / "arbeid.yml").read_text("utf-8") == before


def _wait_for_end(service: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, status = call(f"{service}/publish")
        if status["state"] != "running":
            return dict(status)
        time.sleep(0.5)
    raise TimeoutError("publish did not end")


def test_broken_content_is_not_published_and_says_why(service: str, project: Path) -> None:
    # A hand edit that breaks the data: the publish job's checks must stop it before training.
    rules = project / "data" / "rules.yml"
    rules.write_text(
        rules.read_text("utf-8")
        + "\n- rule: broken\n  steps:\n  - intent: finnes_ikke\n  - action: utter_finnes_ikke\n",
        "utf-8",
    )
    status, started = call(f"{service}/publish", "POST")
    assert status == 202 and started["state"] == "running" and started["by"] == "kari"
    status, again = call(f"{service}/publish", "POST")
    assert status == 409 and again["error"] == "publish_running"
    ended = _wait_for_end(service)
    assert ended["state"] == "failed"
    assert ended["message"].startswith("Innholdet har feil, så ingenting er publisert.")
    assert "rasa data validate" in ended["details"]
    assert not (project / "models").exists()


def test_an_editor_sees_every_publication_and_puts_an_earlier_one_back(
    project: Path, tmp_path: Path, test_model: Path
) -> None:
    # The bot's published model, trained from this content (as `make run` records it).
    published = project / "models" / "nav.tar.gz"
    published.parent.mkdir()
    shutil.copy(test_model, published)
    adopt(published, project, project / "config.yml")
    first_texts = read_snapshot(texts_path(published))
    # No Rasa: the texts go live, a restore waits for the next start.
    with content_service(project, TOKEN, f"http://127.0.0.1:{free_port()}", log=tmp_path / "c.log") as url:
        status, listed = call(f"{url}/publications")
        assert status == 200 and [(p["id"], p["kind"], p["current"], p["restorable"]) for p in listed] == [
            (1, "start", True, True)
        ]
        _, entry = call(f"{url}/faqs/dagpenger_soke")
        answer = entry["answer"].replace("Først", "Aller først")
        body = {"answer": answer, "examples": entry["examples"], "version": entry["version"]}
        assert call(f"{url}/faqs/dagpenger_soke", "PUT", body)[0] == 200
        assert call(f"{url}/publish", "POST")[0] == 202
        assert _wait_for_end(url)["route"] == "texts"

        _, listed = call(f"{url}/publications")
        newest = listed[0]
        assert [p["id"] for p in listed] == [2, 1] and [p["current"] for p in listed] == [True, False]
        assert (newest["kind"], newest["by"], newest["scores"]) == ("texts", "kari", None)
        assert newest["faqs"] == {"dagpenger_soke": "Hvordan søker jeg om dagpenger?"}
        assert newest["model_id"] == listed[1]["model_id"] == model_id(published)
        assert "Aller først" in read_snapshot(texts_path(published))[ANSWER][0]["text"]

        status, started = call(f"{url}/publications/1/restore", "POST")
        assert status == 202 and started["by"] == "kari"
        ended = _wait_for_end(url)
        assert (ended["state"], ended["message"], ended["route"]) == (
            "succeeded",
            RESTORE_NOT_RUNNING,
            "restore",
        )
        assert read_snapshot(texts_path(published)) == first_texts
        # The saved text is not live any more: it waits to be published again.
        assert call(f"{url}/publish")[1]["unpublished"] == ["dagpenger_soke"]
        _, listed = call(f"{url}/publications")
        assert (listed[0]["id"], listed[0]["kind"], listed[0]["restored_from"]) == (3, "restore", 1)

        # Clear errors for what cannot be put back.
        status, body = call(f"{url}/publications/99/restore", "POST")
        assert status == 404 and body["error"] == "not_kept"
        assert call(f"{url}/publications/abc/restore", "POST")[0] == 404
        assert call(f"{url}/publications", token="wrong")[0] == 401


def test_an_editor_saves_the_english_answer_and_sees_when_it_is_older(service: str) -> None:
    url = f"{service}/faqs/dagpenger_soke"
    status, entry = call(url)
    assert status == 200 and entry["answer_en"] and entry["english"] == "current"
    body = {"answer": entry["answer"], "examples": entry["examples"], "version": entry["version"]}

    for bad in (7, ["text"], {"en": "x"}):
        status, error = call(url, "PUT", {**body, "answer_en": bad})
        assert status == 400 and error["error"] == "invalid_request", error
    status, error = call(url, "PUT", {**body, "answer_en": "Apply on nav.no."})
    assert status == 422 and error["problems"][0]["field"] == "answer_en", error
    assert call(url)[1]["version"] == entry["version"]  # nothing was written

    answer_en = entry["answer_en"].replace("First,", "First of all,")
    status, saved = call(url, "PUT", {**body, "answer_en": answer_en})
    assert status == 200 and saved["answer_en"] == answer_en and saved["english"] == "current"
    assert saved["unpublished"] and saved["changes"][0]["answer_en_changed"]

    # The Norwegian answer changes (answer_en left out: the English one stays as it is).
    nb = {"answer": saved["answer"].replace("Først", "Aller først"), "examples": saved["examples"]}
    status, changed = call(url, "PUT", {**nb, "version": saved["version"], "answer_en": None})
    assert status == 200 and changed["answer_en"] == answer_en
    assert changed["english"] == "stale"
    assert changed["english_text"] == "Engelsk svar er eldre enn det norske"
    status, listed = call(f"{service}/faqs")
    assert next(f for f in listed if f["id"] == "dagpenger_soke")["english"] == "stale"
