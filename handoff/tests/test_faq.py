"""The advisors' FAQ search: reading Rasa's domain, ranking, the cache in front of Rasa,
and the Norwegian folding shared with the bot (tests/data/folding-cases.yml)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from hub.adapters.faq_source import FaqSource
from hub.adapters.rasa import RasaClient
from hub.errors import FaqUnavailable
from hub.rules.faq import entries_from_domain, search, words
from hub.rules.folding import normalise
from tests.fake_rasa import FakeRasa
from tests.stack import REPO

# The cases the bot checks too (tests/nlu/test_folding_cases.py): one file, no drift.
FOLDING_CASES: list[dict[str, str]] = yaml.safe_load(
    (REPO / "tests" / "data" / "folding-cases.yml").read_text("utf-8")
)


def _answer(text: str, tema: str, title: str) -> list[dict[str, Any]]:
    return [{"text": text, "metadata": {"tema": tema, "title": title}}]


DOMAIN: dict[str, Any] = {
    "version": "3.1",
    "intents": ["faq"],
    "responses": {
        "utter_welcome": [{"text": "Hei! Jeg er Navs chatbot."}],
        "utter_faq/dagpenger_soke": _answer(
            "Først registrerer du deg som arbeidssøker. Så søker du om dagpenger på nav.no.",
            "arbeid",
            "Hvordan søker jeg om dagpenger?",
        ),
        "utter_faq/dagpenger_utbetaling": _answer(
            "Dagpengene utbetales etter at du har sendt meldekortet.",
            "arbeid",
            "Når får jeg utbetalt dagpenger?",
        ),
        "utter_faq/barnetrygd": _answer(
            "Barnetrygd får du for barn under 18 år som bor hos deg.",
            "familie",
            "Hvem får barnetrygd?",
        ),
        "utter_faq/sykt_barn": _answer(
            "Når barnet ditt er sykt, kan du ha rett til omsorgsdager.",
            "familie",
            "Hva gjør jeg når barnet er sykt?",
        ),
        "utter_faq/okonomisk_sosialhjelp": _answer(
            "Økonomisk sosialhjelp er en ytelse for deg som ikke kan forsørge deg selv.",
            "sosial",
            "Hvordan søker jeg om økonomisk sosialhjelp?",
        ),
        "utter_faq/uten_tittel": [{"text": "Et svar uten metadata."}],
        "utter_faq/tom": [],
        "utter_faq/bilde": [{"image": "https://example.org/x.png"}],
    },
}


def ids(query: str) -> list[str]:
    return [e.id for e in search(entries_from_domain(DOMAIN), query)]


def test_entries_are_the_faq_responses_with_their_metadata() -> None:
    entries = entries_from_domain(DOMAIN)
    assert [e.id for e in entries] == [
        "dagpenger_soke",
        "dagpenger_utbetaling",
        "barnetrygd",
        "sykt_barn",
        "okonomisk_sosialhjelp",
        "uten_tittel",
    ]
    assert entries[0].json() == {
        "id": "dagpenger_soke",
        "topic": "arbeid",
        "question": "Hvordan søker jeg om dagpenger?",
        "answer": "Først registrerer du deg som arbeidssøker. Så søker du om dagpenger på nav.no.",
    }
    assert entries[-1].json()["topic"] == "generell"
    assert entries[-1].json()["question"] == "uten tittel"


@pytest.mark.parametrize("domain", [[], {}, {"responses": []}, "ikke et domene"])
def test_a_domain_without_responses_is_refused(domain: Any) -> None:
    with pytest.raises(ValueError):
        entries_from_domain(domain)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Søke", "soke"),
        ("SOEKE", "soke"),
        ("soke", "soke"),
        ("Økonomisk", "okonomisk"),
        ("paa", "pa"),
        ("Ærlig", "aerlig"),
        ("café", "cafe"),
    ],
)
def test_normalise_writes_norwegian_letters_and_their_ascii_spellings_alike(
    text: str, expected: str
) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("case", FOLDING_CASES, ids=[c["word"] for c in FOLDING_CASES])
def test_the_hub_folds_each_case_shared_with_the_bot(case: dict[str, str]) -> None:
    assert normalise(case["word"]) == case["folded"]


def test_aap_is_kept_in_a_sentence_and_other_accents_are_dropped() -> None:
    assert normalise("Søke om AAP på nav.no?") == "soke om aap pa nav.no?"
    assert normalise("aap-søknaden og åpningstider") == "aap-soknaden og apningstider"
    assert normalise("Señor Ærlig") == "senor aerlig"  # beyond the bot: any accent
    assert words("Når får jeg AAP?") == {"far", "aap"}


def test_words_drop_small_words_and_keep_stems() -> None:
    assert words("Hvordan søker jeg om dagpenger på nav.no?") == {"sok", "dagpeng"}
    assert words("  ?! ") == set()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dagpenger", "dagpenger_soke"),
        ("søke dagpenger", "dagpenger_soke"),
        ("soeke dagpenger", "dagpenger_soke"),
        ("soke dagpenger", "dagpenger_soke"),
        ("DAGPENGER UTBETALING", "dagpenger_utbetaling"),
        ("meldekort", "dagpenger_utbetaling"),  # only in the answer
        ("barnetrygd", "barnetrygd"),
        ("sykt barn", "sykt_barn"),
        ("okonomisk", "okonomisk_sosialhjelp"),
        ("dagpengesøknad", "dagpenger_soke"),  # a compound nobody wrote
        ("sosial", "okonomisk_sosialhjelp"),  # the start of a compound
    ],
)
def test_ranking_puts_the_obvious_answer_first(query: str, first: str) -> None:
    assert ids(query)[0] == first


def test_title_counts_more_than_answer() -> None:
    domain = {
        "responses": {
            "utter_faq/a": _answer("Husk meldekortet hver fjortende dag.", "arbeid", "Frister"),
            "utter_faq/b": _answer("Du sender det på nav.no.", "arbeid", "Sende meldekort"),
        }
    }
    assert [e.id for e in search(entries_from_domain(domain), "meldekort")] == ["b", "a"]


def test_rare_words_count_more_than_common_ones() -> None:
    # «dagpenger» is in two entries, «registrerer» in one: the rarer word decides.
    assert ids("dagpenger registrerer")[0] == "dagpenger_soke"
    assert ids("dagpenger meldekortet")[0] == "dagpenger_utbetaling"


def test_a_longer_word_does_not_match_its_prefix() -> None:
    # «barnetrygd» is about barnetrygd, not about every text that says «barn».
    assert ids("barnetrygd") == ["barnetrygd"]


def test_no_match_and_empty_queries_give_nothing() -> None:
    assert ids("skatt") == []
    assert ids("") == []
    assert ids("hvordan jeg på") == []  # only small words
    assert search([], "dagpenger") == []


def test_limit() -> None:
    entries = entries_from_domain(DOMAIN)
    assert len(search(entries, "dagpenger barnetrygd sosialhjelp", limit=2)) == 2


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_source_caches_refreshes_and_serves_the_last_good_copy() -> None:
    ticks = Ticks()
    with FakeRasa() as rasa:
        rasa.domain = DOMAIN
        async with httpx.AsyncClient() as http:
            source = FaqSource(RasaClient(rasa.url, 2, http), ttl=300, monotonic=ticks)
            assert len(await source.entries()) == 6
            ticks.now += 299
            await source.entries()
            assert rasa.calls_to("/domain") == 1  # cached
            rasa.domain = {"responses": {"utter_faq/ny": _answer("Nytt svar.", "arbeid", "Ny?")}}
            ticks.now += 2
            assert [e.id for e in await source.entries()] == ["ny"]
            assert rasa.calls_to("/domain") == 2
            rasa.up = False
            ticks.now += 301
            assert [e.id for e in await source.entries()] == ["ny"]  # stale beats nothing
            assert rasa.calls_to("/domain") == 3
            ticks.now += 1
            await source.entries()
            assert rasa.calls_to("/domain") == 3  # not asked again right after a failure
        assert all(h["accept"] == "application/json" for h in rasa.headers_of("/domain"))


async def test_source_without_any_copy_is_unavailable() -> None:
    ticks = Ticks()
    with FakeRasa() as rasa:
        rasa.domain = DOMAIN
        rasa.up = False
        async with httpx.AsyncClient() as http:
            source = FaqSource(RasaClient(rasa.url, 2, http), retry_seconds=10, monotonic=ticks)
            with pytest.raises(FaqUnavailable) as err:
                await source.entries()
            assert err.value.status == 503 and err.value.code == "faq_unavailable"
            assert "chatboten" in err.value.message
            rasa.up = True
            with pytest.raises(FaqUnavailable):
                await source.entries()  # within the retry pause
            ticks.now += 10
            assert len(await source.entries()) == 6
