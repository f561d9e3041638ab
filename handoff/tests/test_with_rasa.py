"""The whole path with the real Rasa (trained test model) and the real action server:
visitor → bot → handoff → advisor claims → chat → hand back → the bot answers again.

Needs ``.cache/test-model/test.tar.gz`` (``make test-model``) or HUB_TEST_MODEL.
Without a model the tests skip, and fail when CI=true.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator

import httpx
import pytest
import websockets

from tests.live import HUB_ENV, Visitor, create_advisor, login, next_frame
from tests.stack import Proc, RasaStack, free_port, model_path, start_hub, start_rasa_stack

SECRET = "rasa-test-secret"


@pytest.fixture(scope="session")
def rasa_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, RasaStack]]:
    """One Rasa + action server + hub for every test that needs the real bot."""
    model = model_path()
    if model is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no trained test model (.cache/test-model/test.tar.gz) with CI=true")
        pytest.skip("no trained test model: run `make test-model`")
    db = f"sqlite:///{tmp_path_factory.mktemp('rasa') / 'hub.db'}"
    create_advisor(db, "kari")
    hub_port = free_port()
    stack = start_rasa_stack(model, hub_url=f"http://127.0.0.1:{hub_port}", bot_secret=SECRET)
    try:
        hub = start_hub(
            port=hub_port,
            database_url=db,
            rasa_url=stack.rasa_url,
            bot_secret=SECRET,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "20"},
        )
    except Exception:
        stack.stop()
        raise
    yield hub, stack
    hub.stop()
    stack.stop()


async def _bot_messages(ws: websockets.ClientConnection, at_least: int = 1) -> list[dict]:  # type: ignore[type-arg]
    found: list[dict] = []  # type: ignore[type-arg]
    while len(found) < at_least:
        found.append(await next_frame(ws, "message", timeout=30, sender="bot"))
    return found


async def test_visitor_bot_handoff_advisor_handback_bot(rasa_hub: tuple[Proc, RasaStack]) -> None:
    hub, _ = rasa_hub
    base = hub.url
    assert httpx.get(base + "/ready/rasa").json() == {"status": "ready", "rasa": True}
    token = login(base, "kari")
    auth = {"Authorization": f"Bearer {token}"}
    v = Visitor(base)
    welcome = [m for m in v.first if m["sender"] == "bot"]
    assert welcome and welcome[0]["text"], v.first  # the bot's welcome, from Rasa
    for m in v.first:
        assert all(set(b) == {"title", "payload"} for b in m["buttons"])

    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(
            json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]})
        )
        await next_frame(ws, "state", owner="bot")
        # The visitor asks for a person: the bot's handoff action calls /internal/handoff.
        await ws.send(
            json.dumps(
                {
                    "type": "message",
                    "text": "Jeg vil snakke med en veileder",
                    "payload": "/request_human",
                }
            )
        )
        state = await next_frame(ws, "state", timeout=30, owner="queue")
        assert state["queue"]["position"] == 1
        said = await _bot_messages(ws)  # the bot tells the visitor about the queue
        assert said[0]["text"]

        claim = httpx.post(f"{base}/api/advisor/conversations/{v.id}/claim", headers=auth)
        assert claim.status_code == 200, claim.text
        transcript = claim.json()["messages"]
        assert {"visitor", "bot"} <= {m["sender"] for m in transcript}  # the bot part is there
        await next_frame(ws, "state", owner="advisor")
        httpx.post(
            f"{base}/api/advisor/conversations/{v.id}/messages",
            headers=auth,
            json={"text": "Hei, du snakker med Kari."},
        )
        assert (await next_frame(ws, "message", sender="advisor"))["text"] == (
            "Hei, du snakker med Kari."
        )
        await ws.send(json.dumps({"type": "message", "text": "Takk, jeg lurer på dagpenger"}))
        await next_frame(ws, "message", sender="visitor", text="Takk, jeg lurer på dagpenger")

        r = httpx.post(f"{base}/api/advisor/conversations/{v.id}/handback", headers=auth)
        assert r.status_code == 200
        await next_frame(ws, "state", owner="bot")
        greeting = await _bot_messages(ws)  # Rasa answers "/start" again
        assert greeting[0]["text"]

        await ws.send(json.dumps({"type": "message", "text": "Hvordan søker jeg om dagpenger?"}))
        answer = await _bot_messages(ws)
        assert answer[0]["text"]

    full = httpx.get(f"{base}/api/conversations/{v.id}", headers=v.headers).json()["messages"]
    owners_seq = [m["sender"] for m in full]
    advisor_at = owners_seq.index("advisor")
    handed_back_at = max(i for i, m in enumerate(full) if m["sender"] == "system")
    # While the advisor had the conversation, the visitor's words did not reach the bot.
    assert "bot" not in owners_seq[advisor_at:handed_back_at]
    assert owners_seq[-1] == "bot"


async def test_open_conversation_gets_the_welcome_quickly(rasa_hub: tuple[Proc, RasaStack]) -> None:
    hub, _ = rasa_hub
    async with httpx.AsyncClient(base_url=hub.url) as client:
        results = await asyncio.gather(*(client.post("/api/conversations", json={})
                                         for _ in range(5)))  # fmt: skip
    for r in results:
        assert r.status_code == 201 and r.json()["messages"][0]["sender"] == "bot"


def test_advisor_faq_search_gives_the_bots_own_answers(rasa_hub: tuple[Proc, RasaStack]) -> None:
    hub, stack = rasa_hub
    auth = {"Authorization": f"Bearer {login(hub.url, 'kari')}"}
    r = httpx.get(f"{hub.url}/api/advisor/faq", params={"q": "dagpenger"}, headers=auth)
    assert r.status_code == 200, r.text
    results = r.json()
    assert results and all(set(f) == {"id", "topic", "question", "answer"} for f in results)
    assert "https://www.nav.no/dagpenger" in results[0]["answer"]
    assert results[0]["topic"] == "arbeid" and "dagpenger" in results[0]["question"].lower()
    # The very text the bot sends for that answer (Rasa's domain, not a copy).
    domain = httpx.get(stack.rasa_url + "/domain", headers={"Accept": "application/json"}).json()
    assert results[0]["answer"] == domain["responses"][f"utter_faq/{results[0]['id']}"][0]["text"]
    spelled = httpx.get(
        f"{hub.url}/api/advisor/faq", params={"q": "hvordan soeker jeg dagpenger"}, headers=auth
    ).json()
    assert spelled[0]["id"] == results[0]["id"]
    assert httpx.get(f"{hub.url}/api/advisor/faq", params={"q": "dagpenger"}).status_code == 401


async def test_what_the_bot_could_not_answer_reaches_the_editors_list(
    rasa_hub: tuple[Proc, RasaStack],
) -> None:
    hub, _ = rasa_hub
    auth = {"Authorization": f"Bearer {login(hub.url, 'kari')}"}
    v = Visitor(hub.url)
    # Which benefit? The bot cannot tell, and offers suggestions.
    question = "jeg har et spørsmål om en ytelse"
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(
            json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]})
        )
        await next_frame(ws, "state", owner="bot")
        await ws.send(json.dumps({"type": "message", "text": question}))
        reply = (await _bot_messages(ws))[0]
        offered = [b for b in reply["buttons"] if b["payload"].startswith("/faq{")]
        assert offered, reply  # the unsure turn's suggestions
        # The visitor picks the first suggestion; the bot answers it.
        await ws.send(
            json.dumps(
                {"type": "message", "text": offered[0]["title"], "payload": offered[0]["payload"]}
            )
        )
        answer = (await _bot_messages(ws))[0]
        assert answer["text"]
    # The signal is not shown to the visitor: no empty or JSON bubble.
    shown = httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers).json()["messages"]
    assert all(m["text"] or m["buttons"] for m in shown)
    assert not any("nav_signal" in m["text"] for m in shown)

    listed = httpx.get(f"{hub.url}/api/advisor/unanswered", params={"days": 1}, headers=auth)
    assert listed.status_code == 200, listed.text
    assert listed.json()["retention_days"] == 30
    found = [q for q in listed.json()["questions"] if q["text"] == question]
    assert len(found) == 1, listed.json()
    q = found[0]
    assert q["count"] == 1
    assert q["kinds"] == [{"kind": "unsure", "label": "Usikker, foreslo svar", "count": 1}]
    assert [s["title"] for s in q["suggestions"]] == [b["title"] for b in offered]
    assert q["chosen"] == [
        {
            "step": "faq:" + json.loads(offered[0]["payload"][len("/faq") :])["faq_id"],
            "label": f"Valgte «{offered[0]['title']}»",
            "count": 1,
        }
    ]
    csv = httpx.get(
        f"{hub.url}/api/advisor/unanswered", params={"days": 1, "format": "csv"}, headers=auth
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert question in csv.text
    assert httpx.get(f"{hub.url}/api/advisor/unanswered", params={"days": 0}, headers=auth).json()[
        "message"
    ]
    assert httpx.get(f"{hub.url}/api/advisor/unanswered").status_code == 401


async def test_an_faq_answer_is_marked_and_a_nei_reaches_the_editors(
    rasa_hub: tuple[Proc, RasaStack],
) -> None:
    hub, _ = rasa_hub
    auth = {"Authorization": f"Bearer {login(hub.url, 'kari')}"}
    v = Visitor(hub.url)
    assert all(m["faq_id"] is None for m in v.first)  # the welcome is no FAQ answer
    question = "Hvordan søker jeg om dagpenger?"
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(
            json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]})
        )
        await next_frame(ws, "state", owner="bot")
        await ws.send(json.dumps({"type": "message", "text": question}))
        answer = (await _bot_messages(ws))[0]
    assert answer["faq_id"] == "dagpenger_soke", answer
    assert "nav_faq" not in answer["text"]

    r = v.post(f"/messages/{answer['id']}/feedback", json={"value": "nei"})
    assert (r.status_code, r.json()) == (201, {"feedback": "nei"})
    again = v.post(f"/messages/{answer['id']}/feedback", json={"value": "ja"})
    assert (again.status_code, again.json()["error"]) == (409, "conflict")

    listed = httpx.get(f"{hub.url}/api/advisor/unanswered", params={"days": 1}, headers=auth)
    [q] = [q for q in listed.json()["questions"] if q["text"] == question]
    assert q["kinds"] == [
        {"kind": "wrong_answer", "label": "Svaret var feil eller hjalp ikke", "count": 1}
    ]
    [given] = q["answered"]
    assert (given["id"], given["count"]) == ("dagpenger_soke", 1) and given["title"]
    [votes] = [a for a in listed.json()["answers"] if a["id"] == "dagpenger_soke"]
    assert (votes["yes"], votes["no"], votes["title"]) == (0, 1, given["title"])
    csv = httpx.get(
        f"{hub.url}/api/advisor/unanswered",
        params={"days": 1, "format": "csv", "list": "answers"},
        headers=auth,
    )
    assert csv.headers["content-disposition"] == 'attachment; filename="nyttige-svar.csv"'
    assert f"{given['title']};dagpenger_soke;0;1" in csv.text


async def test_a_tracker_left_paused_is_resumed_instead_of_silence(
    rasa_hub: tuple[Proc, RasaStack],
) -> None:
    """After a handoff Rasa's tracker is paused until the hub resumes it. If that resume
    call failed, Rasa would answer every later message with nothing at all."""
    hub, stack = rasa_hub
    events = f"{stack.rasa_url}/conversations/{{}}/tracker/events"
    # The premise, on a conversation of its own: a paused tracker answers [].
    probe = "paused-probe"
    assert httpx.post(events.format(probe), json={"event": "pause"}).status_code == 200
    silent = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": probe, "message": "hei"}
    )
    assert silent.json() == []

    v = Visitor(hub.url)
    # What a failed resume leaves behind: the visitor's tracker still paused.
    assert httpx.post(events.format(v.id), json={"event": "pause"}).status_code == 200
    sent = v.post("/messages", json={"text": "Hvordan søker jeg om dagpenger?"})
    assert sent.status_code == 201
    after = sent.json()["message"]["id"]
    replies: list[dict] = []  # type: ignore[type-arg]
    for _ in range(150):
        polled = httpx.get(f"{hub.url}/api/conversations/{v.id}?after={after}", headers=v.headers)
        replies = [m for m in polled.json()["messages"] if m["sender"] != "visitor"]
        if replies:
            break
        await asyncio.sleep(0.2)
    assert replies, "the visitor got nothing"
    assert replies[0]["sender"] == "bot" and "dagpenger" in replies[0]["text"].lower(), replies


async def test_a_typed_urgent_intent_is_read_as_words_not_as_the_intent(
    rasa_hub: tuple[Proc, RasaStack],
) -> None:
    """Rasa reads "/urgent" as the intent urgent at confidence 1.0: the emergency text
    and an urgent handoff, first in the queue. Typed by a visitor it is only words."""
    hub, stack = rasa_hub
    v = Visitor(hub.url)
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(
            json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]})
        )
        await next_frame(ws, "state", owner="bot")
        await ws.send(json.dumps({"type": "message", "text": "/urgent"}))
        await _bot_messages(ws)
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{v.id}/tracker").json()
    latest = tracker["latest_message"]
    assert latest["text"] == "urgent"
    assert not (latest["intent"]["name"] == "urgent" and latest["intent"]["confidence"] == 1.0)
    state = httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers).json()
    assert state["owner"] == "bot" and state["queue"] is None
    assert [m["text"] for m in state["messages"] if m["sender"] == "visitor"] == ["/urgent"]
