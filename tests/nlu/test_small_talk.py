"""A greeting that only names the writer is a greeting, never an FAQ."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.small_talk import is_self_introduction
from bot.nlu.small_talk_classifier import SmallTalkClassifier


@pytest.mark.parametrize(
    "text",
    [
        "God dag. Her skriver Kari Nordmann.",
        "Hei, jeg heter Ahmed",
        "goddag, eg heiter Per Ola Berg",
        "Hello, my name is John Smith",
        "HEI JEG HETER KARI",
    ],
)
def test_a_greeting_and_a_name_alone_is_a_self_introduction(text: str) -> None:
    assert is_self_introduction(text)


@pytest.mark.parametrize(
    "text",
    [
        "dette er vanskelig for meg",
        "jeg heter Kari og lurer på dagpenger",
        "Hei, jeg heter Kari. Når kommer pengene?",
        "mitt navn er feil i vedtaket",
        "God dag. Her skriver jeg for å klage",
        "her er søknaden min",
        "hei",
    ],
)
def test_a_message_that_goes_on_or_names_no_one_is_not(text: str) -> None:
    assert not is_self_introduction(text)


def _message(text: str, intent: str) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
        }
    )


def test_the_component_turns_a_confident_faq_on_a_self_introduction_into_greet() -> None:
    named = _message("God dag. Her skriver Kari Nordmann.", "faq")
    asking = _message("hvordan søker jeg dagpenger", "faq")
    urgent = _message("Hei, jeg heter Kari", "urgent")
    SmallTalkClassifier(SmallTalkClassifier.get_default_config()).process([named, asking, urgent])
    assert [m.get("intent")["name"] for m in (named, asking, urgent)] == ["greet", "faq", "urgent"]
    assert named.get("intent_ranking")[1]["name"] == "faq"
