"""The conversation's language: stored from the bot's handoff or the widget's switch,
shown to advisors, and the hub's own notices to the visitor in English when it is English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hub.adapters import rasa
from hub.api import internal as internal_api
from hub.api import views
from hub.errors import QueueRefused
from hub.rules import bot_input, texts
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc
from tests.conftest import new_advisor
from tests.support import messages_of, open_conv

OSLO = ZoneInfo("Europe/Oslo")


async def test_an_english_handoff_is_stored_listed_and_told_in_english(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, _, _ = await open_conv(hub)
    answer = await hub.relay.handoff(cid, "asked_for_person", "arbeid", None, language="en")
    assert answer["status"] == "queued"
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).language == "en"
        overview = views.queues_json(await queue_svc.overview(u, hub.clock.now()))
    [waiting] = next(q for q in overview if q["topic"] == "arbeid")["waiting"]
    assert waiting["language"] == "en"

    chat = await hub.advisors.claim(kari, cid)
    assert views.advisor_chat_json(chat)["language"] == "en"
    await hub.advisors.end(kari, cid, "besvart")
    await hub.drain()
    notices = [m.text for m in await messages_of(hub, cid) if m.sender == "system"]
    assert notices[-2:] == [
        "Kari is an advisor and has taken over the conversation.",
        "The advisor has ended the conversation. Did you get an answer to your question?",
    ]


async def test_a_norwegian_handoff_keeps_the_norwegian_notices(hub) -> None:  # type: ignore[no-untyped-def]
    kari, _ = await new_advisor(hub, "kari")
    cid, _, _ = await open_conv(hub)
    await hub.relay.handoff(cid, "asked_for_person", "arbeid", None, language="nb")
    await hub.advisors.claim(kari, cid)
    [notice] = [m.text for m in await messages_of(hub, cid) if m.sender == "system"][-1:]
    assert notice == texts.ADVISOR_JOINED.format(name="Kari")


async def test_the_widgets_switch_sets_the_language_and_reaches_the_bot_as_the_intent(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    payload = texts.CHOOSE_LANGUAGE_PAYLOADS["en"]
    await hub.visitors.message(cid, secret, "English", payload)
    await hub.drain()
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).language == "en"
    assert bot_input.for_bot("English", payload, frozenset()) == payload
    # Refused in English too: no advisor is logged in.
    with pytest.raises(QueueRefused) as refused:
        await hub.visitors.request_queue(cid, secret, None)
    assert refused.value.message.startswith("No advisors are logged in right now.")


def test_the_handoff_endpoint_refuses_an_unknown_language() -> None:
    body = {"conversation_id": "c1", "reason": "asked_for_person", "topic": "arbeid"}
    assert internal_api._validate(body | {"language": "en"}) is None
    assert internal_api._validate(body | {"language": None}) is None
    assert (
        internal_api._validate(body | {"language": "fr"})
        == "language must be one of nb, en or null"
    )


def test_the_hubs_queue_and_closed_notices_in_english() -> None:
    assert texts.queued(3, 5, "en") == (
        "You are in the queue to talk to an advisor. You are number 3 in the queue. "
        "The waiting time is about 5 minutes."
    )
    opens = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert texts.refused("closed", opens, OSLO, "en").startswith(
        "The chat with an advisor is closed now. We open again Monday 7.12. at 09:00."
    )
    assert texts.queued(3, 5) == texts.queued(3, 5, "nb")
    assert texts.in_language(texts.LEFT_QUEUE, None) == texts.LEFT_QUEUE


def test_the_language_of_a_turn_is_its_last_faq_answers() -> None:
    items = [
        {"recipient_id": "c", "text": "You apply for unemployment benefit on nav.no …"},
        {"recipient_id": "c", "custom": {"nav_faq": "dagpenger_soke", "nav_language": "en"}},
    ]
    assert rasa.language_of(items) == "en"
    assert rasa.language_of([*items, {"custom": {"nav_faq": "x", "nav_language": "nb"}}]) == "nb"
    # No mark, an old mark without a language, or a language the hub does not speak: nothing.
    assert rasa.language_of([{"text": "Hei!"}]) is None
    assert rasa.language_of([{"custom": {"nav_faq": "dagpenger_soke"}}]) is None
    assert rasa.language_of([{"custom": {"nav_faq": "x", "nav_language": "fr"}}, "junk"]) is None


async def test_an_english_faq_answer_makes_the_conversation_english_for_the_widget(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    view = await hub.visitors.view(cid, secret, 0)
    assert views.conversation_json(view)["language"] == "nb"
    assert views.state_json(view)["language"] == "nb"

    answer = rasa.BotReply("First, register as a job seeker …", [], "dagpenger_soke")
    await hub.relay.store_replies(cid, [answer], None, None, "en")
    view = await hub.visitors.view(cid, secret, 0)
    assert views.conversation_json(view)["language"] == "en"
    assert views.state_json(view) == {"owner": "bot", "queue": None, "language": "en"}
    # A turn without an FAQ answer says nothing about the language: it stays.
    await hub.relay.store_replies(cid, [rasa.BotReply("Hi!")], None, None, None)
    async with hub.unit() as u:
        assert (await conv_svc.get(u, cid)).language == "en"


async def test_the_switch_back_to_norwegian_reaches_the_widgets_poll(hub) -> None:  # type: ignore[no-untyped-def]
    cid, secret, _ = await open_conv(hub)
    await hub.visitors.message(cid, secret, "English", texts.CHOOSE_LANGUAGE_PAYLOADS["en"])
    await hub.drain()
    assert views.conversation_json(await hub.visitors.view(cid, secret, 0))["language"] == "en"
    await hub.visitors.message(cid, secret, "Norsk", texts.CHOOSE_LANGUAGE_PAYLOADS["nb"])
    await hub.drain()
    assert views.conversation_json(await hub.visitors.view(cid, secret, 0))["language"] == "nb"
