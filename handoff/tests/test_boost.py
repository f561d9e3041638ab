"""boost.ai's chat API v2 (``POST /api/chat/v2``, Nav's widget) against a real hub on
SQLite and on PostgreSQL over HTTP, with the stand-in Rasa: every command, the handoff
(the bot's own handoff contract), an advisor's chat, and bad input (a clear 4xx in
boost's ``{"error": …}`` shape, nothing stored). The mapping rules first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from hub.db.engine import create_engine
from hub.errors import HubError
from hub.rules import boost
from tests.conftest import _truncate
from tests.fake_rasa import FAQ_BUTTON, WELCOME, FakeRasa, answer_to
from tests.stack import Proc, start_hub
from tests.test_e2e import HUB_ENV, create_advisor, login

BOT_SECRET = "test-bot-secret"


# ---- the rules ---------------------------------------------------------------


@dataclass
class Row:
    id: int
    sender: str
    text: str
    buttons: list[dict[str, str]]
    created_at: datetime = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    advisor_name: str | None = None
    faq_id: str | None = None


def test_messages_become_responses() -> None:
    bot = boost.response_json(Row(7, "bot", "Hei", [FAQ_BUTTON]))
    assert bot == {
        "id": "7",
        "source": "bot",
        "is_human_agent": False,
        "language": "no",
        "date_created": "2026-12-05T10:00:00.000Z",
        "elements": [
            {"type": "text", "payload": {"text": "Hei"}},
            {
                "type": "links",
                "payload": {
                    "links": [{"id": "7:0", "text": FAQ_BUTTON["title"], "type": "action_link"}]
                },
            },
        ],
    }
    advisor = boost.response_json(Row(8, "advisor", "Hei, jeg er Kari", []))
    assert advisor["source"] == "bot" and advisor["is_human_agent"] is True
    notice = boost.response_json(Row(9, "system", "Svaret på «[x](https://x.no)» ble borte", []))
    assert notice["source"] == "system"
    assert notice["elements"] == [
        {"type": "text", "payload": {"text": "Svaret på «[x](https://x.no)» ble borte"}}
    ]
    visitor = boost.response_json(Row(10, "visitor", "**ikke fet** https://x.no", []))
    assert visitor["source"] == "client"
    assert visitor["elements"] == [
        {"type": "text", "payload": {"text": "**ikke fet** https://x.no"}}
    ]


def test_a_vote_is_the_thumbs_state_after_a_reload() -> None:
    answer = Row(11, "bot", "Svar", [], faq_id="dagpenger_soke")
    assert boost.response_json(answer, vote="ja")["feedback"] == "positive"
    assert boost.response_json(answer, vote="nei")["feedback"] == "negative"
    assert "feedback" not in boost.response_json(answer)


def test_links_and_bold_become_escaped_html_opening_a_new_tab() -> None:
    el = boost.text_element("Les [mer om <dagpenger>](https://www.nav.no/a?b=1&c=2) **nå**.")
    assert el == {
        "type": "html",
        "payload": {
            "html": '<p>Les <a href="https://www.nav.no/a?b=1&amp;c=2" target="_blank" '
            'rel="noopener noreferrer">mer om &lt;dagpenger&gt;</a> <strong>nå</strong>.</p>'
        },
    }
    bare = boost.text_element("Se https://www.nav.no/x.\n<script>")
    assert bare["payload"]["html"] == (
        '<p>Se <a href="https://www.nav.no/x" target="_blank" rel="noopener noreferrer">'
        "https://www.nav.no/x</a>.<br>&lt;script&gt;</p>"
    )


def test_start_merges_the_welcome_under_the_last_id() -> None:
    merged = boost.combined_response(
        [Row(3, "bot", "Hei", []), Row(4, "bot", "Hva lurer du på?", [])]
    )
    assert merged["id"] == "4" and len(merged["elements"]) == 2
    assert boost.combined_response([])["id"] == "0"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"command": "HELLO"},
        {"command": 1},
        {"command": "POLL"},
        {"command": "POLL", "conversation_id": 5},
        {"command": "POLL", "conversation_id": "a.b", "value": "x"},
        {"command": "POLL", "conversation_id": "a.b", "value": True},
        {"command": "POLL", "conversation_id": "a.b", "value": "9" * 20},
        {"command": "START", "filter_values": "privatperson"},
        {"command": "START", "language": 3},
        {"command": "POST", "conversation_id": "a.b"},
        {"command": "POST", "conversation_id": "a.b", "type": "audio"},
        {"command": "POST", "conversation_id": "a.b", "type": "text"},
        {"command": "POST", "conversation_id": "a.b", "type": "text", "value": 3},
        {"command": "POST", "conversation_id": "a.b", "type": "action_link"},
        {
            "command": "POST",
            "conversation_id": "a.b",
            "type": "feedback",
            "value": "meh",
            "id": "1",
        },
        {"command": "POST", "conversation_id": "a.b", "type": "feedback", "value": "positive"},
        {"command": "FEEDBACK", "conversation_id": "a.b", "value": {"rating": 5}},
        {"command": "FEEDBACK", "conversation_id": "a.b", "value": {"rating": True}},
        {"command": "FEEDBACK", "conversation_id": "a.b", "value": 1},
    ],
)
def test_bad_commands_are_400(body: dict[str, Any]) -> None:
    with pytest.raises(HubError) as raised:
        boost.parse_command(body)
    assert raised.value.status == 400 and set(raised.value.body()) == {"error"}


@pytest.mark.parametrize("raw", ["nodot", ".secret", "c_x.", "c_x." + "s" * 300])
def test_a_key_that_is_none_of_ours_ended_the_session(raw: str) -> None:
    with pytest.raises(HubError) as raised:
        boost.parse_key(raw)
    assert raised.value.status == 404 and raised.value.body() == {"error": "session ended"}


@pytest.mark.parametrize("raw", ["1", "1:", ":1", "a:1", "1:b", "1:2:3"])
def test_link_ids(raw: str) -> None:
    with pytest.raises(HubError):
        boost.parse_link_id(raw)
    assert boost.parse_link_id("12:0") == (12, 0)


# ---- a real hub ----------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proc, str, FakeRasa]]:
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('boost') / 'hub.db'}"
    create_advisor(url, "kari")
    with FakeRasa() as rasa:
        proc = start_hub(database_url=url, rasa_url=rasa.url, bot_secret=BOT_SECRET, env=HUB_ENV)
        yield proc, url, rasa
        proc.stop()
    log = proc.log.read_text(errors="replace")
    assert "unhandled error" not in log and '"level": "error"' not in log, proc.log_tail(80)


def chat(base: str, **body: Any) -> httpx.Response:
    return httpx.post(f"{base}/api/chat/v2", json=body, timeout=10)


def until(check: Callable[[], Any], timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


class Frida:
    """What the widget does, command by command."""

    def __init__(self, base: str) -> None:
        self.base = base
        r = chat(base, command="START", language="no", filter_values=["privatperson"])
        assert r.status_code == 200, r.text
        self.start = r.json()
        self.key = self.start["conversation"]["id"]
        self.last = int(self.start["response"]["id"])
        self.seen: list[dict[str, Any]] = []

    def send(self, command: str, **body: Any) -> httpx.Response:
        return chat(self.base, command=command, conversation_id=self.key, **body)

    def poll(self) -> dict[str, Any]:
        r = self.send("POLL", value=str(self.last), filter_values=["privatperson"])
        assert r.status_code == 200, r.text
        got: dict[str, Any] = r.json()
        for resp in got["responses"]:
            self.last = max(self.last, int(resp["id"]))
            self.seen.append(resp)
        return got

    def poll_until(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        def check() -> bool:
            got = self.poll()
            found.append(got)
            return match(got)

        assert until(check), found[-3:]
        return found[-1]


def texts_of(responses: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in responses:
        for e in r["elements"]:
            if e["type"] == "text":
                out.append(e["payload"]["text"])
            elif e["type"] == "html":
                out.append(e["payload"]["html"])
    return out


def count(url: str, table: str) -> int:
    async def read() -> int:
        engine = create_engine(url, null_pool=True)
        try:
            async with engine.connect() as c:
                return int((await c.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_start_poll_button_text_download_stop(served: tuple[Proc, str, FakeRasa]) -> None:
    proc, url, rasa = served
    f = Frida(proc.url)
    conv = f.start["conversation"]
    assert conv["state"] == {
        "chat_status": "virtual_agent",
        "poll": True,
        "human_is_typing": False,
        "max_input_chars": 1000,
    }
    assert conv["reference"] and conv["id"].startswith(conv["reference"] + ".")
    welcome = f.start["response"]
    assert welcome["source"] == "bot" and texts_of([welcome]) == [WELCOME]
    link = welcome["elements"][1]["payload"]["links"][0]
    assert link == {"id": f"{welcome['id']}:0", "text": FAQ_BUTTON["title"], "type": "action_link"}

    # A link opens a page and stores nothing; the widget gets the message back unchanged.
    before = count(url, "messages")
    r = f.send("POST", type="external_link", id=link["id"], filter_values=["privatperson"])
    assert r.status_code == 200 and r.json()["response"] == welcome, r.text
    assert count(url, "messages") == before

    # The button: the click is the visitor's bubble, its payload reaches the bot.
    r = f.send("POST", type="action_link", id=link["id"], filter_values=["privatperson"])
    assert r.status_code == 200, r.text
    click = r.json()["response"]
    assert click["source"] == "client" and texts_of([click]) == [FAQ_BUTTON["title"]]
    assert until(lambda: FAQ_BUTTON["payload"] in rasa.messages())
    got = f.poll_until(lambda g: any(x["source"] == "bot" for x in g["responses"]))
    assert answer_to(FAQ_BUTTON["payload"]) in texts_of(got["responses"])

    # Text: acknowledged with posted_id; the message and the answer come by POLL.
    r = f.send("POST", type="text", value="Når kommer pengene?", filter_values=["privatperson"])
    assert r.status_code == 200, r.text
    posted = r.json()
    assert set(posted) == {"posted_id", "conversation"}
    assert posted["conversation"]["state"]["chat_status"] == "virtual_agent"
    got = f.poll_until(lambda g: answer_to("Når kommer pengene?") in texts_of(g["responses"]))
    mine = [x for x in f.seen if x["id"] == str(posted["posted_id"])]
    assert mine and mine[0]["source"] == "client" and texts_of(mine) == ["Når kommer pengene?"]
    # A poll with nothing new, and the thumbs (the fake bot's answers are no FAQ answers).
    assert f.poll()["responses"] == []
    bot_id = [x for x in f.seen if x["source"] == "bot"][-1]["id"]
    thumbs = f.send("POST", type="feedback", id=bot_id, value="positive")
    assert thumbs.status_code == 400 and set(thumbs.json()) == {"error"}
    assert f.send("POST", type="feedback", id=bot_id, value="remove-positive").status_code == 200

    # RESUME: the whole transcript, each message once, ids increasing.
    r = chat(proc.url, command="RESUME", conversation_id=f.key, language="no")
    resumed = r.json()["responses"]
    ids = [int(x["id"]) for x in resumed]
    assert ids == sorted(set(ids)) and str(f.last) == resumed[-1]["id"]
    assert "Når kommer pengene?" in texts_of(resumed)

    dl = f.send("DOWNLOAD")
    assert dl.status_code == 200 and dl.headers["content-type"].startswith("text/plain")
    assert "Du: Når kommer pengene?" in dl.text and WELCOME in dl.text

    assert f.send("TYPING").status_code == 200  # nobody to tell in bot mode
    assert f.send("FEEDBACK", value={"rating": 1}).status_code == 200
    stop = f.send("STOP")
    assert stop.status_code == 200
    assert stop.json()["conversation"]["state"]["poll"] is False
    # Ended: RESUME says so (the widget then STARTs anew); a second rating is refused.
    again = chat(proc.url, command="RESUME", conversation_id=f.key, language="no")
    assert again.status_code == 404 and again.json() == {"error": "session ended"}
    assert f.send("FEEDBACK", value={"rating": 0}).status_code == 409
    assert f.send("STOP").status_code == 200  # the widget may send it twice


def test_handoff_advisor_typing_and_end(served: tuple[Proc, str, FakeRasa]) -> None:
    proc, _, _ = served
    base = proc.url
    f = Frida(base)
    conv_id = f.start["conversation"]["reference"]
    token = login(base, "kari")
    auth = {"Authorization": f"Bearer {token}"}
    # The bot hands off (its contract); the widget's next poll shows the queue.
    handoff = httpx.post(
        f"{base}/internal/handoff",
        json={"conversation_id": conv_id, "reason": "asked_for_person", "topic": "generell"},
        headers={"Authorization": f"Bearer {BOT_SECRET}"},
    )
    assert handoff.status_code == 200 and handoff.json()["status"] == "queued", handoff.text
    got = f.poll()
    assert got["conversation"]["state"]["chat_status"] == "in_human_chat_queue"
    assert got["conversation"]["state"]["poll"] is True

    claim = httpx.post(f"{base}/api/advisor/conversations/{conv_id}/claim", headers=auth)
    assert claim.status_code == 200, claim.text
    # The advisor sees this visitor as any other: the messages so far, no trace of boost.
    seen_by_advisor = claim.json()
    assert WELCOME in [m["text"] for m in seen_by_advisor["messages"]]
    got = f.poll()
    assert got["conversation"]["state"]["chat_status"] == "assigned_to_human"

    typing = httpx.post(
        f"{base}/api/advisor/conversations/{conv_id}/typing", headers=auth, json={"typing": True}
    )
    assert typing.status_code == 204, typing.text
    f.poll_until(lambda g: g["conversation"]["state"]["human_is_typing"] is True)
    sent = httpx.post(
        f"{base}/api/advisor/conversations/{conv_id}/messages",
        headers=auth,
        json={"text": "Hei, jeg heter Kari. Hva lurer du på?"},
    )
    assert sent.status_code == 201, sent.text
    got = f.poll_until(lambda g: bool(g["responses"]))
    advisor = got["responses"][-1]
    assert advisor["source"] == "bot" and advisor["is_human_agent"] is True
    assert got["conversation"]["state"]["human_is_typing"] is False

    # The visitor types and writes back; the advisor gets both.
    assert f.send("TYPING").status_code == 200
    r = f.send("POST", type="text", value="Når kommer pengene?", filter_values=[])
    assert r.status_code == 200 and "response" not in r.json()
    assert r.json()["conversation"]["state"]["chat_status"] == "assigned_to_human"
    f.poll_until(lambda g: "Når kommer pengene?" in texts_of(g["responses"]))
    chat_now = httpx.get(f"{base}/api/advisor/conversations/{conv_id}", headers=auth).json()
    assert chat_now["messages"][-1]["text"] == "Når kommer pengene?"

    # The advisor ends: the closing notice, back to the bot's look, no more polling.
    end = httpx.post(
        f"{base}/api/advisor/conversations/{conv_id}/end",
        headers=auth,
        json={"outcome": "besvart"},
    )
    assert end.status_code == 200, end.text
    got = f.poll_until(lambda g: g["conversation"]["state"]["poll"] is False)
    assert got["conversation"]["state"]["chat_status"] == "virtual_agent"
    assert any(x["source"] == "system" for x in got["responses"])
    # Writing again starts a new conversation, which the widget adopts.
    r = f.send("POST", type="text", value="Et spørsmål til", filter_values=[])
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert fresh["conversation"]["id"] != f.key and fresh["response"]["id"]
    assert int(fresh["posted_id"]) > int(fresh["response"]["id"])


def test_bad_input_is_a_clear_4xx_and_stores_nothing(served: tuple[Proc, str, FakeRasa]) -> None:
    proc, url, _ = served
    base = proc.url
    f = Frida(base)
    other = Frida(base)
    conv_id, secret = f.key.split(".", 1)
    before = (count(url, "conversations"), count(url, "messages"))
    cases: list[tuple[Any, int]] = [
        ({"command": "NOPE"}, 400),
        ({"command": "POST", "conversation_id": f.key}, 400),
        ({"command": "POST", "conversation_id": f.key, "type": "text", "value": ["x"]}, 400),
        ({"command": "POST", "conversation_id": f.key, "type": "text", "value": "x" * 1001}, 400),
        ({"command": "POST", "conversation_id": f.key, "type": "text", "value": "  "}, 400),
        ({"command": "POLL", "conversation_id": f.key, "value": {"a": 1}}, 400),
        ({"command": "FEEDBACK", "conversation_id": f.key, "value": {"rating": "ja"}}, 400),
        # Forged, guessed or someone else's: opens nothing.
        ({"command": "RESUME", "conversation_id": f"{conv_id}.{'A' * 43}"}, 401),
        ({"command": "POLL", "conversation_id": f"{conv_id}.{other.key.split('.', 1)[1]}"}, 401),
        ({"command": "POST", "conversation_id": f"c_{'x' * 20}.{secret}", "type": "text",
          "value": "hei"}, 404),
        ({"command": "DOWNLOAD", "conversation_id": conv_id}, 404),
        ({"command": "STOP", "conversation_id": f"{conv_id}x.{secret}"}, 404),
        ({"command": "STOP", "conversation_id": f"{conv_id}.\u0000"}, 400),
        ({"command": "TYPING", "conversation_id": f"{conv_id}.feil"}, 401),
        # A link of another conversation, or no button at all.
        ({"command": "POST", "conversation_id": f.key, "type": "action_link",
          "id": other.start["response"]["elements"][1]["payload"]["links"][0]["id"]}, 404),
        ({"command": "POST", "conversation_id": f.key, "type": "action_link",
          "id": f"{f.start['response']['id']}:7"}, 404),
        ({"command": "POST", "conversation_id": f.key, "type": "action_link", "id": "x"}, 404),
    ]  # fmt: skip
    for body, status in cases:
        r = httpx.post(f"{base}/api/chat/v2", json=body)
        assert r.status_code == status, (body, r.status_code, r.text)
        assert set(r.json()) == {"error"} and isinstance(r.json()["error"], str), r.text
        if status in (401, 404) and body["command"] != "POST":
            assert r.json() == {"error": "session ended"}
    for raw in (b"not json", b"[1]", b'"START"', b"\xff"):
        r = httpx.post(
            f"{base}/api/chat/v2", content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400 and set(r.json()) == {"error"}, r.text
    assert httpx.get(f"{base}/api/chat/v2").status_code == 405
    assert (count(url, "conversations"), count(url, "messages")) == before
    # A stopped conversation takes no more messages through a button.
    assert f.send("STOP").status_code == 200
    link_id = f.start["response"]["elements"][1]["payload"]["links"][0]["id"]
    r = f.send("POST", type="action_link", id=link_id)
    assert r.status_code == 409 and r.json() == {"error": "session ended"}
