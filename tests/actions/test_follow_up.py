"""Follow-up questions answered for the benefit of the previous answer."""

from __future__ import annotations

from typing import Any

import pytest

from actions.follow_up import ASPECT_OF, BENEFITS, benefit_of, follow_up_faq, named_benefits


@pytest.mark.parametrize(
    ("previous", "chosen", "text", "expected"),
    [
        # The aspect moves to the benefit just answered.
        ("sykepenger_rett", "dagpenger_soke", "hvordan søker jeg da", "sykepenger_soknad"),
        ("sykepenger_rett", "utbetalingsdatoer", "og når blir det utbetalt?", "sykepenger_utbetaling"),
        ("dagpenger_permittert", "utbetalingsdatoer", "når kommer pengene", "dagpenger_utbetaling"),
        ("aap_soke", "dagpenger_beregning", "hvor mye får jeg?", "aap_beregning"),
        ("barnetrygd", "dagpenger_soke", "korleis søkjer eg", "barnetrygd"),
        # Naming the previous benefit again (in dialect) changes nothing.
        ("sykepenger_rett", "dagpenger_soke", "kordan søke æ sjukepengar", "sykepenger_soknad"),
        # A message that names another benefit keeps the NLU's choice, typos too.
        ("foreldrepenger_soke", "dagpenger_soke", "hvordan søker jeg om dagpenger", "dagpenger_soke"),
        ("foreldrepenger_soke", "dagpenger_soke", "hvordan soker jeg dagpnger", "dagpenger_soke"),
        ("sykepenger_rett", "alderspensjon_beregne", "hvor mye får jeg i pensjon", "alderspensjon_beregne"),
        # The visitor's situation points to another benefit: the choice stands.
        ("dagpenger_soke", "sykepenger_soknad", "jeg er syk, hvordan søker jeg?", "sykepenger_soknad"),
        ("sykepenger_rett", "dagpenger_soke", "jeg er permittert, hvordan søker jeg", "dagpenger_soke"),
        ("aap_hva", "foreldrepenger_soke", "jeg er gravid, hvordan søker jeg?", "foreldrepenger_soke"),
        # A situation shared with the previous benefit does not point away from it.
        ("engangsstonad", "dagpenger_beregning", "jeg er gravid, hvor mye får jeg", "engangsstonad"),
        # "AAP" is the acronym, not an å spelled "aa".
        ("dagpenger_soke", "aap_soke", "hvordan søker jeg AAP", "aap_soke"),
        # The previous benefit has no answer for the aspect: the choice stands.
        ("kontantstotte", "dagpenger_beregning", "hvor mye får jeg?", "dagpenger_beregning"),
        # The choice is about the same benefit, is no aspect, or nothing came before.
        ("dagpenger_soke", "dagpenger_rett", "har jeg rett på det", "dagpenger_rett"),
        ("dagpenger_soke", "meldekort_sende", "hvordan sender jeg meldekort", "meldekort_sende"),
        ("tolk", "dagpenger_soke", "hvordan søker jeg", "dagpenger_soke"),
        (None, "dagpenger_soke", "hvordan søker jeg", "dagpenger_soke"),
    ],
)
def test_follow_up_faq(previous: str | None, chosen: str, text: str, expected: str) -> None:
    assert follow_up_faq(chosen, previous, text) == expected


def test_named_benefits_reads_spelling_dialect_and_english() -> None:
    assert named_benefits("Sykepengene mine") == {"sykepenger"}
    assert named_benefits("soke oekonomisk stoenad") == {"sosialhjelp"}
    assert named_benefits("how much is child benefit") == {"barnetrygd"}
    assert named_benefits("hvordan søker jeg") == set()
    assert named_benefits("kan jeg få aap") == named_benefits("AAP") == {"aap"}
    assert named_benefits("åpningstider") == set()
    # Near words are not benefits: "sykepleier" is no sykepenger, "permittert" no permisjon
    # (but a permitted visitor's situation points to dagpenger).
    assert named_benefits("jeg er sykepleier og permittert") == {"dagpenger"}
    assert named_benefits("jeg er sykepleier") == set()
    assert named_benefits("jeg ble sagt opp i går") == {"dagpenger"}


def test_every_faq_in_the_tables_is_in_the_catalogue(catalogue: list[dict[str, Any]]) -> None:
    ids = {e["id"] for e in catalogue}
    in_tables = {f for b in BENEFITS for f in b.faqs} | set(ASPECT_OF)
    assert in_tables <= ids, in_tables - ids
    # Each FAQ belongs to one benefit at most.
    assert sum(len(b.faqs) for b in BENEFITS) == len({f for b in BENEFITS for f in b.faqs})
    assert benefit_of("tolk") is None
