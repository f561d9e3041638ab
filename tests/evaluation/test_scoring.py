"""The evaluation scores (shared/eval/README.md, plus our emergency measures)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.evaluation.dialogue import outcome_of
from bot.evaluation.scoring import Case, Outcome, is_correct, is_wrong_answer, load_cases, score


def test_scores_follow_the_shared_definitions() -> None:
    cases = [
        Case("hvordan søker jeg dagpenger", "faq/dagpenger_soke"),
        Case("når kommer barnetrygden", "faq/barnetrygd"),
        Case("snakke med en person", "handoff"),
        Case("hovedstaden i Frankrike", "out_of_scope"),
        Case("hei", "greet"),
    ]
    outcomes = [
        Outcome(faq_id="dagpenger_soke"),
        Outcome(faq_id="dagpenger_soke"),  # a wrong answer
        Outcome(handoff_offered=True),  # offered counts as recalled
        Outcome(unsure=True),  # no FAQ answer: rejected
        Outcome(chitchat="greet"),
    ]
    scores = score(cases, outcomes)
    assert scores["faq_accuracy"] == 0.5
    assert scores["wrong_answers"] == 0.2
    assert scores["handoff_recall"] == 1.0 and scores["handoff_recall_started"] == 0.0
    assert scores["out_of_scope_rejection"] == 1.0
    assert scores["chitchat_accuracy"] == 1.0
    assert [f["text"] for f in scores["failures"]] == ["når kommer barnetrygden"]
    # No acute-need cases: no recall to report; nobody got the numbers.
    assert scores["emergency_recall"] is None and scores["emergency_false_alarms"] == 0.0


def test_acute_need_is_right_only_with_the_emergency_numbers() -> None:
    case = Case("jeg orker ikke mer", "urgent")
    assert is_correct(case, Outcome(emergency=True, handoff_started=True))
    assert not is_correct(case, Outcome(unsure=True))
    # An FAQ answer instead of the numbers is a wrong answer too.
    assert is_wrong_answer(case, Outcome(faq_id="sosialhjelp_soke"))
    assert not is_wrong_answer(case, Outcome(faq_id="nodhjelp", emergency=True))


def test_emergency_recall_and_false_alarms() -> None:
    cases = [
        Case("a", "urgent"),
        Case("b", "urgent"),
        Case("c", "faq/nodhjelp"),  # acute need as an FAQ: the numbers are expected
        Case("d", "faq/dagpenger_soke"),
        Case("e", "out_of_scope"),
    ]
    outcomes = [
        Outcome(emergency=True),
        Outcome(unsure=True),
        Outcome(faq_id="nodhjelp", emergency=True),
        Outcome(faq_id="dagpenger_soke"),
        Outcome(unsure=True, emergency=True),  # alarming a calm visitor
    ]
    scores = score(cases, outcomes)
    assert scores["emergency_recall"] == 0.5
    assert scores["emergency_false_alarms"] == 0.5  # 1 of the 2 calm cases
    assert scores["counts"]["urgent"] == 2


def test_outcome_reads_the_emergency_numbers_from_the_bot_messages() -> None:
    events = [
        UserUttered("x", intent={"name": "nlu_fallback", "confidence": 0.4}),
        ActionExecuted("action_unsure"),
        BotUttered("Er du i fare nå, ring 113.", metadata={"utter_action": "utter_emergency"}),
        BotUttered("Mente du noe av dette?", metadata={"utter_action": "utter_unsure_suggestions"}),
    ]
    outcome = outcome_of(events)
    assert outcome.emergency and outcome.unsure and outcome.faq_id is None
    assert not outcome_of(events[:2] + events[3:]).emergency


def test_a_case_without_an_expectation_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cases.yml"
    path.write_text("- text: hei\n", "utf-8")
    with pytest.raises(ValueError, match="case 1 needs 'text' and 'expect'"):
        load_cases(str(path))


def test_the_reply_language_is_scored_and_english_for_a_norwegian_case_is_counted() -> None:
    cases = [
        Case("how do I apply for unemployment benefit", "faq/dagpenger_soke", language="en"),
        Case("when is my sick pay paid", "faq/sykepenger_utbetaling", language="en"),
        Case("I want a person", "handoff", language="en"),
        Case("hvordan søker jeg dagpenger", "faq/dagpenger_soke"),
    ]
    outcomes = [
        Outcome(faq_id="dagpenger_soke", reply_language="en"),
        Outcome(faq_id="sykepenger_utbetaling", reply_language="nb"),  # right FAQ, wrong language
        Outcome(handoff_started=True, reply_language="en"),
        Outcome(faq_id="dagpenger_soke", reply_language="en"),  # Norwegian due
    ]
    scores = score(cases, outcomes)
    assert scores["faq_accuracy"] == 1.0
    assert scores["faq_accuracy_in_language"] == 0.3333
    assert scores["handoff_recall_in_language"] == 1.0
    assert scores["language_right"] == 0.5
    assert scores["norwegian_answered_in_english"] == 1


def test_the_reply_language_is_read_from_the_bot_texts() -> None:
    english = outcome_of(
        [BotUttered("First, register as a job seeker on nav.no. Read more at https://www.nav.no/dagpenger")]
    )
    norwegian = outcome_of(
        [
            BotUttered(
                "Først registrerer du deg som arbeidssøker på nav.no. Les mer på https://www.nav.no/dagpenger"
            )
        ]
    )
    assert (english.reply_language, norwegian.reply_language) == ("en", "nb")


def test_a_set_names_the_reply_language_of_its_cases(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "cases.yml"  # type: ignore[operator]
    path.write_text("- {text: a b c, expect: handoff}\n- {text: d e f, expect: handoff, language: nb}\n")
    assert [c.language for c in load_cases(str(path), "en")] == ["en", "nb"]
