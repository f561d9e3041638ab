"""The content rules as plain functions."""

from __future__ import annotations

import pytest

from bot.content.rules import (
    MAX_SENTENCES,
    MIN_EXAMPLES,
    answer_problems,
    clean_examples,
    english_answer_problems,
    example_problems,
    leak_key,
    links,
    sentences,
)
from bot.content.store import FaqStore
from bot.paths import PROJECT_ROOT, SHARED

LINK = "https://www.nav.no/dagpenger"
EXAMPLES = [f"eksempel nummer {i} om dagpenger" for i in range(MIN_EXAMPLES)]


def messages(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [p.message for p in problems]


def test_a_short_plain_answer_with_its_link_passes() -> None:
    assert answer_problems(f"Du søker på nav.no. Les mer på {LINK}", LINK) == []


def test_answer_rules_say_what_to_fix() -> None:
    assert messages(answer_problems("   ", LINK)) == ["Svaret kan ikke være tomt."]
    assert messages(answer_problems("Du søker på nav.no.", LINK)) == [f"Svaret må ha lenken {LINK}."]
    long = " ".join(["Dette er en setning."] * 6) + f" Les mer på {LINK}"
    assert any("for mange setninger" in m for m in messages(answer_problems(long, LINK)))
    assert any("ren tekst" in m for m in messages(answer_problems(f"**Viktig** {LINK}", LINK)))
    assert any("linjeskift" in m for m in messages(answer_problems(f"En.\nTo. {LINK}", LINK)))
    assert any("for langt" in m for m in messages(answer_problems("a" * 800 + LINK, LINK)))


def test_the_link_must_be_the_whole_address() -> None:
    typo = f"Du søker på nav.no. Les mer på {LINK}r"
    assert messages(answer_problems(typo, LINK)) == [
        f"Svaret må ha lenken {LINK}.",
        f"Boten kjenner ikke lenken {LINK}r. Sjekk at den er skrevet riktig, eller bruk {LINK}.",
    ]
    deeper = f"Les mer på {LINK}/soknad"
    assert f"Svaret må ha lenken {LINK}." in messages(answer_problems(deeper, LINK))


@pytest.mark.parametrize(
    "answer",
    [
        f"Du søker på nav.no. Les mer på {LINK}.",
        f"Du søker på nav.no (se {LINK}).",
        f"Du søker på nav.no, se {LINK}, og sender vedlegg der.",
    ],
)
def test_punctuation_after_the_link_is_not_part_of_it(answer: str) -> None:
    assert answer_problems(answer, LINK) == []


def test_a_link_in_quotation_marks_is_refused_as_the_widget_would_break_it() -> None:
    # The widget links up to the next space, so the » would end up in the address.
    assert messages(answer_problems(f"Les mer på «{LINK}»", LINK)) == [
        f"Svaret må ha lenken {LINK}.",
        f"Boten kjenner ikke lenken {LINK}». Sjekk at den er skrevet riktig, eller bruk {LINK}.",
    ]


def test_other_addresses_must_be_pages_the_catalogue_links_to() -> None:
    known = ["https://www.nav.no/arbeidssoker", LINK]
    fine = f"Registrer deg først på https://www.nav.no/arbeidssoker. Les mer på {LINK}"
    assert answer_problems(fine, LINK, known) == []
    for stranger in (
        "https://www.nav.no/arbeidssokerr",
        "http://www.nav.no/dagpenger",
        "https://example.com/nav",
    ):
        found = messages(answer_problems(f"Se {stranger} og {LINK}", LINK, known))
        assert found == [
            f"Boten kjenner ikke lenken {stranger}. Sjekk at den er skrevet riktig, eller bruk {LINK}."
        ]
    # Without a list, only the answer's own link is known.
    assert len(answer_problems(fine, LINK)) == 1


def test_links_are_read_as_the_widget_makes_them() -> None:
    text = f"Se [søknaden]({LINK}/soknad) eller {LINK}. Ring 55 55 33 33!"
    assert links(text) == [f"{LINK}/soknad", LINK]


@pytest.mark.parametrize(
    ("answer", "count"),
    [
        # Ordinals, times and abbreviations inside a sentence do not end it.
        (
            "Du sender meldekort hver 14. dag, f.eks. fra Min side. Fristen er kl. 23 dagen etter "
            "at perioden er slutt. Har du spørsmål, ring bl.a. Nav Kontaktsenter, dvs. 55 55 33 33. "
            f"Les mer på {LINK}",
            4,
        ),
        (
            "Pengene kommer ca. 3. virkedag etter at vi har behandlet meldekortet. Se saken din "
            f"jf. vedtaket fra 1. januar. Les mer på {LINK}",
            3,
        ),
        # A number or "osv." before a capital letter still ends the sentence.
        (f"Ring 55 55 33 33. Vi svarer hverdager. Les mer på {LINK}", 3),
        (f"Ta med lønnsslipper, attester osv. Les mer på {LINK}", 2),
        (f"Trenger du tolk? Si fra! Les mer på {LINK}", 3),
    ],
)
def test_sentences_are_counted_as_a_reader_counts_them(answer: str, count: int) -> None:
    assert len(sentences(answer)) == count
    assert answer_problems(answer, LINK) == []


def test_every_shipped_answer_follows_the_rules() -> None:
    store = FaqStore.for_project(PROJECT_ROOT, SHARED)
    entries = store.entries()
    known = {e.catalogue.link for e in entries if e.catalogue}
    for entry in entries:
        link = entry.catalogue.link if entry.catalogue else ""
        assert answer_problems(entry.answer, link, known) == [], entry.id
        assert len(sentences(entry.answer)) <= MAX_SENTENCES
    # "hver 14. dag" is inside a sentence: four sentences and the link.
    aap = next(e for e in entries if e.id == "aap_soke")
    assert "14. dag" in aap.answer and len(sentences(aap.answer)) == 4


def test_enough_distinct_examples_pass() -> None:
    assert example_problems(EXAMPLES, {}, frozenset()) == []


def test_example_rules_say_what_to_fix() -> None:
    few = example_problems(EXAMPLES[:3], {}, frozenset())
    assert messages(few) == [f"Det trengs minst {MIN_EXAMPLES} ulike eksempler (3 nå)."]
    doubled = example_problems([*EXAMPLES, EXAMPLES[0].upper()], {}, frozenset())
    assert any("står to ganger" in m for m in messages(doubled))
    elsewhere = example_problems(EXAMPLES, {EXAMPLES[1]: "faq/aap_soke"}, frozenset())
    assert any("faq/aap_soke" in m for m in messages(elsewhere))
    leaked = example_problems(EXAMPLES, {}, frozenset({leak_key(EXAMPLES[2])}))
    assert any("testsettene" in m for m in messages(leaked))


@pytest.mark.parametrize(
    "example",
    [
        "mitt nummer er 120389-10076",
        "f.nr. 12 03 89 10076",
        "fnr 120389\u00a010076",
        "１２０３８９１００７６",
    ],
)
def test_an_example_with_a_fodselsnummer_in_any_spelling_is_refused_and_shown_masked(example: str) -> None:
    # 12038910076 is made up, with valid check digits (packages/navpii/tests/cases.yml).
    found = messages(example_problems([*EXAMPLES, example], {}, frozenset()))
    assert len(found) == 1 and found[0].endswith("har et fødselsnummer. Fjern det.")
    assert "10076" not in found[0] and "１００７６" not in found[0]
    assert "[fødselsnummer fjernet]" in found[0]


def test_an_answer_with_a_personal_number_is_refused() -> None:
    answer = f"Send kopi av ID med fnr 120389 10076. Les mer på {LINK}"
    assert messages(answer_problems(answer, LINK)) == ["Svaret har et fødselsnummer. Fjern det."]
    account = f"Betal til konto 1234.56.78903. Les mer på {LINK}"
    assert messages(answer_problems(account, LINK)) == ["Svaret har et kontonummer. Fjern det."]
    phone = f"Ring oss på 55 55 33 33 hverdager 09.00–15.00. Les mer på {LINK}"
    assert answer_problems(phone, LINK) == []


def test_numbers_that_are_not_personal_numbers_pass_in_examples() -> None:
    kept = ["ring 55 55 33 33", "jeg fikk 12 500 kr 12.03.2024", "sak 2024/12345", "12345678901"]
    assert example_problems([*EXAMPLES, *kept], {}, frozenset()) == []


def test_the_leak_check_compares_like_the_shared_tool() -> None:
    assert leak_key("  Hvordan SØKER jeg, dagpenger?! ") == "hvordan søker jeg dagpenger"


def test_editors_lines_are_cleaned() -> None:
    assert clean_examples(["- søke dagpenger ", "", "  ", "dagpenger søknad"]) == [
        "søke dagpenger",
        "dagpenger søknad",
    ]


def test_a_missing_english_answer_is_flagged_and_an_english_one_follows_the_rules() -> None:
    assert messages(english_answer_problems(None, LINK)) == ["Svaret på engelsk mangler."]
    assert messages(english_answer_problems("  ", LINK)) == ["Svaret på engelsk mangler."]
    assert english_answer_problems(f"You apply on nav.no. Read more at {LINK}", LINK) == []
    assert messages(english_answer_problems("You apply on nav.no.", LINK)) == [
        f"På engelsk: Svaret må ha lenken {LINK}."
    ]
