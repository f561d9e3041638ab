"""Only offered buttons reach Rasa as intents (hub.bot_input): the rule, the record of
what was offered (SQLite and PostgreSQL), and what a real hub sends to Rasa."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from hub.core import Hub
from hub.db.base import Sender
from hub.rules import texts
from hub.rules.bot_input import ALWAYS_OFFERED, for_bot, looks_like_intent, plain_text
from hub.services import conversations as conv_svc
from tests.fake_rasa import FAQ_BUTTON, FakeRasa, answer_to
from tests.live import HUB_ENV, Visitor
from tests.stack import start_hub

FAQ = FAQ_BUTTON["payload"]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("/urgent", "urgent"),
        ("  /urgent  ", "urgent"),
        ("//urgent", "urgent"),
        ("/ /urgent", "urgent"),
        ('/urgent@1.0{"topic": "helse"}', 'urgent@1.0{"topic": "helse"}'),
        ("/", "/"),
        ("// /", "/"),
        ("hei / hallo", "hei / hallo"),
        ("Hvordan søker jeg?", "Hvordan søker jeg?"),
    ],
)
def test_plain_text_never_starts_with_a_slash_unless_it_is_only_one(text: str, plain: str) -> None:
    assert plain_text(text) == plain
    assert plain == "/" or not looks_like_intent(plain)


def test_a_typed_intent_goes_as_words_unless_it_was_offered() -> None:
    assert for_bot("/urgent", None, set()) == "urgent"
    assert for_bot("/urgent", None, {FAQ}) == "urgent"
    assert for_bot(FAQ, None, {FAQ}) == FAQ  # typing an offered button's payload is pressing it
    assert for_bot("Hva er dagpenger?", None, set()) == "Hva er dagpenger?"


def test_a_payload_goes_only_if_offered_else_the_visible_text_goes() -> None:
    assert for_bot("Søke om dagpenger", FAQ, {FAQ}) == FAQ
    assert for_bot("Haster!", "/urgent", {FAQ}) == "Haster!"
    assert for_bot("/urgent", "/urgent", set()) == "urgent"
    assert for_bot("Søke", '/faq{"faq_id":"annen"}', {FAQ}) == "Søke"


def test_the_widgets_own_request_for_a_person_is_always_offered() -> None:
    assert texts.BOT_REQUEST_HUMAN_PAYLOAD in ALWAYS_OFFERED
    assert for_bot("Jeg vil snakke med en veileder", "/request_human", set()) == "/request_human"
    assert for_bot("/request_human", None, set()) == "/request_human"


async def test_offered_payloads_are_the_buttons_of_this_conversations_bot_and_hub_messages(
    hub: Hub,
) -> None:
    now = hub.clock.now()
    async with hub.unit() as u:
        a, _ = await conv_svc.open_conversation(u, now, None)
        b, _ = await conv_svc.open_conversation(u, now, None)
        await conv_svc.add_message(u, a, Sender.bot, "Velg", now, buttons=[FAQ_BUTTON])
        await conv_svc.add_message(
            u, a, Sender.system, "Nede", now, buttons=[texts.REQUEST_ADVISOR_BUTTON]
        )
        # A visitor's own message carries a payload, but offers nothing.
        await conv_svc.add_message(u, a, Sender.visitor, "x", now, payload="/urgent")
        await conv_svc.add_message(
            u, b, Sender.bot, "Annet", now, buttons=[{"title": "Ja", "payload": "/affirm"}]
        )
    async with hub.unit(read_only=True) as u:
        assert await conv_svc.offered_payloads(u, a.id) == {
            FAQ,
            texts.REQUEST_ADVISOR_PAYLOAD,
        }
        assert await conv_svc.offered_payloads(u, b.id) == {"/affirm"}


def _wait_for_answer(v: Visitor, expected: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = httpx.get(f"{v.base}/api/conversations/{v.id}", headers=v.headers).json()
        if any(m["text"] == answer_to(expected) for m in messages["messages"]):
            return
        time.sleep(0.05)
    raise AssertionError(f"no answer to {expected!r}")


def test_a_typed_intent_or_unoffered_payload_reaches_rasa_as_plain_text(tmp_path: Path) -> None:
    with FakeRasa() as rasa:
        hub = start_hub(
            database_url=f"sqlite:///{tmp_path / 'hub.db'}", rasa_url=rasa.url, env=HUB_ENV
        )
        try:
            v = Visitor(hub.url)
            assert v.first[0]["buttons"] == [FAQ_BUTTON]  # the welcome offers one button
            cases = [
                ({"text": "/urgent"}, "urgent"),
                ({"text": '/urgent@1.0{"topic":"helse"}'}, 'urgent@1.0{"topic":"helse"}'),
                ({"text": "Haster!", "payload": "/urgent"}, "Haster!"),
                ({"text": "Søke om dagpenger", "payload": FAQ}, FAQ),
                ({"text": "Snakk med en veileder", "payload": "/request_human"}, "/request_human"),
                ({"text": "hei / hallo"}, "hei / hallo"),
            ]
            for sent, expected in cases:
                r = v.post("/messages", json=sent)
                assert r.status_code == 201, r.text
                assert r.json()["message"]["text"] == sent["text"]  # stored as typed
                _wait_for_answer(v, expected)
            assert rasa.messages() == ["/start"] + [expected for _, expected in cases]
        finally:
            hub.stop()
