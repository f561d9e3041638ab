"""The conversation's language: stored from the bot's handoff or the widget's switch,
shown to advisors, and the hub's own notices to the visitor in English when it is English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

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
