"""A message made only of small talk is greet, thanks or goodbye, never an FAQ or unsure."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.small_talk import small_talk_intent
from bot.nlu.small_talk_classifier import SmallTalkClassifier


@pytest.mark.parametrize(
    "text",
    [
        "God dag. Her skriver Kari Nordmann.",
        "Hei, jeg heter Ahmed",
        "goddag, eg heiter Per Ola Berg",
        "Hello, my name is John Smith",
        "HEI JEG HETER KARI",
        "GOD DAG, MITT NAVN ER PER OLA BERG",
    ],
)
def test_a_greeting_and_a_name_alone_is_a_greeting_in_capitals_too(text: str) -> None:
    assert small_talk_intent(text) == "greet"


@pytest.mark.parametrize(
    "text",
    [
        "dette er vanskelig for meg",
        "jeg heter Kari og lurer på dagpenger",
        "Hei, jeg heter Kari. Når kommer pengene?",
        "mitt navn er feil i vedtaket",
        "God dag. Her skriver jeg for å klage",
        "her er søknaden min",
        "MITT NAVN ER FEIL I VEDTAKET",
        "HER ER SØKNADEN",  # in capitals only "heter" and "navn er" tell a name
        "JEG HETER KARI OG LURER PÅ DAGPENGER",
    ],
)
def test_a_message_that_goes_on_or_names_no_one_is_no_greeting(text: str) -> None:
    assert small_talk_intent(text) is None


def _message(text: str, intent: str) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
        }
    )


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("God morgen. Mitt navn er Fatima, jeg kommer fra Somalia", "greet"),
        ("hallo, eg heiter Per. eg kan ikkje så godt norsk", "greet"),
        ("Hei, det er Berit Lie som skriver", "greet"),
        ("hei, jeg er 71 år og ikke flink med data", "greet"),
        ("takk skal du ha, det hjalp meg masse", "thanks"),
        ("Jeg vil takke for god hjelp!", "thanks"),
        ("tusen takk, beklager dårlig norsk", "thanks"),
        ("takk for svaret. da er jeg ferdig", "goodbye"),
        ("Takk for meg, ha en god kveld videre", "goodbye"),
        ("det var alt jeg trengte. snakkes", "goodbye"),
        ("Mvh Ola Hansen", "goodbye"),
        ("thanks, that's all. bye", "goodbye"),
        ("hei igjen, det er meg fra i går", "greet"),
        ("God kveld, jeg bor i Narvik og er 67 år", "greet"),
        ("hallo, beklager alle skrivefeil, jeg har dysleksi", "greet"),
        ("merci, takk", "thanks"),
        ("Jeg skal ikke ta mer av din tid. Vi høres", "goodbye"),
        ("heisann, eg heite Ola og bur i Molde", "greet"),
        ("Hej! Jag heter Sven", "greet"),
        ("hallo jeg er ny i norge. jeg heter Amina", "greet"),
        ("Goddag. Undertegnede er Per Olsen, pensjonist fra Lillehammer.", "greet"),
        ("Jeg vil ønske deg en fin kveld. Hilsen Olav", "goodbye"),
        ("god dag", "greet"),
        ("good evening", "greet"),
    ],
)
def test_a_message_of_small_talk_clauses_gets_its_small_talk_intent(text: str, intent: str) -> None:
    assert small_talk_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "takk for svaret, men når kommer pengene",
        "takk for svar om dagpenger, jeg lurer også på barnetrygd",
        "hei, jeg er arbeidsledig",
        "Jeg er ny i Norge",  # about the writer only, no greeting: the classifiers read it
        "hei, jeg er pensjonist",  # a topic may hang on it: the classifiers read it
        "takk. Hvordan søker jeg?",
        "hei, er du en robot?",
        "det var ikke det jeg lurte på",
        "JEG ER SYK",
        "ok",
        "Med vennlig hilsen Kari. Jeg trenger hjelp med søknaden",
        "takk, det var det jeg lurte på",
        "Ja, takk",  # accepts an offer: affirm
        "nei, takk",  # declines one: deny
        "ok, takk",  # "that was what I asked": thanks, not a farewell
        "jeg må gå til legen, får jeg sykepenger",
    ],
)
def test_a_message_with_anything_but_small_talk_gets_no_small_talk_intent(text: str) -> None:
    assert small_talk_intent(text) is None


def test_the_component_overrides_the_classifiers_on_small_talk_but_keeps_acute_need_yes_and_no() -> None:
    named = _message("God dag. Her skriver Kari Nordmann.", "faq")
    leaving = _message("takk, det var alt. ha det", "thanks")
    asking = _message("hvordan søker jeg dagpenger", "faq")
    urgent = _message("Hei, jeg heter Kari", "urgent")
    yes = _message("takk skal du ha", "affirm")
    messages = [named, leaving, asking, urgent, yes]
    SmallTalkClassifier(SmallTalkClassifier.get_default_config()).process(messages)
    intents = [m.get("intent")["name"] for m in messages]
    assert intents == ["greet", "goodbye", "faq", "urgent", "affirm"]
    assert named.get("intent_ranking")[1]["name"] == "faq"
