"""The editors' content API: the hub over real HTTP in front of the bot's real content service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from hub.rules import texts
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, PASSWORD, create_advisor
from tests.stack import Proc, copy_content, start_content_service, start_hub

TOKEN = "content-token-for-tests"


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, Path]]:
    root = copy_content(tmp_path_factory.mktemp("content") / "project")
    # No Rasa behind it: these tests edit; publishing is tested in the browser tests.
    service = start_content_service(root, token=TOKEN, rasa_url=CLOSED_PORT_URL)
    yield service, root
    service.stop()


@pytest.fixture(scope="module")
def hub(content: tuple[Proc, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    url = f"sqlite:///{tmp_path_factory.mktemp('content-hub') / 'hub.db'}"
    create_advisor(url, "redaktor", role="editor")
    create_advisor(url, "bjørn", role="editor")
    create_advisor(url, "kari")
    env = {**HUB_ENV, "HUB_CONTENT_URL": content[0].url, "HUB_CONTENT_TOKEN": TOKEN}
    proc = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=env)
    yield proc
    proc.stop()


def login(hub: Proc, username: str) -> dict[str, str]:
    r = httpx.post(
        f"{hub.url}/api/advisor/login", json={"username": username, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_an_editor_changes_an_answer_through_the_hub(hub: Proc, content: tuple[Proc, Path]) -> None:
    auth = login(hub, "redaktor")
    listed = httpx.get(f"{hub.url}/api/content/faqs", headers=auth)
    assert listed.status_code == 200 and len(listed.json()) == 55
    entry = httpx.get(f"{hub.url}/api/content/faqs/aap_soke", headers=auth).json()
    examples = [*entry["examples"], "hvordan søker jeg aap når sykepengene tar slutt snart"]
    saved = httpx.put(
        f"{hub.url}/api/content/faqs/aap_soke",
        headers=auth,
        json={"answer": entry["answer"], "examples": examples, "version": entry["version"]},
    )
    assert saved.status_code == 200, saved.text
    # The hub tells the service who the editor is; the service records it.
    assert saved.json()["changes"][0]["editor"] == "redaktor"
    assert examples[-1] in (content[1] / "data" / "faq" / "helse.yml").read_text("utf-8")
    status = httpx.get(f"{hub.url}/api/content/publish", headers=auth).json()
    assert status["unpublished"] == ["aap_soke"]

    refused = httpx.put(
        f"{hub.url}/api/content/faqs/aap_soke",
        headers=auth,
        json={"answer": "", "examples": examples, "version": saved.json()["version"]},
    )
    assert refused.status_code == 422
    assert refused.json()["problems"] == [
        {"field": "answer", "message": "Svaret kan ikke være tomt."}
    ]
    missing = httpx.put(f"{hub.url}/api/content/faqs/aap_soke", headers=auth, json={"answer": "x"})
    assert (
        missing.status_code == 400
        and missing.json()["message"] == "Send svar, eksempler og versjon."
    )


def test_a_personal_number_in_an_answer_or_example_is_refused_and_never_written(
    hub: Proc, content: tuple[Proc, Path]
) -> None:
    auth = login(hub, "redaktor")
    entry = httpx.get(f"{hub.url}/api/content/faqs/dagpenger_rett", headers=auth).json()
    topic_files = list((content[1] / "data" / "faq").glob("*.yml"))
    before = {f: f.read_text("utf-8") for f in topic_files}
    # As a question copied from the unanswered list could read before masking, and as
    # an editor could type one (12038910076 is made up, with valid check digits).
    example = "har jeg rett på dagpenger, fnr 120389-10076"
    answer = entry["answer"].replace(". ", ". Oppgi f.nr. 12 03 89 10076. ", 1)
    refused = httpx.put(
        f"{hub.url}/api/content/faqs/dagpenger_rett",
        headers=auth,
        json={
            "answer": answer,
            "examples": [*entry["examples"], example],
            "version": entry["version"],
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["problems"] == [
        {"field": "answer", "message": "Svaret har et fødselsnummer. Fjern det."},
        {
            "field": "examples",
            "message": "«har jeg rett på dagpenger, fnr [fødselsnummer fjernet]» "
            "har et fødselsnummer. Fjern det.",
        },
    ]
    assert {f: f.read_text("utf-8") for f in topic_files} == before


def test_an_editor_saves_the_english_answer_through_the_hub_and_sees_it_go_stale(
    hub: Proc, content: tuple[Proc, Path]
) -> None:
    auth = login(hub, "redaktor")
    url = f"{hub.url}/api/content/faqs/sykepenger_soknad"
    entry = httpx.get(url, headers=auth).json()
    assert entry["answer_en"] and entry["english"] == "current"
    body = {"answer": entry["answer"], "examples": entry["examples"], "version": entry["version"]}

    wrong_type = httpx.put(url, headers=auth, json={**body, "answer_en": 12})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["message"] == "Det engelske svaret må være tekst."
    no_link = httpx.put(url, headers=auth, json={**body, "answer_en": "Apply on nav.no."})
    assert no_link.status_code == 422, no_link.text
    assert [p["field"] for p in no_link.json()["problems"]] == ["answer_en"]
    assert no_link.json()["problems"][0]["message"].startswith("På engelsk: Svaret må ha lenken")

    # The same English text, saved (trimmed): the editor says it fits the Norwegian one.
    answer_en = entry["answer_en"]
    saved = httpx.put(url, headers=auth, json={**body, "answer_en": "  " + answer_en + "  "})
    assert saved.status_code == 200, saved.text
    assert saved.json()["answer_en"] == answer_en and saved.json()["english"] == "current"
    changed = httpx.put(
        url,
        headers=auth,
        json={
            "answer": "Kort sagt: " + entry["answer"],
            "examples": entry["examples"],
            "version": saved.json()["version"],
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["english"] == "stale"
    assert changed.json()["english_text"] == "Engelsk svar er eldre enn det norske"


def test_the_editors_name_travels_as_ascii() -> None:
    from hub.adapters.content import editor_header

    # HTTP header values are ASCII (httpx refuses anything else): æøå are percent-encoded,
    # and a plain name goes as it is, so the content service sees no change for it.
    assert editor_header("bjørn") == "bj%C3%B8rn"
    assert editor_header("kari.nordmann@nav") == "kari.nordmann@nav"
    assert editor_header("50%") == "50%25"  # a literal % survives the decoding
    assert editor_header("a\r\nX-Other: 1") == "a%0D%0AX-Other: 1"
    for name in ("bjørn", "åse øvre", "50%", "kari"):
        assert unquote(editor_header(name)) == name


def test_an_editor_with_aeoeaa_in_the_user_name_can_edit(
    hub: Proc, content: tuple[Proc, Path]
) -> None:
    auth = login(hub, "bjørn")
    listed = httpx.get(f"{hub.url}/api/content/faqs", headers=auth)
    assert listed.status_code == 200, listed.text
    entry = httpx.get(f"{hub.url}/api/content/faqs/dagpenger_soke", headers=auth).json()
    examples = [*entry["examples"], "hvordan søker jeg dagpenger når jeg er permittert nå"]
    saved = httpx.put(
        f"{hub.url}/api/content/faqs/dagpenger_soke",
        headers=auth,
        json={"answer": entry["answer"], "examples": examples, "version": entry["version"]},
    )
    assert saved.status_code == 200, saved.text
    # The service records the name as it got it: percent-encoded until it decodes the
    # header (the one-line change is in docs/contracts/content-api.md).
    assert saved.json()["changes"][0]["editor"] == "bjørn"  # decoded by the content service


def test_only_editors_reach_the_content(hub: Proc) -> None:
    assert httpx.get(f"{hub.url}/api/content/faqs").status_code == 401
    denied = httpx.get(f"{hub.url}/api/content/faqs", headers=login(hub, "kari"))
    assert denied.status_code == 403 and denied.json()["message"] == texts.CONTENT_EDITORS_ONLY


@pytest.mark.parametrize("setting", ["unset", "wrong token"])
def test_a_missing_content_service_is_said_plainly(
    setting: str, tmp_path: Path, content: tuple[Proc, Path]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    create_advisor(url, "redaktor", role="editor")
    env = dict(HUB_ENV)
    if setting == "wrong token":
        env |= {"HUB_CONTENT_URL": content[0].url, "HUB_CONTENT_TOKEN": "wrong"}
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=env)
    try:
        r = httpx.get(f"{hub.url}/api/content/faqs", headers=login(hub, "redaktor"))
        assert r.status_code == 503 and r.json()["error"] == "content_unavailable"
    finally:
        hub.stop()


def test_editors_read_the_publication_history_through_the_hub(hub: Proc) -> None:
    auth = login(hub, "redaktor")
    # No published model in this copy: an empty history, and nothing to put back.
    listed = httpx.get(f"{hub.url}/api/content/publications", headers=auth)
    assert listed.status_code == 200 and listed.json() == []
    gone = httpx.post(f"{hub.url}/api/content/publications/1/restore", headers=auth)
    assert gone.status_code == 404 and gone.json()["error"] == "not_kept"
    assert gone.json()["message"].startswith("Denne publiseringen kan ikke tas i bruk igjen")
    # Advisors are not editors.
    advisor = login(hub, "kari")
    assert httpx.get(f"{hub.url}/api/content/publications", headers=advisor).status_code == 403
    refused = httpx.post(f"{hub.url}/api/content/publications/1/restore", headers=advisor)
    assert refused.status_code == 403
