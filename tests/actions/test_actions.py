"""The custom actions, run in-process against a hub speaking the handoff contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionCallback
from actions.faq import ActionAnswerFaq
from actions.frustrated import ActionFrustrated
from actions.handoff import ActionHandoff, wait_phrase
from actions.unsure import ActionUnsure, suggestion_ids
from tests.contract_hub import ContractHub


def tracker(
    intent: str,
    text: str = "hei",
    slots: dict[str, Any] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    previous: str | None = None,
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "response_selector": {
            "faq": {
                "ranking": [{"intent_response_key": f"faq/{f}", "confidence": c} for f, c in ranking or []]
            }
        },
    }
    events = [
        {"event": "user", "text": "/start", "timestamp": 1.0},
        {"event": "bot", "text": "Hei! Jeg er Navs chatbot.", "timestamp": 1.1},
    ]
    if previous:  # the action that gave the bot's last reply
        events += [{"event": "action", "name": previous}, {"event": "action", "name": "action_listen"}]
    events.append({"event": "user", "text": text, "timestamp": 2.0})
    return Tracker("conv-1", slots or {}, latest, events, False, None, {}, "action_listen")


async def run(
    action: Any, t: Tracker, domain: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return events, dispatcher.messages


def slot(events: list[dict[str, Any]], name: str) -> Any:
    return [e["value"] for e in events if e.get("event") == "slot" and e["name"] == name][-1]


async def test_faq_answer_is_the_selectors_choice_and_sets_topic(domain_dict: dict[str, Any]) -> None:
    events, messages = await run(
        ActionAnswerFaq(), tracker("faq", ranking=[("sykepenger_rett", 0.9)]), domain_dict
    )
    assert messages[0]["response"] == "utter_faq/sykepenger_rett"
    # The hub's mark of the answer (beside the text, for "Var svaret nyttig?"), with the
    # conversation's language (Norwegian: no language slot set).
    assert messages[0]["custom"] == {"nav_faq": "sykepenger_rett", "nav_language": "nb"}
    assert slot(events, "topic") == "helse"
    assert slot(events, "unsure_count") == 0.0


async def test_faq_answer_from_a_suggestion_button_uses_the_entity(domain_dict: dict[str, Any]) -> None:
    t = tracker("faq", ranking=[], entities=[{"entity": "faq_id", "value": "barnetrygd"}])
    _, messages = await run(ActionAnswerFaq(), t, domain_dict)
    assert messages[0]["response"] == "utter_faq/barnetrygd"


async def test_a_follow_up_question_is_answered_for_the_previous_answers_benefit(
    domain_dict: dict[str, Any],
) -> None:
    # "hvordan søker jeg" right after the sykepenger answer: the NLU's dagpenger pick moves.
    t = tracker("faq", "hvordan søker jeg", {"faq_id": "sykepenger_rett"}, ranking=[("dagpenger_soke", 0.8)])
    events, messages = await run(ActionAnswerFaq(), t, domain_dict)
    assert messages[0]["response"] == "utter_faq/sykepenger_soknad"
    assert slot(events, "faq_id") == "sykepenger_soknad"


async def test_a_button_choice_is_never_moved_by_the_previous_answer(domain_dict: dict[str, Any]) -> None:
    t = tracker(
        "faq",
        '/faq{"faq_id": "dagpenger_soke"}',
        {"faq_id": "sykepenger_rett"},
        entities=[{"entity": "faq_id", "value": "dagpenger_soke"}],
    )
    _, messages = await run(ActionAnswerFaq(), t, domain_dict)
    assert messages[0]["response"] == "utter_faq/dagpenger_soke"


async def test_unsure_after_an_answer_suggests_that_benefits_faq_first(domain_dict: dict[str, Any]) -> None:
    ranking = [("dagpenger_beregning", 0.3), ("alderspensjon_beregne", 0.2), ("meldekort_sende", 0.1)]
    t = tracker("nlu_fallback", "hvor mye kan jeg få", {"faq_id": "aap_soke"}, ranking=ranking)
    _, messages = await run(ActionUnsure(), t, domain_dict)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[0] == '/faq{"faq_id": "aap_beregning"}'
    assert payloads.count('/faq{"faq_id": "aap_beregning"}') == 1


async def test_nodhjelp_answer_gives_emergency_information_and_hands_off(domain_dict: dict[str, Any]) -> None:
    events, messages = await run(ActionAnswerFaq(), tracker("faq", ranking=[("nodhjelp", 0.9)]), domain_dict)
    assert [m["response"] for m in messages] == ["utter_faq/nodhjelp", "utter_emergency"]
    assert {"event": "followup", "name": "action_handoff", "timestamp": None} in events


async def test_first_unsure_turn_suggests_faqs_and_a_person(domain_dict: dict[str, Any]) -> None:
    ranking = [("dagpenger_soke", 0.4), ("dagpenger_rett", 0.3), ("meldekort_sende", 0.2), ("tolk", 0.01)]
    events, messages = await run(ActionUnsure(), tracker("nlu_fallback", ranking=ranking), domain_dict)
    buttons = messages[0]["buttons"]
    assert messages[0]["response"] == "utter_unsure_suggestions"
    assert [b["payload"] for b in buttons[:-1]] == [
        "/faq" + json.dumps({"faq_id": f}) for f in ("dagpenger_soke", "dagpenger_rett", "meldekort_sende")
    ]
    assert buttons[0]["title"] == "Hvordan søker jeg om dagpenger?"
    assert buttons[-1] == {"title": "Snakk med en veileder", "payload": "/request_human"}
    # The hub keeps the unanswered question and what was offered, for content editors.
    assert messages[0]["custom"] == {
        "nav_signal": "unsure",
        "suggestions": ["dagpenger_soke", "dagpenger_rett", "meldekort_sende"],
    }
    assert slot(events, "unsure_count") == 1.0


async def test_second_unsure_turn_in_a_row_offers_the_handoff(domain_dict: dict[str, Any]) -> None:
    t = tracker(
        "nlu_fallback", slots={"unsure_count": 1.0}, ranking=[("tolk", 0.3)], previous="action_unsure"
    )
    events, messages = await run(ActionUnsure(), t, domain_dict)
    assert messages[0]["response"] == "utter_unsure_offer_handoff"
    assert messages[0]["custom"] == {"nav_signal": "unsure_again", "suggestions": []}
    assert slot(events, "handoff_offered") is True


async def test_an_unsure_turn_that_may_be_an_acute_need_gives_the_numbers_first(
    domain_dict: dict[str, Any],
) -> None:
    t = tracker("nlu_fallback", ranking=[("nodhjelp", 0.3), ("tolk", 0.2)])
    t.latest_message["urgent_possible"] = True
    _, messages = await run(ActionUnsure(), t, domain_dict)
    assert [m["response"] for m in messages] == ["utter_emergency", "utter_unsure_suggestions"]


async def test_an_unsure_turn_after_another_reply_counts_from_one(domain_dict: dict[str, Any]) -> None:
    # Unsure, then "takk" and its reply, then unsure again: not "twice in a row".
    t = tracker("nlu_fallback", slots={"unsure_count": 1.0}, ranking=[("tolk", 0.3)], previous="utter_thanks")
    events, messages = await run(ActionUnsure(), t, domain_dict)
    assert messages[0]["response"] == "utter_unsure_suggestions"
    assert slot(events, "unsure_count") == 1.0


def test_suggestions_drop_far_weaker_guesses_but_keep_two() -> None:
    assert suggestion_ids([("a", 0.9), ("b", 0.05), ("c", 0.01)]) == ["a", "b"]
    assert suggestion_ids([("a", 0.5), ("b", 0.3), ("c", 0.2)]) == ["a", "b", "c"]
    assert suggestion_ids([]) == []


@pytest.fixture()
def hub_env(hub: ContractHub, monkeypatch: pytest.MonkeyPatch) -> ContractHub:
    monkeypatch.setenv("HUB_URL", hub.url)
    monkeypatch.setenv("HUB_BOT_SECRET", hub.secret)
    hub.received.clear()
    hub.status = 200
    return hub


async def test_handoff_sends_the_contract_and_pauses_when_queued(
    hub_env: ContractHub, domain_dict: dict[str, Any]
) -> None:
    hub_env.answer = {"status": "queued", "queue": "helse", "position": 3, "estimated_wait_minutes": 6}
    t = tracker("request_human", text="kan jeg snakke med en person", slots={"faq_id": "sykmelding"})
    events, messages = await run(ActionHandoff(), t, domain_dict)
    [sent] = hub_env.received
    assert sent["conversation_id"] == "conv-1"
    assert (sent["reason"], sent["topic"], sent["faq_id"]) == ("asked_for_person", "helse", "sykmelding")
    assert [line["sender"] for line in sent["transcript"]] == ["bot", "visitor"]  # "/start" left out
    assert messages[0]["response"] == "utter_handoff_queued"
    assert (messages[0]["position"], messages[0]["wait"]) == (3, "6 minutter")
    assert [(e["event"], e.get("name")) for e in events[-2:]] == [
        ("pause", None),
        ("action", "action_listen"),
    ]
    # After a hand-back, a follow-up is not read as being about the answer before.
    assert slot(events, "faq_id") is None and slot(events, "topic") is None


async def test_no_wait_estimate_while_no_advisor_is_free(
    hub_env: ContractHub, domain_dict: dict[str, Any]
) -> None:
    hub_env.answer = {
        "status": "queued",
        "queue": "generell",
        "position": 2,
        "estimated_wait_minutes": None,
        "advisors_available": 0,
    }
    _, messages = await run(ActionHandoff(), tracker("request_human"), domain_dict)
    assert messages[0]["response"] == "utter_handoff_queued_no_estimate"
    assert messages[0]["position"] == 2 and "wait" not in messages[0]


@pytest.mark.parametrize("reason", ["closed", "no_advisors", "queue_full"])
async def test_an_urgent_handoff_that_is_refused_gives_the_numbers_that_answer_now(
    hub_env: ContractHub, domain_dict: dict[str, Any], reason: str
) -> None:
    hub_env.answer = {"status": "refused", "reason": reason, "next_open": None}
    events, messages = await run(ActionHandoff(), tracker("urgent", text="jeg orker ikke mer"), domain_dict)
    assert messages[0]["response"] == "utter_handoff_urgent_unavailable"
    text = domain_dict["responses"]["utter_handoff_urgent_unavailable"][0]["text"]
    assert all(n in text for n in ("112", "113", "116 123", "116 117"))
    # Not the written channel, answered in days, nor "ask me more".
    assert "skriv til oss" not in text and "flere spørsmål" not in text
    assert not any(e["event"] == "pause" for e in events)


async def test_urgent_handoff_says_the_reason(hub_env: ContractHub, domain_dict: dict[str, Any]) -> None:
    hub_env.answer = {"status": "queued", "queue": "generell", "position": 1, "estimated_wait_minutes": 1}
    _, messages = await run(ActionHandoff(), tracker("urgent", text="jeg orker ikke mer"), domain_dict)
    assert hub_env.received[0]["reason"] == "urgent"
    assert messages[0]["response"] == "utter_handoff_urgent_queued"


async def test_accepted_offer_is_an_unsure_handoff(hub_env: ContractHub, domain_dict: dict[str, Any]) -> None:
    await run(ActionHandoff(), tracker("affirm", text="ja", slots={"handoff_offered": True}), domain_dict)
    assert hub_env.received[0]["reason"] == "unsure"


async def test_asking_for_a_person_after_an_old_offer_is_asking(
    hub_env: ContractHub, domain_dict: dict[str, Any]
) -> None:
    t = tracker("request_human", text="veileder", slots={"handoff_offered": True})
    await run(ActionHandoff(), t, domain_dict)
    assert hub_env.received[0]["reason"] == "asked_for_person"


@pytest.mark.parametrize(
    ("answer", "response"),
    [
        (
            {"status": "refused", "reason": "closed", "next_open": "2026-11-25T09:00:00+01:00"},
            "utter_handoff_closed",
        ),
        ({"status": "refused", "reason": "queue_full", "next_open": None}, "utter_handoff_queue_full"),
        ({"status": "refused", "reason": "no_advisors", "next_open": None}, "utter_handoff_no_advisors"),
    ],
)
async def test_refused_handoff_does_not_pause_and_offers_alternatives(
    hub_env: ContractHub, domain_dict: dict[str, Any], answer: dict[str, Any], response: str
) -> None:
    hub_env.answer = answer
    events, messages = await run(ActionHandoff(), tracker("request_human"), domain_dict)
    assert messages[0]["response"] == response
    assert not any(e["event"] == "pause" for e in events)
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}  # the turn ends
    if answer["reason"] == "closed":
        assert messages[0]["next_open"].startswith("Neste gang er")


async def test_hub_error_or_wrong_secret_is_a_refusal(
    hub_env: ContractHub, domain_dict: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_BOT_SECRET", "wrong")
    events, messages = await run(ActionHandoff(), tracker("request_human"), domain_dict)
    assert messages[0]["response"] == "utter_handoff_unavailable"
    assert not any(e["event"] == "pause" for e in events)


async def test_unreachable_hub_is_a_refusal(
    domain_dict: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.runtime.processes import free_port

    monkeypatch.setenv("HUB_URL", f"http://127.0.0.1:{free_port()}")
    _, messages = await run(ActionHandoff(), tracker("request_human"), domain_dict)
    assert messages[0]["response"] == "utter_handoff_unavailable"


@pytest.mark.parametrize(("answered", "expected"), [("aap_soke", ["aap_soke"]), (None, [])])
async def test_anger_says_sorry_offers_a_person_and_names_the_answer_that_did_not_help(
    domain_dict: dict[str, Any], answered: str | None, expected: list[str]
) -> None:
    t = tracker("frustrated", "dette hjelper ikke", {"faq_id": answered})
    events, [message] = await run(ActionFrustrated(), t, domain_dict)
    assert message["response"] == "utter_frustrated"
    assert message["custom"] == {"nav_signal": "not_helped", "suggestions": expected}
    assert events == []


async def test_a_person_wished_for_inside_a_topic_message_goes_to_that_topics_queue(
    hub_env: ContractHub, domain_dict: dict[str, Any]
) -> None:
    hub_env.answer = {"status": "queued", "queue": "familie", "position": 1, "estimated_wait_minutes": 2}
    # An earlier answer was about sykepenger; this message names barnetrygd.
    t = tracker(
        "request_human",
        text="barnetrygden står stille, jeg vil snakke med noen",
        slots={"faq_id": "sykmelding", "topic": "helse"},
        ranking=[("barnetrygd", 0.5), ("barnetrygd_utvidet", 0.3), ("sykmelding", 0.05)],
    )
    await run(ActionHandoff(), t, domain_dict)
    assert (hub_env.received[0]["topic"], hub_env.received[0]["faq_id"]) == ("familie", "barnetrygd")


async def test_a_plain_request_for_a_person_keeps_the_topic_of_the_conversation(
    hub_env: ContractHub, domain_dict: dict[str, Any]
) -> None:
    hub_env.answer = {"status": "queued", "queue": "helse", "position": 1, "estimated_wait_minutes": 2}
    spread = [("barnetrygd", 0.12), ("sykmelding", 0.1), ("dagpenger_soke", 0.1), ("tolk", 0.08)]
    t = tracker(
        "request_human", text="jeg vil snakke med noen", slots={"faq_id": "sykmelding"}, ranking=spread
    )
    await run(ActionHandoff(), t, domain_dict)
    assert hub_env.received[0]["topic"] == "helse"
    # With nothing answered yet, nor a topic named: the general queue.
    hub_env.received.clear()
    await run(ActionHandoff(), tracker("request_human", text="menneske", ranking=spread), domain_dict)
    assert hub_env.received[0]["topic"] == "generell"


async def test_a_call_back_wish_answers_with_the_button_and_keeps_the_topic_named(
    domain_dict: dict[str, Any],
) -> None:
    t = tracker("request_callback", text="kan dere ringe meg om barnetrygden", ranking=[("barnetrygd", 0.8)])
    events, messages = await run(ActionCallback(), t, domain_dict)
    assert messages[0]["response"] == "utter_callback"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human"]
    assert slot(events, "topic") == "familie"


def test_the_acute_need_answer_is_suggested_only_when_acute_need_is_likely() -> None:
    ranking = [("kontonummer_endre", 0.3), ("nodhjelp", 0.25), ("utbetalingsdatoer", 0.2)]
    assert "nodhjelp" not in suggestion_ids(ranking, frozenset({"nodhjelp"}))
    assert "nodhjelp" in suggestion_ids(ranking)


def test_the_queue_text_says_one_minute_in_the_singular() -> None:
    # "omtrent 1 minutter" was what a visitor read when the estimate said one minute.
    assert [wait_phrase(n) for n in (0, 1, 2)] == ["1 minutt", "1 minutt", "2 minutter"]
    assert [wait_phrase(n, "en") for n in (1, 5)] == ["1 minute", "5 minutes"]
