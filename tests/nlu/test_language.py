"""The visitor's language: English decides only as a whole message; loan words stay Norwegian."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language import (
    OTHER,
    Detection,
    Language,
    conversation_language,
    detect_language,
    opening_language,
    reads_as_scandinavian,
    requested_language,
)
from bot.nlu.language_classifier import LanguageClassifier


@pytest.mark.parametrize(
    "text",
    [
        "How do I apply for unemployment benefits?",
        "i lost my jobb what shud i do",
        "how do I apply for dagpenger",
        "who decides my uføretrygd",
    ],
)
def test_a_whole_message_in_english_is_english(text: str) -> None:
    assert detect_language(text).language == "en"


@pytest.mark.parametrize(
    "text",
    [
        "hei, jeg trenger hjelp med min app",
        "hvordan lager jeg en CV",
        "jeg finner ikke jobb",
        "jeg trenger help med dagpenger",
        "hvordan soker jeg dagpnger",
    ],
)
def test_norwegian_with_english_words_stays_norwegian(text: str) -> None:
    assert detect_language(text).language == "nb"


@pytest.mark.parametrize("text", ["jobb", "CV", "app", "help", "dagpenger", "ok", "12345"])
def test_one_word_does_not_decide(text: str) -> None:
    assert detect_language(text).language is None


@pytest.mark.parametrize(
    "text",
    [
        "sick pay",
        "child benefit amount",
        "unemployment money",
        "pension calculator",
        "nav telephone number",
        "tax card",
        "opening hours",
        "I sent my søknad three weeks ago and still no answer",
        "how much lønn do I get when I am sick",
    ],
)
def test_nav_subjects_in_english_decide_english(text: str) -> None:
    assert detect_language(text).language == "en"


@pytest.mark.parametrize(
    "text",
    [
        "processing time",
        "uføretrygd application",
        "barnetrygd amount",
        "sykepenger amount",
        # One English word beside Nav's Norwegian names, no Norwegian word around them.
        "engangsstønad why",
        "barnetrygd for my son",
        "kontantstøtte who gets",
    ],
)
def test_short_english_that_does_not_decide_leans_english(text: str) -> None:
    detection = detect_language(text)
    assert detection.language is None
    assert detection.lean == "en"


@pytest.mark.parametrize(
    "text",
    [
        "personvern chat",
        "lagres chatten",
        "app status",
        "CV tips",
        "status sak",
        "bank konto",
        "jobb deadline",
        "live chat",
        "søke penger",
        "sendte meldekort for sent",
        "aap 66 prosent",
        "pensjon",
        "benefits",
        # English words Norwegian writes too, and Norwegian words around the names.
        "sykepenger i to uker",
        "be om hjelp til søknad",
        "nav kontor drop in",
        "dagpenger as student",
    ],
)
def test_norwegian_and_loan_words_never_lean_english(text: str) -> None:
    detection = detect_language(text)
    assert detection.language != "en"
    assert detection.lean is None


def test_a_leaning_message_opens_only_a_conversation_nothing_has_set_the_language_of() -> None:
    leaning = Detection(None, "en", "en")
    assert opening_language(leaning, language_set=False) is Language.ENGLISH
    assert opening_language(leaning, language_set=True) is None
    assert opening_language(Detection(None, "nb"), language_set=False) is None
    # A message that decides is the slot's own mapping's, not this rule's.
    assert opening_language(Detection("nb", "en", None), language_set=False) is None


@pytest.mark.parametrize(
    "text",
    [
        "Jak mogę złożyć wniosek o zasiłek dla bezrobotnych?",
        "Я втратила роботу, що робити?",
        "كيف أقدم طلبا للحصول على إعانة البطالة؟",
        "ስራሕ ስኢነ እየ",
        "Sideen ayaan u codsadaa gargaarka shaqo la'aanta?",
    ],
)
def test_another_language_is_other(text: str) -> None:
    assert detect_language(text).language == OTHER


@pytest.mark.parametrize(
    "text",
    [
        # lingua's fast mode is sure of Indonesian and Finnish for these.
        "ka tid kjem pengan",
        "ka tid kjem sykepengan",
        "Sett opp en alarm klokka sju",
    ],
)
def test_dialect_the_detector_takes_for_another_language_is_not_other(text: str) -> None:
    assert detect_language(text).language != OTHER


_ZIPF = {
    ("kjem", "nb"): 4.5,
    ("pengan", "nb"): 3.2,
    ("ka", "nb"): 4.0,
    ("ka", "id"): 3.5,
    ("tid", "nb"): 5.5,
    ("kami", "id"): 6.0,
    ("uang", "id"): 5.0,
}


def _frequency(word: str, language: str) -> float | None:
    if language == "so":
        return None
    return _ZIPF.get((word, language), 0.0)


def test_the_words_weigh_a_scandinavian_reading_against_the_guessed_language() -> None:
    assert reads_as_scandinavian(["ka", "tid", "kjem", "pengan"], "id", _frequency)
    assert not reads_as_scandinavian(["kami", "uang", "ka"], "id", _frequency)
    # No list for the guessed language: a word uncommon in Scandinavian counts for it.
    assert not reads_as_scandinavian(["waxaan", "u", "baahanahay"], "so", _frequency)
    assert reads_as_scandinavian(["ka", "tid", "waxaan"], "so", _frequency)


def test_a_request_names_the_language() -> None:
    assert requested_language("Can I speak English with you?") is Language.ENGLISH
    assert requested_language("kan du svare på norsk?") is Language.NORWEGIAN
    assert requested_language("English") is Language.ENGLISH
    assert requested_language("hvordan søker jeg dagpenger") is None


def test_the_conversation_keeps_its_language_until_a_whole_message_in_the_other() -> None:
    assert conversation_language("en", Detection(None)) is Language.ENGLISH
    assert conversation_language("en", Detection(OTHER, "pl")) is Language.ENGLISH
    assert conversation_language("en", Detection("nb")) is Language.NORWEGIAN
    assert conversation_language(None, Detection(None)) is Language.NORWEGIAN


def _message(text: str, intent: str = "faq") -> Message:
    return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}, "intent_ranking": []})


def _classify(*messages: Message) -> None:
    LanguageClassifier(LanguageClassifier.get_default_config()).process(list(messages))


def test_the_component_adds_the_language_entity_and_keeps_the_intent() -> None:
    english, norwegian, short = (
        _message("how do I apply for unemployment benefit"),
        _message("hvordan søker jeg dagpenger"),
        _message("CV"),
    )
    _classify(english, norwegian, short)
    assert english.get("entities")[0]["entity"] == "language"
    assert [m.get("entities", [{}])[0].get("value") for m in (english, norwegian)] == ["en", "nb"]
    assert not short.get("entities")
    assert english.get("intent")["name"] == norwegian.get("intent")["name"] == "faq"


def test_the_component_sets_choose_language_and_other_language() -> None:
    asked = _message("Can I speak English with you?", "nlu_fallback")
    polish = _message("Straciłem pracę, co mam teraz zrobić?", "faq")
    polish_person = _message("Chcę rozmawiać z veileder po polsku", "request_human")
    _classify(asked, polish, polish_person)
    assert asked.get("intent")["name"] == "choose_language"
    assert asked.get("entities")[0]["value"] == "en"
    assert polish.get("intent")["name"] == "other_language"
    assert polish.get("language_detected")["guess"] == "pl"
    assert polish_person.get("intent")["name"] == "request_human"
