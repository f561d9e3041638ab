"""The live texts and the NLG server: every bot message comes from the published snapshot."""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.paths import PROJECT_ROOT
from bot.runtime.live_texts import (
    LiveTexts,
    project_responses,
    read_snapshot,
    snapshot_digest,
    texts_digest,
    texts_path,
    without_texts,
    write_snapshot,
)
from bot.runtime.nlg_server import render
from bot.runtime.processes import nlg_server


def _copy(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "domain.yml", target / "domain.yml")
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    return target


def test_the_snapshot_holds_every_response_of_the_domain_and_the_faq_answers(
    tmp_path: Path, domain_dict: dict[str, Any]
) -> None:
    responses = project_responses(PROJECT_ROOT)
    # Exactly the responses Rasa merges into the model's domain.
    assert set(responses) == set(domain_dict["responses"])
    assert responses["utter_faq/dagpenger_soke"][0]["metadata"]["tema"] == "arbeid"
    path = texts_path(tmp_path / "models" / "nav.tar.gz")
    assert path.name == "nav.texts.json"
    write_snapshot(path, responses)
    assert read_snapshot(path) == responses
    assert snapshot_digest(path) == texts_digest(responses)
    assert snapshot_digest(tmp_path / "missing.json") is None
    assert [p.name for p in path.parent.iterdir()] == ["nav.texts.json"]  # no temporary file left
    assert path.stat().st_mode & 0o444 == 0o444  # every instance's NLG server may read it


def test_without_texts_keeps_what_a_model_depends_on() -> None:
    responses = {
        "utter_a": [
            {
                "text": "Hei {name}",
                "buttons": [{"title": "Ja", "payload": "/affirm"}],
                "metadata": {"tema": "x"},
            }
        ],
        "utter_b": [
            {"text": "En"},
            {"text": "To", "condition": [{"type": "slot", "name": "s", "value": True}]},
        ],
    }
    assert without_texts(responses) == {
        "utter_a": [{"metadata": {"tema": "x"}}],
        "utter_b": [{}, {"condition": [{"type": "slot", "name": "s", "value": True}]}],
    }


def test_rendering_fills_slots_and_arguments_keeps_buttons_and_follows_conditions() -> None:
    responses: dict[str, list[dict[str, Any]]] = {
        "utter_queued": [{"text": "Du er nummer {position}. Tema: {topic}."}],
        "utter_help": [
            {"text": "Trykk på knappen.", "buttons": [{"title": "Snakk med en veileder", "payload": "/request_human"}],
             "custom": {"nav_signal": "out_of_scope"}},
        ],
        "utter_open": [
            {"text": "Vi har åpent.", "condition": [{"type": "slot", "name": "open", "value": True}]},
            {"text": "Vi har stengt."},
        ],
        "utter_web": [{"text": "Nettleser", "channel": "rest"}, {"text": "Annet"}],
    }  # fmt: skip
    assert render(responses, "utter_queued", {"topic": "arbeid"}, "rest", {"position": 3}) == {
        "text": "Du er nummer 3. Tema: arbeid."
    }
    helped = render(responses, "utter_help")
    assert helped["buttons"] == [{"title": "Snakk med en veileder", "payload": "/request_human"}]
    assert helped["custom"] == {"nav_signal": "out_of_scope"}
    assert render(responses, "utter_open", {"open": True})["text"] == "Vi har åpent."
    assert render(responses, "utter_open", {"open": False})["text"] == "Vi har stengt."
    assert render(responses, "utter_web", {}, "rest")["text"] == "Nettleser"
    assert render(responses, "utter_web", {}, "socketio")["text"] == "Annet"
    assert render(responses, "utter_missing") == {}


def test_the_published_texts_answer_in_the_conversations_language() -> None:
    responses = project_responses(PROJECT_ROOT)
    english = render(responses, "utter_faq/dagpenger_soke", {"language": "en"})
    norwegian = render(responses, "utter_faq/dagpenger_soke", {"language": "nb"})
    assert english["text"].startswith("First, register as a job seeker")
    assert norwegian["text"].startswith("Først registrerer du deg")
    assert render(responses, "utter_faq/dagpenger_soke", {})["text"] == norwegian["text"]
    queued = render(
        responses, "utter_handoff_queued", {"language": "en"}, None, {"position": 2, "wait": "4 minutes"}
    )
    assert queued["text"].startswith("I am transferring you to an advisor. You are number 2 in the queue")
    assert "about 4 minutes." in queued["text"]


def test_a_replaced_snapshot_is_read_on_the_next_request_and_a_broken_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "nav.texts.json"
    write_snapshot(path, {"utter_a": [{"text": "Før"}]})
    live = LiveTexts(path)
    assert live.responses()["utter_a"][0]["text"] == "Før"
    write_snapshot(path, {"utter_a": [{"text": "Etter"}]})
    assert live.responses()["utter_a"][0]["text"] == "Etter"
    path.write_text("{ broken", "utf-8")
    os.utime(path, ns=(1, 1))
    assert live.responses()["utter_a"][0]["text"] == "Etter"  # the last good texts
    with pytest.raises(ValueError):
        LiveTexts(path)  # but a server does not start without readable texts


def _post(url: str, body: object, token: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_nlg_server_answers_rasa_from_the_published_texts_and_nobody_else(tmp_path: Path) -> None:
    root = _copy(tmp_path / "project")
    texts = tmp_path / "nav.texts.json"
    write_snapshot(texts, project_responses(root))
    with nlg_server(texts, log=tmp_path / "nlg.log") as server:
        request = {
            "response": "utter_faq/dagpenger_soke",
            "arguments": {},
            "tracker": {"sender_id": "x", "slots": {"faq_id": None}, "events": []},
            "channel": {"name": "rest"},
        }
        assert _post(server.url, request, None)[0] == 401
        assert _post(server.url, request, "wrong-token-wrong-token")[0] == 401
        status, message = _post(server.url, request, server.token)
        assert status == 200 and message["text"].startswith("Først registrerer du deg")
        assert message["metadata"]["title"] == "Hvordan søker jeg om dagpenger?"
        # Every message says its language, for the hub (a greeting as much as an answer).
        assert message["custom"] == {"nav_language": "nb"}
        greeting = {**request, "response": "utter_greet", "tracker": {"slots": {"language": "en"}}}
        status, message = _post(server.url, greeting, server.token)
        assert status == 200 and message["custom"] == {"nav_language": "en"}
        assert not any(ch in message["text"] for ch in "æøå")
        assert _post(server.url, b"not json", server.token)[0] == 400
        assert _post(server.url, {"response": 3}, server.token)[0] == 400

        # A publish replaces the file: the next request carries the new text.
        topic = root / "data" / "faq" / "arbeid.yml"
        topic.write_text(
            topic.read_text("utf-8").replace(
                "Først registrerer du deg", "Det første du gjør, er å registrere deg"
            ),
            "utf-8",
        )
        write_snapshot(texts, project_responses(root))
        status, message = _post(server.url, request, server.token)
        assert message["text"].startswith("Det første du gjør, er å registrere deg")
        assert _post(server.url, {**request, "response": "utter_finnes_ikke"}, server.token) == (200, {})
    assert "Først registrerer" not in (tmp_path / "nlg.log").read_text("utf-8")  # no tracker, no text logged
