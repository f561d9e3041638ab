""" "Var svaret nyttig?" under the bot's FAQ answers: the plain rules, the store on a real
database (SQLite and PostgreSQL), and the visitor's endpoint over real HTTP (Rasa down)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from hub.bot import BotReply, _replies
from hub.db.base import Helpful, Sender
from hub.errors import Conflict, InvalidRequest, NotFound
from hub.feedback import AnswerVotes, tally, votes_csv
from hub.rules.wire import message_json
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import unanswered as unanswered_svc
from hub.unanswered import KINDS, group, to_csv
from tests.conftest import CLOSED_PORT_URL
from tests.stack import Proc, start_hub
from tests.test_e2e import HUB_ENV, Visitor


def test_the_faq_mark_goes_with_the_text_before_it() -> None:
    items = [
        {"recipient_id": "c", "custom": {"nav_faq": "before_any_text"}},
        {"recipient_id": "c", "text": "Du søker om dagpenger på nav.no …"},
        {"recipient_id": "c", "custom": {"nav_faq": "dagpenger_soke"}},
        {"recipient_id": "c", "text": "Ring 113 hvis det haster.", "buttons": []},
        {"recipient_id": "c", "custom": {"nav_faq": 7}},
        {"recipient_id": "c", "custom": {"nav_faq": "x" * 101}},
        {"recipient_id": "c", "custom": {"nav_signal": "unsure", "suggestions": []}},
    ]
    assert _replies(items) == [
        BotReply("Du søker om dagpenger på nav.no …", [], "dagpenger_soke"),
        BotReply("Ring 113 hvis det haster.", [], None),
    ]


def test_answers_with_the_most_nei_come_first() -> None:
    votes = tally(
        [
            ("a", Helpful.ja, 5),
            ("b", Helpful.nei, 2),
            ("c", Helpful.nei, 2),
            ("c", Helpful.ja, 1),
            ("b", "ja", 0),
        ]
    )
    assert votes == [AnswerVotes("c", 1, 2), AnswerVotes("b", 0, 2), AnswerVotes("a", 5, 0)]


def test_the_answers_csv_names_each_answer_and_runs_no_formula() -> None:
    text = votes_csv([AnswerVotes("dagpenger_soke", 3, 1), AnswerVotes("x", 0, 2)], {"x": "=2+3"})
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [
        ["svar", "id", "nyttig (ja)", "ikke nyttig (nei)"],
        ["dagpenger_soke", "dagpenger_soke", "3", "1"],
        ["'=2+3", "x", "0", "2"],
    ]


async def test_a_nei_files_the_question_that_answer_replied_to(hub) -> None:  # type: ignore[no-untyped-def]
    """The visitor asks twice before the bot answers the first: the "Nei" is about the first."""
    now = hub.clock.now()
    conv, _, _ = await hub.open_conversation(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        first = await conv_svc.add_message(u, c, Sender.visitor, "hvordan søker jeg dagpenger", now)
        await conv_svc.add_message(u, c, Sender.visitor, "og hva med 12345678901?", now)
    await hub._store_bot_replies(
        conv.id, [BotReply("Du søker på nav.no …", [], "dagpenger_soke")], first.id
    )
    async with hub.unit(read_only=True) as u:
        [answer] = [m for m in await conv_svc.messages_after(u, conv.id) if m.faq_id]
    assert (answer.sender, answer.reply_to) == (Sender.bot, first.id)
    assert message_json(answer)["faq_id"] == "dagpenger_soke"

    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        assert await feedback_svc.vote(u, c, answer.id, "nei", now) == Helpful.nei
    async with hub.unit(read_only=True) as u:
        [case] = await unanswered_svc.cases_since(u, now - timedelta(days=1))
        votes = await feedback_svc.counts_since(u, now - timedelta(days=1))
    assert (case.text, case.kind, case.answered) == (
        "hvordan søker jeg dagpenger",
        "wrong_answer",
        "dagpenger_soke",
    )
    assert KINDS[case.kind] == "Svaret var feil eller hjalp ikke"
    assert votes == [AnswerVotes("dagpenger_soke", 0, 1)]
    [question] = group([case])
    assert question.as_json({"dagpenger_soke": "Søke dagpenger"})["answered"] == [
        {"id": "dagpenger_soke", "title": "Søke dagpenger", "count": 1}
    ]
    assert (
        to_csv([question], {"dagpenger_soke": "Søke dagpenger"})
        .splitlines()[1]
        .endswith(";Søke dagpenger (1)")
    )


async def test_each_answer_takes_one_vote_from_its_own_conversation(hub) -> None:  # type: ignore[no-untyped-def]
    now = hub.clock.now()
    conv, _, _ = await hub.open_conversation(None)
    other, _, _ = await hub.open_conversation(None)
    async with hub.unit() as u:
        c = await conv_svc.get(u, conv.id)
        asked = await conv_svc.add_message(u, c, Sender.visitor, "når kommer pengene", now)
    await hub._store_bot_replies(
        conv.id, [BotReply("Pengene kommer …", [], "utbetaling")], asked.id
    )
    async with hub.unit(read_only=True) as u:
        listed = await conv_svc.messages_after(u, conv.id)
    answer = next(m for m in listed if m.faq_id)
    notice = next(m for m in listed if m.sender == Sender.system)  # Rasa down: not an answer

    async def vote(conversation_id: str, message_id: int, value: object) -> Helpful:
        async with hub.unit() as u:
            c = await conv_svc.get(u, conversation_id)
            return await feedback_svc.vote(u, c, message_id, value, now)

    with pytest.raises(InvalidRequest):
        await vote(conv.id, answer.id, "kanskje")
    with pytest.raises(InvalidRequest):
        await vote(conv.id, asked.id, "ja")  # the visitor's own message
    with pytest.raises(InvalidRequest):
        await vote(conv.id, notice.id, "ja")  # not an FAQ answer
    with pytest.raises(NotFound):
        await vote(other.id, answer.id, "ja")  # someone else's answer
    assert await vote(conv.id, answer.id, "ja") == Helpful.ja
    with pytest.raises(Conflict):
        await vote(conv.id, answer.id, "nei")
    async with hub.unit(read_only=True) as u:
        assert await feedback_svc.counts_since(u, now - timedelta(days=1)) == [
            AnswerVotes("utbetaling", 1, 0)
        ]
        # A "Ja" is counted, not listed as unanswered.
        assert await unanswered_svc.cases_since(u, now - timedelta(days=1)) == []

    # Deleting the conversation (the visitor's or retention's) takes its feedback along.
    async with hub.unit() as u:
        await conv_svc.delete_conversations(u, [conv.id])
    async with hub.unit(read_only=True) as u:
        assert await feedback_svc.counts_since(u, now - timedelta(days=1)) == []


@pytest.fixture(scope="module")
def rasa_down_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    url = f"sqlite:///{tmp_path_factory.mktemp('feedback') / 'hub.db'}"
    proc = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    yield proc
    proc.stop()


def test_feedback_on_anything_but_an_faq_answer_is_a_clear_4xx(rasa_down_hub: Proc) -> None:
    v, other = Visitor(rasa_down_hub.url), Visitor(rasa_down_hub.url)
    notice = v.first[0]["id"]  # "Chatboten svarer ikke": a system message
    assert v.first[0]["faq_id"] is None
    sent = v.post("/messages", json={"text": "hei"}).json()["message"]["id"]
    cases = [
        (v, f"/messages/{notice}/feedback", {"value": "ja"}, {}, 401, "unauthorized"),
        (v, f"/messages/{notice}/feedback", {"value": "ja"}, None, 400, "invalid_request"),
        (v, f"/messages/{sent}/feedback", {"value": "nei"}, None, 400, "invalid_request"),
        (v, f"/messages/{notice}/feedback", {"value": "kanskje"}, None, 400, "invalid_request"),
        (v, f"/messages/{notice}/feedback", {}, None, 400, "invalid_request"),
        (other, f"/messages/{notice}/feedback", {"value": "ja"}, None, 404, "not_found"),
        (v, "/messages/99999999999/feedback", {"value": "ja"}, None, 404, "not_found"),
        (v, "/messages/-1/feedback", {"value": "ja"}, None, 404, "not_found"),
        (v, "/messages/abc/feedback", {"value": "ja"}, None, 404, "not_found"),
    ]
    for who, path, payload, headers, status, code in cases:
        r = httpx.post(
            f"{who.base}/api/conversations/{who.id}{path}",
            json=payload,
            headers=who.headers if headers is None else headers,
        )
        assert (r.status_code, r.json()["error"]) == (status, code), (path, r.text)
        assert r.json()["message"]
