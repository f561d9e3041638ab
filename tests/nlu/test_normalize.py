from __future__ import annotations

import pytest

from bot.nlu.normalize import clean, fold, normalise_word, stem, to_bokmal


@pytest.mark.parametrize(
    ("spellings", "folded"),
    [
        (["søke", "soeke", "soke"], "soke"),
        (["går", "gaar", "gar"], "gar"),
        (["lære", "laere"], "laere"),
        (["fødsel", "foedsel", "fodsel"], "fodsel"),
    ],
)
def test_fold_maps_every_spelling_of_aeoeaa_to_one_form(spellings: list[str], folded: str) -> None:
    assert {fold(s) for s in spellings} == {folded}


@pytest.mark.parametrize(
    ("dialect", "bokmal"),
    [
        ("eg", "jeg"),
        ("kva", "hva"),
        ("korleis", "hvordan"),
        ("ikkje", "ikke"),
        ("æ", "jeg"),
        ("dagpengar", "dagpenger"),
    ],
)
def test_dialect_and_nynorsk_forms_become_bokmal(dialect: str, bokmal: str) -> None:
    assert to_bokmal(dialect) == bokmal


def test_unknown_words_are_left_alone() -> None:
    assert to_bokmal("sykepenger") == "sykepenger"


def test_clean_lowercases_and_shortens_letter_runs() -> None:
    assert clean("HJELPPPP!!!") == "hjelpp!!"


def test_stem_is_shared_by_inflected_forms_in_every_spelling() -> None:
    assert stem("søknaden") == stem("søknad") == stem("soknad")
    assert stem("dagpengene") == stem("dagpenger")


def test_normalise_word_without_dialect_keeps_the_word() -> None:
    assert normalise_word("kva", dialect=False) == "kva"
    assert normalise_word("kva") == "hva"


def test_the_acronym_aap_is_not_read_as_an_aa_spelling() -> None:
    assert fold("aap") == stem("aap") == "aap"
    assert fold("aapningstider") == fold("åpningstider") == "apningstider"
    # Hyphenated compounds keep the acronym too (spaCy does not split them).
    assert fold("aap-søknaden") == "aap-soknaden"
    assert fold("aap-stoette") == "aap-stotte"
