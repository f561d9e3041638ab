"""Less typing for advisors (rules/assist.py): the answers suggested for the visitor's latest
question, and the summary of the bot's part; the use case on SQLite and PostgreSQL with the
bot's answers read from a (fake, real HTTP) Rasa."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from hub.adapters.faq_source import FaqSource
from hub.adapters.rasa import BotReply, RasaClient
from hub.db.base import Sender
from hub.errors import FaqUnavailable, Forbidden
from hub.rules.assist import latest_question, suggest, summarise
from hub.rules.faq import entries_from_domain
from hub.services import conversations as conv_svc
from tests.conftest import new_advisor
from tests.fake_rasa import FakeRasa
from tests.test_faq import DOMAIN

ENTRIES = entries_from_domain(DOMAIN)


@dataclass(frozen=True)
class Msg:
    id: int
    sender: str
    text: str
    faq_id: str | None = None


def test_the_latest_question_skips_asking_for_a_person() -> None:
    messages = [
        Msg(1, "visitor", "Når får jeg pengene for dagpenger?"),
        Msg(2, "bot", "Dagpengene utbetales etter meldekortet.", "dagpenger_utbetaling"),
        Msg(3, "visitor", "Kan jeg få snakke med en veileder?"),
    ]
    assert latest_question(messages) == messages[0]
    assert latest_question([Msg(1, "visitor", "Hei! Jeg vil snakke med et menneske")]) is None


@pytest.mark.parametrize(
    ("question", "topic", "first"),
    [
        ("Når blir dagpengene utbetalt?", "arbeid", "dagpenger_utbetaling"),
        ("Hvordan søker jeg dagpenger?", "arbeid", "dagpenger_soke"),
        ("barnet mitt er sykt, hva nå", "familie", "sykt_barn"),
        ("Kan jeg få sosialhjelp?", "generell", "okonomisk_sosialhjelp"),
    ],
)
def test_the_suggestions_put_the_obvious_answer_first(
    question: str, topic: str, first: str
) -> None:
    found = suggest(ENTRIES, question, topic)
    assert found and found[0].id == first
    assert len(found) <= 3


def test_the_chats_topic_breaks_a_tie_and_weak_answers_are_left_out() -> None:
    # "søke" is in two titles, one in each topic: the chat's topic comes first.
    assert suggest(ENTRIES, "søke", "sosial")[0].id == "okonomisk_sosialhjelp"
    assert suggest(ENTRIES, "søke", "arbeid")[0].id == "dagpenger_soke"
    assert suggest(ENTRIES, "Hei, kan jeg snakke med en veileder?", "arbeid") == []
    assert suggest([], "dagpenger", "arbeid") == []


def test_the_summary_is_the_bots_part_with_the_answers_by_title() -> None:
    messages = [
        Msg(1, "bot", "Hei! Jeg er Navs chatbot."),
        Msg(2, "visitor", "Når får jeg utbetalt dagpenger?"),
        Msg(
            3,
            "bot",
            "Dagpengene utbetales etter at du har sendt meldekortet.",
            "dagpenger_utbetaling",
        ),
        Msg(4, "visitor", "Jeg har sendt det, men ingen penger"),
        Msg(5, "bot", "Her er et svar boten ikke har tittel på. Og mer tekst.", "ukjent"),
        Msg(6, "visitor", "snakke med veileder"),
        Msg(7, "advisor", "Hei, jeg heter Kari."),
        Msg(8, "bot", "Ikke en del av botens del.", "barnetrygd"),
    ]
    s = summarise("arbeid", "asked_for_person", messages, {"dagpenger_utbetaling": "Utbetaling"})
    assert (s.topic, s.reason) == ("arbeid", "asked_for_person")
    assert s.first_question == "Når får jeg utbetalt dagpenger?"
    assert s.last_question == "Jeg har sendt det, men ingen penger"
    assert [(a.faq_id, a.title) for a in s.bot_answers] == [
        ("dagpenger_utbetaling", "Utbetaling"),
        ("ukjent", "Her er et svar boten ikke har tittel på. Og mer tekst."),
    ]
    assert s.visitor_messages == 3
    empty = summarise("generell", "unsure", [], {})
    assert (empty.first_question, empty.last_question, empty.bot_answers) == (None, None, [])


async def test_an_advisor_gets_suggestions_and_a_summary_for_a_chat(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    ola, _ = await new_advisor(hub, "ola")
    conv, _, _ = await hub.visitors.open("/dagpenger")
    now = hub.clock.now()
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        asked = await conv_svc.add_message(
            u, c, Sender.visitor, "Når får jeg utbetalt dagpenger?", now
        )
    await hub.relay.store_replies(
        conv.id,
        [BotReply("Dagpengene utbetales etter meldekortet.", [], "dagpenger_utbetaling")],
        asked.id,
    )
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        await conv_svc.add_message(u, c, Sender.visitor, "Kan jeg få snakke med en veileder?", now)
    assert (await hub.relay.handoff(conv.id, "asked_for_person", "arbeid", None))[
        "status"
    ] == "queued"

    with FakeRasa() as rasa:
        rasa.domain = DOMAIN
        async with httpx.AsyncClient() as http:
            hub.advisors.faq = FaqSource(RasaClient(rasa.url, 2, http))
            # A waiting chat: every advisor may look, before claiming.
            found = await hub.advisors.suggestions(ola, conv.id)
            assert found.question is not None and found.question.id == asked.id
            assert found.answers[0].id == "dagpenger_utbetaling"
            chat = await hub.advisors.claim(kari, conv.id)
            assert chat.summary.first_question == "Når får jeg utbetalt dagpenger?"
            assert [a.title for a in chat.summary.bot_answers] == [
                "Når får jeg utbetalt dagpenger?"
            ]
            with pytest.raises(Forbidden):  # Kari's now
                await hub.advisors.suggestions(ola, conv.id)
            rasa.up = False
            hub.advisors.faq = FaqSource(RasaClient(rasa.url, 2, http))  # no copy yet
            with pytest.raises(FaqUnavailable):
                await hub.advisors.suggestions(kari, conv.id)
