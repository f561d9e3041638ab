"""The person-request component: the wish overrides the topic's FAQ, keeps its ranking."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.person_request_classifier import PersonRequestClassifier


def _message(text: str, intent: str) -> Message:
    ranking = [{"id": 0, "confidence": 0.9, "intent_response_key": "faq/barnetrygd"}]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "response_selector": {"faq": {"response": {}, "ranking": ranking}},
        }
    )


def _classifier() -> PersonRequestClassifier:
    return PersonRequestClassifier(PersonRequestClassifier.get_default_config())


def test_a_wish_for_a_person_inside_a_topic_message_becomes_request_human_with_the_topic_kept() -> None:
    message = _message("barnetrygden er stanset, jeg vil snakke med en saksbehandler", "faq")
    _classifier().process([message])
    assert message.get("intent")["name"] == "request_human"
    assert message.get("intent_ranking")[1]["name"] == "faq"
    assert message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/barnetrygd"
    assert message.get("person_request") == "person"


def test_a_wish_to_be_called_becomes_request_callback() -> None:
    message = _message("kan noen ringe meg om barnetrygden", "nlu_fallback")
    _classifier().process([message])
    assert message.get("intent")["name"] == "request_callback"


def test_acute_need_and_plain_questions_keep_their_intent() -> None:
    urgent = _message("jeg har ikke mat i dag, jeg må snakke med noen", "urgent")
    plain = _message("hvordan søker jeg barnetrygd", "faq")
    machine = _message("snakker jeg med et menneske", "bot_challenge")
    _classifier().process([urgent, plain, machine])
    assert [m.get("intent")["name"] for m in (urgent, plain, machine)] == ["urgent", "faq", "bot_challenge"]


def test_a_machine_question_taken_for_a_request_is_set_back_to_bot_challenge() -> None:
    asked = _message("snakker jeg med et menneske nå?", "request_human")
    _classifier().process([asked])
    assert asked.get("intent")["name"] == "bot_challenge"


def test_an_unanswered_question_about_what_the_chat_is_becomes_bot_challenge() -> None:
    unsure = _message("ka e du for nokke", "nlu_fallback")
    out_of_scope = _message("er du levende", "out_of_scope")
    answered = _message("hva er du for noe", "faq")
    _classifier().process([unsure, out_of_scope, answered])
    assert [m.get("intent")["name"] for m in (unsure, out_of_scope, answered)] == [
        "bot_challenge",
        "bot_challenge",
        "faq",
    ]
