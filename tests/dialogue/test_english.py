"""English visitors get English answers; other languages get the interpreter answer (test model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import Agent

from bot.evaluation.dialogue import reply_language
from bot.runtime.processes import ActionServer
from tests.contract_hub import ContractHub
from tests.dialogue.test_conversations import new_sender, say


@pytest.fixture(scope="module")
def agent(test_model: Path, actions: ActionServer) -> Iterator[Agent]:
    yield Agent.load(str(test_model), action_endpoint=actions.endpoint())


async def test_an_english_question_gets_the_english_answer_with_the_catalogue_link(agent: Agent) -> None:
    [answer, *_] = await say(agent, new_sender(), "How do I apply for unemployment benefits?")
    assert answer.startswith("First, register as a job seeker")
    assert answer.endswith("Read more at https://www.nav.no/dagpenger")


async def test_the_conversation_stays_english_until_a_whole_norwegian_message(agent: Agent) -> None:
    sender = new_sender()
    await say(agent, sender, "How do I apply for unemployment benefits?")
    # One word decides nothing: still English (here the unsure turn, its suggestions too).
    [kept] = [r for r in await agent.handle_text("meldekort", sender_id=sender) or [] if r.get("text")]
    assert kept["text"] == "I am not sure I understood you. Did you mean one of these?"
    assert kept["buttons"][-1]["title"] == "Talk to an advisor"
    assert any("employment status form" in b["title"] for b in kept["buttons"])
    # A whole Norwegian message switches back.
    [back, *_] = await say(agent, sender, "hvordan søker jeg om sykepenger")
    assert "Les mer på https://www.nav.no/sykepenger" in back


async def test_a_first_message_that_leans_english_opens_the_conversation_in_english(agent: Agent) -> None:
    sender = new_sender()
    await say(agent, sender, "/start")
    # Two words, no Norwegian one, the detector sure of English: does not decide, leans.
    assert reply_language(await say(agent, sender, "processing time")) == "en"
    # The conversation is English now: a one-word message keeps it.
    assert reply_language(await say(agent, sender, "meldekort")) == "en"


async def test_a_message_that_only_leans_english_does_not_switch_a_norwegian_conversation(
    agent: Agent,
) -> None:
    sender = new_sender()
    await say(agent, sender, "hvordan søker jeg om sykepenger")
    assert reply_language(await say(agent, sender, "processing time")) == "nb"


async def test_asking_to_speak_english_is_answered_in_english_and_the_choice_is_kept(agent: Agent) -> None:
    sender = new_sender()
    [chosen] = await say(agent, sender, "Can I speak English with you?")
    assert chosen.startswith("Fine, we will write in English")
    [welcome] = await say(agent, sender, "/start")
    assert "I am Nav's chatbot" in welcome
    # The widget's switch back to Norwegian.
    [norsk] = await say(agent, sender, '/choose_language{"language": "nb"}')
    assert norsk.startswith("Greit, vi skriver på norsk")


async def test_an_english_visitor_asking_for_a_person_is_queued_in_english(
    agent: Agent, queued_hub: ContractHub
) -> None:
    replies = await say(agent, new_sender(), "I want to talk to a real person please")
    assert "You are number 2 in the queue" in replies[-1]
    assert queued_hub.received[-1]["language"] == "en"


async def test_an_english_acute_need_gets_the_english_emergency_numbers_and_an_urgent_handoff(
    agent: Agent, queued_hub: ContractHub
) -> None:
    replies = await say(agent, new_sender(), "I do not want to live anymore, I can't take it")
    assert replies[0].startswith("If you are in danger now, call 112 (police) or 113 (ambulance).")
    assert all(number in replies[0] for number in ("116 123", "116 006", "116 117"))
    assert queued_hub.received[-1]["reason"] == "urgent"
    assert queued_hub.received[-1]["language"] == "en"
    assert reply_language(replies) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Straciłem pracę, co mam teraz zrobić?",
        "Як мені подати заяву на допомогу?",
        "كيف أقدم طلبا للحصول على إعانة البطالة؟",
        "Waxaan u baahanahay lacag kirada guriga",
        "ስራሕ ስኢነ እየ",
    ],
)
async def test_another_language_gets_the_interpreter_answer_and_a_person_never_an_faq(
    agent: Agent, text: str
) -> None:
    sender = new_sender()
    replies = [r for r in await agent.handle_text(text, sender_id=sender) or [] if r.get("text")]
    [reply] = replies
    assert "This chat speaks Norwegian and English" in reply["text"]
    assert "https://www.nav.no/tolk" in reply["text"]
    assert [b["payload"] for b in reply["buttons"]] == ["/request_human"]
