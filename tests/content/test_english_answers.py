"""The English answer on the editors' page: saved beside the Norwegian one, checked by the
rules for English answers, and flagged when missing or older than the Norwegian one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import english
from bot.content.english import EnglishState, english_state, fingerprint
from bot.content.store import FaqStore, Invalid
from bot.runtime.live_texts import EDITOR_METADATA, without_texts
from bot.runtime.training import model_fingerprint

NB = "Søk på nav.no. Les mer på https://www.nav.no/dagpenger"


def test_an_english_answer_is_missing_stale_or_current() -> None:
    assert english_state(NB, None, None) == EnglishState.missing
    assert english_state(NB, "  ", fingerprint(NB)) == EnglishState.missing
    assert english_state(NB, "Apply on nav.no.", fingerprint(NB)) == EnglishState.current
    assert english_state(NB + " Ny setning.", "Apply on nav.no.", fingerprint(NB)) == EnglishState.stale
    # Written by hand in the files, without a record of its Norwegian text: nothing says it is old.
    assert english_state(NB, "Apply on nav.no.", None) == EnglishState.current
    # Spaces around the Norwegian text are no change.
    assert english_state(f" {NB}\n", "Apply on nav.no.", fingerprint(NB)) == EnglishState.current
    assert english.STATE_TEXTS[EnglishState.stale] == "Engelsk svar er eldre enn det norske"
    assert english.STATE_TEXTS[EnglishState.missing] == "Engelsk svar mangler"


def test_an_english_answer_without_a_record_was_written_from_the_first_norwegian_text() -> None:
    assert english.written_from("abc", NB) == "abc"
    assert english.written_from(None, NB) == fingerprint(NB)
    assert english.written_from(None, None) is None


def test_the_record_is_no_part_of_the_models_fingerprint(project: Path) -> None:
    assert english.TRANSLATED_FROM in EDITOR_METADATA
    responses = {"utter_faq/x": [{"text": "a", "metadata": {"tema": "arbeid", "translated_from": "abc"}}]}
    assert without_texts(responses) == {"utter_faq/x": [{"metadata": {"tema": "arbeid"}}]}
    before = model_fingerprint(project, project / "config.yml")
    path = project / "data" / "faq" / "arbeid.yml"
    text = path.read_text("utf-8")
    marker = '      title: "How do I apply for unemployment benefit?"\n'
    assert marker in text
    path.write_text(text.replace(marker, marker + "      translated_from: 0123456789abcdef\n"), "utf-8")
    assert model_fingerprint(project, project / "config.yml") == before


def test_an_editor_saves_the_english_answer_and_it_is_written_with_its_record(
    store: FaqStore, project: Path
) -> None:
    entry = store.get("dagpenger_soke")
    assert entry.english == EnglishState.current and entry.answer_en
    answer_en = entry.answer_en.replace("First,", "First of all,")
    saved = store.save("dagpenger_soke", entry.answer, entry.examples, entry.version, "kari", answer_en)
    assert saved.answer_en == answer_en and saved.english == EnglishState.current
    assert saved.version != entry.version  # an English change is a change (conflicts, publish)
    data = yaml.safe_load((project / "data" / "faq" / "arbeid.yml").read_text("utf-8"))
    [nb, en] = data["responses"]["utter_faq/dagpenger_soke"]
    assert en["text"] == answer_en and en["condition"] == [
        {"type": "slot", "name": "language", "value": "en"}
    ]
    assert en["metadata"] == {
        "tema": "arbeid",
        "title": "How do I apply for unemployment benefit?",
        "translated_from": fingerprint(nb["text"]),
    }
    [change] = store.changes("dagpenger_soke")
    assert change["answer_en_changed"] and not change["answer_changed"]
    assert change["before"]["answer_en"] == entry.answer_en


def test_a_norwegian_change_after_the_english_one_shows_it_as_older(store: FaqStore) -> None:
    entry = store.get("dagpenger_soke")
    entry = store.save("dagpenger_soke", entry.answer, entry.examples, entry.version, "kari", entry.answer_en)
    assert entry.english == EnglishState.current
    changed = store.save(
        "dagpenger_soke", entry.answer.replace("Først", "Aller først"), entry.examples, entry.version, "ola"
    )
    assert changed.english == EnglishState.stale
    assert changed.as_json()["english_text"] == "Engelsk svar er eldre enn det norske"
    assert changed.summary()["english"] == "stale"
    # Saving the English text again (the editor checked it) makes it current.
    again = store.save(
        "dagpenger_soke", changed.answer, changed.examples, changed.version, "kari", changed.answer_en
    )
    assert again.english == EnglishState.current


def test_a_norwegian_change_to_an_answer_never_saved_here_shows_the_english_as_older(store: FaqStore) -> None:
    entry = store.get("aap_soke")
    assert entry.translated_from is None and entry.english == EnglishState.current
    changed = store.save("aap_soke", "Kort: " + entry.answer, entry.examples, entry.version, "kari")
    assert changed.english == EnglishState.stale and changed.answer_en == entry.answer_en
    # Put back as it was (the page's "Hent tilbake"): current again.
    back = store.save("aap_soke", entry.answer, entry.examples, changed.version, "kari")
    assert back.english == EnglishState.current


def test_the_rules_for_english_answers_refuse_a_bad_english_text(store: FaqStore, project: Path) -> None:
    path = project / "data" / "faq" / "arbeid.yml"
    before = path.read_text("utf-8")
    entry = store.get("dagpenger_soke")
    for bad, said in [
        ("", "Svaret på engelsk mangler."),
        ("Apply on nav.no.", "På engelsk: Svaret må ha lenken https://www.nav.no/dagpenger."),
        (
            "Apply at https://www.nav.no/dagpengerr or https://www.nav.no/dagpenger",
            "På engelsk: Boten kjenner ikke lenken https://www.nav.no/dagpengerr",
        ),
    ]:
        with pytest.raises(Invalid) as invalid:
            store.save("dagpenger_soke", entry.answer, entry.examples, entry.version, "kari", bad)
        assert any(p.field == "answer_en" and p.message.startswith(said) for p in invalid.value.problems)
    assert path.read_text("utf-8") == before and not store.history.exists()


def test_a_missing_english_answer_is_flagged_and_made_by_the_first_save(
    store: FaqStore, project: Path
) -> None:
    path = project / "data" / "faq" / "arbeid.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    variations = data["responses"]["utter_faq/dagpenger_soke"]
    # Take the English variation out, as a new answer would be.
    text = path.read_text("utf-8")
    start = text.index("  - condition:", text.index("utter_faq/dagpenger_soke:"))
    end = text.index("  utter_faq/", start)
    path.write_text(text[:start] + text[end:], "utf-8")
    entry = store.get("dagpenger_soke")
    assert entry.answer_en is None and entry.english == EnglishState.missing
    assert entry.as_json()["english_text"] == "Engelsk svar mangler"
    # The Norwegian text alone can still be saved; the English one stays missing.
    entry = store.save(
        "dagpenger_soke", entry.answer, [*entry.examples, "dagpenger søke hvor da"], entry.version, "kari"
    )
    assert entry.english == EnglishState.missing
    saved = store.save(
        "dagpenger_soke", entry.answer, entry.examples, entry.version, "kari", variations[1]["text"]
    )
    assert saved.english == EnglishState.current and saved.answer_en == variations[1]["text"]
    [nb, en] = yaml.safe_load(path.read_text("utf-8"))["responses"]["utter_faq/dagpenger_soke"]
    assert en["condition"] == [{"type": "slot", "name": "language", "value": "en"}]
    assert en["metadata"]["tema"] == "arbeid" and en["metadata"]["translated_from"] == fingerprint(nb["text"])
