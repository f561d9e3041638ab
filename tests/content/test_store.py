"""The topic files changed one entry at a time, on a copy of the project's data."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml

from bot.content.checks import catalogue_check
from bot.content.store import Conflict, FaqStore, Invalid, NotFound, load_catalogue
from bot.paths import SHARED


def test_every_catalogue_entry_is_read_with_its_facts_and_link(store: FaqStore) -> None:
    catalogue = load_catalogue(SHARED / "faq-catalog.yml")
    entries = {e.id: e for e in store.entries()}
    assert set(entries) == set(catalogue)
    entry = entries["dagpenger_soke"]
    assert entry.tema == "arbeid" and entry.title and entry.catalogue is not None
    assert entry.catalogue.link in entry.answer and len(entry.examples) >= 15


def test_a_save_changes_only_its_own_entry_and_is_recorded(store: FaqStore, project: Path) -> None:
    path = project / "data" / "faq" / "arbeid.yml"
    before_text = path.read_text("utf-8")
    entry = store.get("dagpenger_soke")
    answer = entry.answer.replace("Først", "Aller først")
    examples = [*entry.examples, "hvor søker jeg dagpenger når jeg er permittert fra jobben min"]
    saved = store.save("dagpenger_soke", answer, examples, entry.version, "kari")

    assert saved.answer == answer and saved.examples == examples and saved.version != entry.version
    changed = [
        line
        for line in difflib.unified_diff(before_text.splitlines(), path.read_text("utf-8").splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 3, changed  # one answer line out, one in, one example added
    # Rasa reads the same structure as before.
    data = yaml.safe_load(path.read_text("utf-8"))
    assert data["responses"]["utter_faq/dagpenger_soke"][0]["metadata"]["tema"] == "arbeid"
    [record] = [json.loads(line) for line in store.history.read_text("utf-8").splitlines()]
    assert record["editor"] == "kari" and record["before"]["answer"] == entry.answer
    assert record["after"]["examples"][-1] == examples[-1]
    assert store.changes("dagpenger_soke")[0]["editor"] == "kari"
    assert catalogue_check(store).ok


def test_a_save_from_an_older_version_is_refused(store: FaqStore) -> None:
    entry = store.get("dagpenger_soke")
    store.save(
        "dagpenger_soke", entry.answer, [*entry.examples, "dagpenger hvor søke det"], entry.version, "kari"
    )
    with pytest.raises(Conflict) as conflict:
        store.save("dagpenger_soke", entry.answer + " ", entry.examples, entry.version, "ola")
    assert conflict.value.current.examples[-1] == "dagpenger hvor søke det"


def test_invalid_content_is_never_written(store: FaqStore, project: Path) -> None:
    path = project / "data" / "faq" / "arbeid.yml"
    before_text = path.read_text("utf-8")
    entry = store.get("dagpenger_soke")
    other = store.get("dagpenger_rett").examples[0]
    with pytest.raises(Invalid) as invalid:
        store.save("dagpenger_soke", "Søk på nav.no.", [*entry.examples[:5], other], entry.version, "kari")
    messages = [p.message for p in invalid.value.problems]
    assert any("lenken" in m for m in messages)
    assert any("minst 15" in m for m in messages)
    assert any("faq/dagpenger_rett" in m for m in messages)
    assert path.read_text("utf-8") == before_text
    assert not store.history.exists()


def test_an_evaluation_sentence_is_refused_as_an_example(store: FaqStore) -> None:
    # One sentence of the dev set, read here and never written: the save must refuse it.
    cases = yaml.safe_load((SHARED / "eval" / "dev.yml").read_text("utf-8"))
    items = cases["cases"] if isinstance(cases, dict) and "cases" in cases else cases
    sentence = next(
        c["text"] for c in items if isinstance(c, dict) and len(str(c.get("text", "")).split()) >= 4
    )
    entry = store.get("dagpenger_soke")
    with pytest.raises(Invalid) as invalid:
        store.save("dagpenger_soke", entry.answer, [*entry.examples, sentence], entry.version, "kari")
    assert any("testsettene" in p.message for p in invalid.value.problems)


def test_an_unknown_id_is_not_found(store: FaqStore) -> None:
    with pytest.raises(NotFound):
        store.get("finnes_ikke")


def test_what_is_saved_stays_unpublished_until_a_publish_records_it(store: FaqStore) -> None:
    assert store.unpublished() == []  # the content found first counts as published
    entry = store.get("dagpenger_soke")
    store.save(
        "dagpenger_soke", entry.answer, [*entry.examples, "dagpenger hvor søke det"], entry.version, "kari"
    )
    assert store.unpublished() == ["dagpenger_soke"]
    store.record_published(store.versions())
    assert store.unpublished() == []


def test_a_change_is_undone_by_saving_the_text_it_replaced(store: FaqStore, project: Path) -> None:
    path = project / "data" / "faq" / "arbeid.yml"
    original_text = path.read_text("utf-8")
    entry = store.get("dagpenger_soke")
    assert store.unpublished() == []
    changed = store.save(
        "dagpenger_soke",
        entry.answer.replace("Først", "Aller først"),
        [*entry.examples[1:], "dagpenger søknad permittert"],
        entry.version,
        "kari",
    )
    [change] = store.changes("dagpenger_soke")
    assert change["editor"] == "kari" and change["answer_changed"]
    assert (change["examples_added"], change["examples_removed"]) == (1, 1)
    assert change["before"] == {
        "answer": entry.answer,
        "examples": entry.examples,
        "answer_en": entry.answer_en,
    }

    before = change["before"]
    store.save("dagpenger_soke", before["answer"], before["examples"], changed.version, "ola")
    # Byte for byte the file from before, so it is what the bot runs again.
    assert path.read_text("utf-8") == original_text
    assert store.unpublished() == []
    assert [c["editor"] for c in store.changes("dagpenger_soke")] == ["ola", "kari"]


def test_the_catalogue_check_flags_an_faq_whose_english_answer_is_missing(
    store: FaqStore, project: Path
) -> None:
    assert store.get("dagpenger_soke").answer_en
    path = project / "data" / "faq" / "arbeid.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["responses"]["utter_faq/dagpenger_soke"] = data["responses"]["utter_faq/dagpenger_soke"][:1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    assert store.get("dagpenger_soke").answer_en is None
    check = catalogue_check(store)
    assert not check.ok
    assert "dagpenger_soke: Svaret på engelsk mangler." in check.output
