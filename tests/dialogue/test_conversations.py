"""Whole turns through the trained model, the rules and the real action server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import ConversationResumed

from bot.runtime.processes import ActionServer
from tests.contract_hub import ContractHub


@pytest.fixture(scope="module")
def agent(test_model: Path, actions: ActionServer) -> Iterator[Agent]:
    yield Agent.load(str(test_model), action_endpoint=actions.endpoint())


async def say(agent: Agent, sender: str, text: str) -> list[str]:
    replies = await agent.handle_text(text, sender_id=sender)
    # The texts the visitor reads; the hub's marks (custom items) are not shown.
    return [r["text"] for r in replies or [] if r.get("text")]


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


async def test_opening_says_it_is_a_bot_and_warns_about_personal_data(agent: Agent) -> None:
    [welcome] = await say(agent, new_sender(), "/start")
    assert "chatbot" in welcome and "personopplysninger" in welcome


async def test_a_clear_question_gets_its_faq_answer(agent: Agent) -> None:
    replies = await say(agent, new_sender(), "hvordan søker jeg om dagpenger")
    assert replies and "https://www.nav.no/dagpenger" in replies[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hva kan jeg spørre deg om", "dagpenger"),
        ("dette er jo helt ubrukelig", "Beklager"),
        ("kan jeg få gjenlevendepensjon", "En veileder kan hjelpe deg"),
    ],
)
async def test_help_anger_and_uncovered_questions_get_their_reply_and_a_button_to_a_person(
    agent: Agent, queued_hub: ContractHub, text: str, expected: str
) -> None:
    sender = new_sender()
    # A reply that signals the hub (not_covered) comes with a custom item beside it.
    [reply] = [m for m in await agent.handle_text(text, sender_id=sender) or [] if m.get("text")]
    assert expected in reply["text"]
    [button] = reply["buttons"]
    assert button["payload"] == "/request_human"
    # The button is the bot's own request for a person: it queues.
    replies = await say(agent, sender, button["payload"])
    assert "i køen" in replies[-1]


async def test_asking_for_a_person_queues_and_pauses_the_bot(agent: Agent, queued_hub: ContractHub) -> None:
    sender = new_sender()
    replies = await say(agent, sender, "kan du sette meg over til et ekte menneske")
    assert "nummer 2 i køen" in replies[-1]
    assert queued_hub.received[-1]["reason"] == "asked_for_person"
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None and tracker.is_paused()


async def test_after_the_advisor_hands_back_the_bot_welcomes_and_answers_again(
    agent: Agent, queued_hub: ContractHub
) -> None:
    sender = new_sender()
    await say(agent, sender, "kan du sette meg over til et ekte menneske")
    # What the hub does on hand back (docs/contracts/handoff.md): resume, then "/start".
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None
    tracker.update(ConversationResumed())
    await agent.tracker_store.save(tracker)
    [welcome] = await say(agent, sender, "/start")
    assert "chatbot" in welcome
    replies = await say(agent, sender, "hvordan søker jeg om dagpenger")
    assert "https://www.nav.no/dagpenger" in replies[0]
    assert len(queued_hub.received) == 1  # no second handoff


async def test_closed_queue_gives_the_alternatives_and_the_bot_keeps_helping(
    agent: Agent, hub: ContractHub
) -> None:
    hub.answer = {"status": "refused", "reason": "closed", "next_open": "2026-11-30T09:00:00+01:00"}
    sender = new_sender()
    replies = await say(agent, sender, "kan du sette meg over til et ekte menneske")
    assert "55 55 33 33" in replies[-1] and "09–15" in replies[-1]
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None and not tracker.is_paused()
    assert await say(agent, sender, "hvordan søker jeg om dagpenger")


async def test_urgent_need_gets_emergency_numbers_and_an_urgent_handoff(
    agent: Agent, queued_hub: ContractHub
) -> None:
    replies = await say(agent, new_sender(), "jeg vil ikke leve lenger")
    assert (
        "112" in replies[0]
        and "113" in replies[0]
        and "116 006" in replies[0]
        and "116 123" in replies[0]
        and "116 117" in replies[0]
    )
    assert queued_hub.received[-1]["reason"] == "urgent"


async def test_the_acute_need_faq_with_nobody_to_take_over_ends_with_the_alternatives(
    agent: Agent, hub: ContractHub
) -> None:
    # The nodhjelp FAQ answers, adds the emergency numbers and asks for an urgent handoff
    # itself. When no advisor can take it, the turn ends with the alternatives: not with
    # a "did not understand", which the rules used to add after the refused handoff.
    hub.answer = {"status": "refused", "reason": "no_advisors"}
    sender = new_sender()
    replies = await say(agent, sender, '/faq{"faq_id": "nodhjelp"}')
    assert "https://www.nav.no/okonomisk-sosialhjelp" in replies[0]
    assert "116 123" in replies[1]
    assert "55 55 33 33" in replies[-1]
    assert not any("forstod jeg ikke" in r for r in replies), replies
    assert hub.received[-1]["reason"] == "urgent"
    replies = await say(agent, sender, "hvordan søker jeg om dagpenger")
    assert replies and "https://www.nav.no/dagpenger" in replies[0]


async def test_two_unsure_turns_then_yes_hands_off_as_unsure(agent: Agent, queued_hub: ContractHub) -> None:
    sender = new_sender()
    first = await say(agent, sender, "/nlu_fallback")
    assert "Mente du" in first[0]
    second = await say(agent, sender, "/nlu_fallback")
    assert "Vil du snakke med en veileder" in second[0]
    await say(agent, sender, "/affirm")
    assert queued_hub.received[-1]["reason"] == "unsure"


async def test_a_follow_up_question_is_answered_for_the_benefit_just_answered(agent: Agent) -> None:
    sender = new_sender()
    [first] = await say(agent, sender, "har jeg rett til sykepenger")
    assert "https://www.nav.no/sykepenger" in first
    # Alone, "når blir det utbetalt" gets the general payment dates; here it follows sykepenger.
    [when] = await say(agent, sender, "når blir det utbetalt")
    assert "Betaler Nav sykepengene direkte til deg" in when
    # Naming another benefit leaves the previous one behind.
    [other] = await say(agent, sender, "når blir dagpengene utbetalt")
    assert "Dagpenger betales ut" in other


async def test_a_suggestion_button_answers_that_faq(agent: Agent) -> None:
    replies = await say(agent, new_sender(), '/faq{"faq_id": "barnetrygd"}')
    assert "https://www.nav.no/barnetrygd" in replies[0]


async def test_a_wish_for_a_person_inside_a_topic_message_queues_for_that_topic(
    agent: Agent, queued_hub: ContractHub
) -> None:
    sender = new_sender()
    replies = await say(
        agent,
        sender,
        "barnetrygden for datteren min har stått stille i flere uker, jeg trenger at et menneske ser på saken",
    )
    assert "i køen" in replies[-1]
    request = queued_hub.received[-1]
    assert request["reason"] == "asked_for_person"
    assert request["topic"] == "familie"


async def test_a_call_back_wish_gets_the_phone_and_writing_facts_and_the_button_to_a_person(
    agent: Agent, queued_hub: ContractHub
) -> None:
    sender = new_sender()
    [reply] = [
        m
        for m in await agent.handle_text("kan noen fra nav ringe meg opp i morgen", sender_id=sender) or []
        if m.get("text")
    ]
    assert "55 55 33 33" in reply["text"] and "https://www.nav.no/kontaktoss" in reply["text"]
    assert [b["payload"] for b in reply["buttons"]] == ["/request_human"]
    # "Ja" to the question in the answer queues the visitor.
    replies = await say(agent, sender, "ja takk")
    assert "i køen" in replies[-1]


async def test_asking_whether_one_talks_to_a_machine_stays_a_bot_challenge(agent: Agent) -> None:
    replies = await say(agent, new_sender(), "snakker jeg med et menneske nå?")
    assert replies and "chatbot" in replies[0].lower()


async def test_asking_in_request_words_whether_a_person_is_there_is_answered_not_queued(agent: Agent) -> None:
    replies = await say(agent, new_sender(), "e det eit ekte menneske eg snakka med no?")
    assert replies and "chatbot" in replies[0].lower()
    assert not any("i køen" in reply for reply in replies)


async def test_asking_in_dialect_what_the_chat_is_gets_the_answer_not_unsure(agent: Agent) -> None:
    replies = await say(agent, new_sender(), "ka e du for nokke?")
    assert replies and "chatbot" in replies[0].lower()


async def test_a_greeting_that_only_names_the_writer_is_greeted_not_answered(agent: Agent) -> None:
    replies = await say(agent, new_sender(), "God dag. Her skriver Kari Nordmann.")
    assert replies and replies[0].startswith("Hei! Hva lurer du på?")


async def test_a_vague_single_word_gets_the_unsure_turn_not_an_answer(agent: Agent) -> None:
    [reply] = [m for m in await agent.handle_text("stønad", sender_id=new_sender()) or [] if m.get("text")]
    assert "https://www.nav.no" not in reply["text"]
    assert reply["buttons"][-1]["payload"] == "/request_human"


async def test_a_long_story_with_one_plain_question_gets_that_question_answered(agent: Agent) -> None:
    replies = await say(
        agent,
        new_sender(),
        "Hei. Jeg har vært lærer i tjue år og trives egentlig godt, men skolen legges ned til sommeren "
        "og kommunen har ikke noe annet til meg. Mannen min er også usikker på jobben sin. "
        "Hvordan søker jeg om dagpenger?",
    )
    assert replies and "https://www.nav.no/dagpenger" in replies[0]
