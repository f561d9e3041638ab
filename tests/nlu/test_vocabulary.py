from __future__ import annotations

from bot.nlu.vocabulary import Vocabulary

VOCAB = Vocabulary(
    ["dagpenger", "sykepenger", "soknad", "foreldrepenger", "meldekort", "arbeid", "ledig", "barnetrygd"]
)


def test_a_typo_is_corrected_to_the_training_word() -> None:
    assert VOCAB.correct("dagpnger") == "dagpenger"
    assert VOCAB.correct("meldekrt") == "meldekort"


def test_known_short_and_far_words_are_not_corrected() -> None:
    assert VOCAB.correct("dagpenger") is None
    assert VOCAB.correct("hei") is None
    assert VOCAB.correct("pizza") is None


def test_a_joined_compound_splits_into_known_parts() -> None:
    assert VOCAB.split_compound("sykepengersoknad") == ["sykepenger", "soknad"]
    assert VOCAB.split_compound("arbeidsledig") == ["arbeid", "ledig"]


def test_no_split_without_two_known_parts() -> None:
    assert VOCAB.split_compound("grunnstonad") == []


def test_a_split_compound_joins_into_the_known_word() -> None:
    assert Vocabulary(["dagpenger"]).join_pair("dag", "penger") == "dagpenger"
    assert Vocabulary(["arbeidsledig"]).join_pair("arbeid", "ledig") == "arbeidsledig"  # linking s
    assert VOCAB.join_pair("barne", "hage") is None
