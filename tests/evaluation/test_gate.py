"""The quality gate on publishing: plain rules over two measurements."""

from __future__ import annotations

from bot.evaluation.gate import Measurement, judge, percent

GOOD = {
    "faq_accuracy": 0.968,
    "wrong_answers": 0.026,
    "handoff_recall": 0.967,
    "out_of_scope_rejection": 0.943,
    "chitchat_accuracy": 0.95,
}


def measured(cases: list[tuple[str, str, bool]] | None = None, **scores: float | None) -> Measurement:
    return Measurement({**GOOD, **scores}, cases or [])


def passed_keys(new: Measurement, before: Measurement | None) -> dict[str, bool]:
    return {row.key: row.passed for row in judge(new, before).rows}


def test_a_model_that_meets_every_target_passes_even_if_a_little_worse() -> None:
    verdict = judge(measured(faq_accuracy=0.95), measured())
    assert verdict.passed
    assert all(row.passed for row in verdict.rows)


def test_a_target_missed_is_refused() -> None:
    verdict = judge(measured(handoff_recall=0.933), measured())
    assert not verdict.passed
    assert passed_keys(measured(handoff_recall=0.933), measured())["handoff_recall"] is False
    assert "Ønsker om å snakke med en veileder som blir fanget opp: 93,3 % (før 96,7 %)" in verdict.report()
    assert "← for dårlig" in verdict.report()


def test_wrong_answers_are_a_ceiling_not_a_floor() -> None:
    assert not judge(measured(wrong_answers=0.04), measured()).passed
    assert judge(measured(wrong_answers=0.0), measured()).passed


def test_a_target_the_running_model_misses_too_blocks_only_if_made_worse() -> None:
    running = measured(chitchat_accuracy=0.90)
    assert judge(measured(chitchat_accuracy=0.90), running).passed
    assert judge(measured(chitchat_accuracy=0.93), running).passed
    assert not judge(measured(chitchat_accuracy=0.85), running).passed


def test_with_nothing_to_compare_the_targets_decide() -> None:
    assert judge(measured(), None).passed
    assert not judge(measured(faq_accuracy=0.90), None).passed
    assert "(før" not in judge(measured(), None).report()


def test_a_set_without_cases_of_a_kind_does_not_block() -> None:
    assert judge(measured(chitchat_accuracy=None), measured()).passed


def test_the_answers_that_lost_questions_are_named_without_the_questions() -> None:
    before = measured(
        [
            ("faq/dagpenger_soke", "faq/dagpenger_soke", True),
            ("faq/dagpenger_soke", "faq/dagpenger_soke", True),
            ("handoff", "handoff", True),
            ("faq/sykepenger_soke", "unsure", False),
        ]
    )
    new = measured(
        [
            ("faq/dagpenger_soke", "faq/sykepenger_soke", False),
            ("faq/dagpenger_soke", "faq/dagpenger_soke", True),
            ("handoff", "faq/kontakt_skriv", False),
            ("faq/sykepenger_soke", "faq/sykepenger_soke", True),
        ]
    )
    titles = {
        "dagpenger_soke": "Hvordan søker jeg om dagpenger?",
        "sykepenger_soke": "Hvordan søker jeg om sykepenger?",
        "kontakt_skriv": "Hvordan skriver jeg til Nav?",
    }
    worse = judge(new, before, titles).worse
    assert worse == [
        "«Hvordan søker jeg om dagpenger?»: 1 testspørsmål som var riktig, er nå feil. "
        "De fikk i stedet: «Hvordan søker jeg om sykepenger?» (1)",
        "Ønske om veileder: 1 testspørsmål som var riktig, er nå feil. "
        "De fikk i stedet: «Hvordan skriver jeg til Nav?» (1)",
    ]  # sykepenger_soke won one: not listed


def test_an_answer_that_won_as_many_as_it_lost_is_not_listed() -> None:
    before = measured([("faq/a", "faq/a", True), ("faq/a", "unsure", False)])
    new = measured([("faq/a", "unsure", False), ("faq/a", "faq/a", True)])
    assert judge(new, before).worse == []


def test_an_answer_that_lost_more_than_it_won_says_both() -> None:
    before = measured(
        [("handoff", "handoff", True), ("handoff", "handoff", True), ("handoff", "unsure", False)]
    )
    new = measured([("handoff", "faq/a", False), ("handoff", "faq/a", False), ("handoff", "handoff", True)])
    assert judge(new, before, {"a": "Skriv til oss"}).worse == [
        "Ønske om veileder: 2 testspørsmål som var riktige, er nå feil "
        "(1 som var feil, er nå riktig). De fikk i stedet: «Skriv til oss» (2)"
    ]


def test_measurements_of_different_sets_are_not_compared_case_by_case() -> None:
    before = measured([("faq/a", "faq/a", True)])
    new = measured([("faq/b", "faq/a", False)])
    assert judge(new, before).worse == []


def test_a_measurement_keeps_no_sentences_and_survives_json() -> None:
    report = {
        **GOOD,
        "outcomes": [
            {"text": "en setning fra testsettet", "expect": "faq/a", "label": "unsure", "correct": False}
        ],
    }
    measurement = Measurement.from_report(report)
    assert "en setning fra testsettet" not in str(measurement.as_json())
    assert Measurement.from_json(measurement.as_json()) == measurement


def test_percentages_are_written_the_norwegian_way() -> None:
    assert percent(0.9667) == "96,7 %"
    assert percent(None) == "ikke målt"
