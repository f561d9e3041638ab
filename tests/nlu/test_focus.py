"""Long messages: split into sentences, and the sure sentence answers an unsure whole."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.focus import FOCUS_KEY, PART_OF_KEY, Reading, best_part, with_parts
from bot.nlu.focus_combiner import FocusCombiner
from bot.nlu.sentences import message_parts, sentence_spans

STORY = (
    "Hei! Jeg ble sagt opp fra lageret i går etter sju år. Sjefen sa at det ikke var mer arbeid. "
    "Hvordan søker jeg dagpenger? Takk."
)


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in message_parts(text)]


def test_a_long_story_is_split_into_sentences_with_greetings_kept_with_their_neighbour() -> None:
    assert _texts(STORY) == [
        "Hei! Jeg ble sagt opp fra lageret i går etter sju år.",
        "Sjefen sa at det ikke var mer arbeid.",
        "Hvordan søker jeg dagpenger? Takk.",
    ]


@pytest.mark.parametrize(
    "text",
    ["hvordan søker jeg dagpenger", "Hei. Hvordan søker jeg dagpenger?", "en lang melding uten punktum " * 3],
)
def test_short_or_unbroken_messages_are_read_whole_only(text: str) -> None:
    assert message_parts(text) == []


def test_ordinals_and_abbreviations_do_not_end_a_sentence() -> None:
    text = "pengene kommer hver 14. dag, f.eks. på fredag. når kommer de neste gang"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "pengene kommer hver 14. dag, f.eks. på fredag.",
        "når kommer de neste gang",
    ]


def test_a_sure_sentence_answers_only_when_the_whole_is_unsure() -> None:
    unsure, sure = Reading("nlu_fallback", 0.3), Reading("faq", 0.9)
    parts = [Reading("faq", 0.6), Reading("nlu_fallback", 0.2), Reading("faq", 0.8)]
    assert best_part(unsure, parts, "nlu_fallback", "faq") == 2
    assert best_part(sure, parts, "nlu_fallback", "faq") is None
    assert (
        best_part(unsure, [Reading("nlu_fallback", 0.4), Reading("greet", 0)], "nlu_fallback", "faq") is None
    )


def _read(text: str, intent: str, faq: str | None, confidence: float) -> dict[str, object]:
    selector = {"faq": {"response": {"confidence": confidence, "intent_response_key": faq}, "ranking": []}}
    return {"intent": {"name": intent, "confidence": 0.9}, "response_selector": selector if faq else {}}


def test_the_combiner_gives_the_whole_the_sure_sentences_reading_and_drops_the_sentences() -> None:
    whole = Message(data={"text": STORY})
    messages = with_parts([whole])
    assert len(messages) == 4 and whole.get(FOCUS_KEY) == "m0"
    assert all(m.get(PART_OF_KEY) == "m0" for m in messages[1:])
    for message, (intent, faq, conf) in zip(
        messages,
        [
            ("nlu_fallback", None, 0.0),
            ("faq", "faq/dagpenger_permittert", 0.55),
            ("nlu_fallback", None, 0.0),
            ("faq", "faq/dagpenger_soke", 0.9),
        ],
        strict=True,
    ):
        for key, value in _read(message.get("text"), intent, faq, conf).items():
            message.set(key, value)
    out = FocusCombiner(FocusCombiner.get_default_config()).process(messages)
    assert out == [whole]
    assert whole.get("intent")["name"] == "faq"
    assert whole.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/dagpenger_soke"
    assert whole.get("text") == STORY and whole.get("focus_text") == "Hvordan søker jeg dagpenger? Takk."


def test_a_whole_that_may_be_acute_need_keeps_its_unsure_reading() -> None:
    whole = Message(data={"text": STORY})
    messages = with_parts([whole])
    for message in messages:
        for key, value in _read("", "faq", "faq/dagpenger_soke", 0.9).items():
            message.set(key, value)
    whole.set("intent", {"name": "nlu_fallback", "confidence": 0.3})
    whole.set("urgent_possible", True)
    FocusCombiner(FocusCombiner.get_default_config()).process(messages)
    assert whole.get("intent")["name"] == "nlu_fallback"
