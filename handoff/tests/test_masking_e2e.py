"""Personal numbers end to end: the real hub over HTTP and WebSocket, a recording
stand-in for Rasa on loopback, on SQLite and PostgreSQL.

A visitor writes fødselsnumre the ways the security review listed (dash, ``f.nr.``,
spaced date, no-break space, tab, zero-width space, full-width digits, a number split
over two messages), in the text, a button payload and the page; an advisor pastes one
too. None of them reaches the database, the requests Rasa got, the hub's log, the
advisor's console (HTTP and WebSocket), the visitor's transcript or the unanswered CSV.
The spellings' rules and the full tables are in packages/navpii.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import navpii
import pytest
import websockets
import yaml
from navpii import MASK_FNR
from sqlalchemy import select

from hub.db.base import Base
from hub.db.engine import create_engine
from tests.conftest import _truncate
from tests.fake_rasa import FakeRasa, not_understood
from tests.live import PASSWORD, Visitor, create_advisor, next_frame
from tests.stack import REPO, Proc, start_hub

# Made-up numbers with valid check digits (see packages/navpii/tests/cases.yml).
NUMBERS = ("12038910076", "23056710159", "41019010110", "07063210018")
# What the review found unmasked, and a few more: each must reach nobody.
SPELLINGS = (
    "fnr 120389-10076, kan dere sjekke?",
    "f.nr.12038910076",
    "født 12 03 89 10076",
    "nummeret er 120389 100 76",
    "12.03.89 10076 er mitt",
    "120389\u00a010076",
    "120389  10076",
    "120389\t10076",
    "120389\u200b10076",
    "１２０３８９－１００７６",
    "D-nr 41.01.90 10110",
    "230567 – 101 59",
    "ny: 070632/10018",
)
SPLIT = ("mitt fødselsnummer er 120389", "10076")
PAGE = "https://www.nav.no/dagpenger?fnr=120389-10076"
ADVISOR_TEXT = "Jeg ser at du har oppgitt 23.05.67 10159, det trenger vi ikke."


# navpii's tables: ⟦...⟧ marks what is masked (packages/navpii/tests/cases.yml).
CASES: dict[str, Any] = yaml.safe_load(
    (REPO / "packages" / "navpii" / "tests" / "cases.yml").read_text("utf-8")
)
NOTICES = {"fnr": navpii.MASK_FNR, "account": navpii.MASK_ACCOUNT, "card": navpii.MASK_CARD}


def unmarked(case: str) -> str:
    return case.replace("⟦", "").replace("⟧", "")


def expected(case: str, notice: str) -> str:
    out, rest = [], case
    while "⟦" in rest:
        before, rest = rest.split("⟦", 1)
        out.append(before + notice)
        rest = rest.split("⟧", 1)[1]
    return "".join(out) + rest


def leaks(text: str) -> list[str]:
    """Which of NUMBERS ``text`` holds in any spelling: its digits (Unicode digits
    too, invisible characters and every separator dropped) hold the number's, or
    navpii finds a fødselsnummer in it."""
    digits = "".join(
        str(unicodedata.digit(c)) for c in text if unicodedata.digit(c, None) is not None
    )
    found = [n for n in NUMBERS if n in digits]
    found += [text[f.start : f.end] for f in navpii.find(text) if f.kind == "fnr"]
    return found


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_database")
        _truncate(url)
    else:
        url = f"sqlite:///{tmp_path / 'hub.db'}"
    create_advisor(url, "kari")
    return url


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa(not_understood) as r:
        yield r


@pytest.fixture
def hub(database: str, rasa: FakeRasa) -> Iterator[Proc]:
    proc = start_hub(
        database_url=database,
        rasa_url=rasa.url,
        env={
            "HUB_ALWAYS_OPEN": "true",
            "HUB_LOG_LEVEL": "DEBUG",
            "HUB_MESSAGES_PER_MINUTE": "1000",
        },
    )
    yield proc
    proc.stop()


def wait_until(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


async def database_rows(url: str) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text value of every table, rows in key order."""
    engine = create_engine(url, null_pool=True)
    rows = []
    try:
        async with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                for row in (await conn.execute(query)).mappings():
                    for column, value in row.items():
                        if value is not None and not isinstance(value, int | float):
                            rows.append((table.name, column, str(value)))
    finally:
        await engine.dispose()
    return rows


async def test_numbers_in_any_spelling_reach_no_store_no_bot_no_log_and_no_screen(
    hub: Proc, rasa: FakeRasa, database: str
) -> None:
    base = hub.url
    v = Visitor(base, page=PAGE)
    for text in (*SPELLINGS, *SPLIT):
        r = v.post("/messages", json={"text": text})
        assert r.status_code == 201, r.text
        assert not leaks(r.text), r.text  # not even in the echo
    # A button payload with a number in it is masked (or refused) like text.
    pressed = v.post(
        "/messages", json={"text": "Ja", "payload": '/faq{"faq_id":"x","n":"120389-10076"}'}
    )
    assert pressed.status_code in (201, 400), pressed.text
    sent = len(SPELLINGS) + len(SPLIT) + (pressed.status_code == 201)
    wait_until(lambda: len(rasa.received) == 1 + sent)

    # The advisor's console: the queue, the claimed chat, live messages, their own text.
    token = httpx.post(
        f"{base}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    frames: list[str] = []
    async with websockets.connect(base.replace("http", "ws") + "/api/advisor/ws") as aws:
        await aws.send(json.dumps({"type": "auth", "token": token}))
        frames.append(json.dumps(await next_frame(aws, "queues"), ensure_ascii=False))
        assert v.post("/queue").status_code == 200

        async def queued() -> None:
            while True:
                raw = await aws.recv()
                frames.append(str(raw))
                data = json.loads(raw)
                if data["type"] == "queues" and v.id in str(data["data"]):
                    return

        await asyncio.wait_for(queued(), 10)
        claimed = httpx.post(f"{base}/api/advisor/conversations/{v.id}/claim", headers=auth)
        assert claimed.status_code == 200, claimed.text
        assert v.post("/messages", json={"text": "og barnets: 230567 – 101 59"}).status_code == 201
        said = httpx.post(
            f"{base}/api/advisor/conversations/{v.id}/messages",
            headers=auth,
            json={"text": ADVISOR_TEXT},
        )
        assert said.status_code == 201, said.text

        async def until_advisor_echo() -> None:
            while True:
                raw = await aws.recv()
                frames.append(str(raw))
                frame = json.loads(raw)
                if frame["type"] == "message" and frame["data"]["message"]["sender"] == "advisor":
                    return

        await asyncio.wait_for(until_advisor_echo(), 10)
    console = httpx.get(f"{base}/api/advisor/conversations/{v.id}", headers=auth)
    transcript = httpx.get(f"{base}/api/conversations/{v.id}/transcript", headers=v.headers)
    visitor_view = httpx.get(f"{base}/api/conversations/{v.id}", headers=v.headers)
    sheet = httpx.get(f"{base}/api/advisor/unanswered?format=csv", headers=auth)
    listed = httpx.get(f"{base}/api/advisor/unanswered", headers=auth)
    for r in (console, transcript, visitor_view, sheet, listed):
        assert r.status_code == 200, r.text
    hub.stop()
    rows = await database_rows(database)
    log = hub.log.read_text("utf-8", errors="replace")

    # Nothing anywhere: Rasa's requests, the console, the transcripts, the lists, the
    # database, the log.
    assert [b for b in rasa.bodies if leaks(b)] == []
    assert [f for f in frames if leaks(f)] == []
    for r in (claimed, console, transcript, visitor_view, sheet, listed):
        assert not leaks(r.text), r.text
    assert [row for row in rows if leaks(row[2])] == []
    assert [line for line in log.splitlines() if leaks(line)] == []

    # And the numbers were there to find: masked, not lost with their messages.
    visitor_texts = [m["text"] for m in console.json()["messages"] if m["sender"] == "visitor"]
    assert sum(MASK_FNR in t for t in visitor_texts) == len(SPELLINGS) + len(SPLIT) + 1
    assert "fnr [fødselsnummer fjernet], kan dere sjekke?" in visitor_texts
    # Both halves of the split number are masked in what is stored; Rasa got the second
    # half masked (the first had gone to it before the second arrived).
    assert f"mitt fødselsnummer er {MASK_FNR}" in visitor_texts
    assert rasa.received[len(SPELLINGS) + 1 : len(SPELLINGS) + 3] == [SPLIT[0], MASK_FNR]
    advisor_said = [m["text"] for m in console.json()["messages"] if m["sender"] == "advisor"]
    assert advisor_said == [ADVISOR_TEXT.replace("23.05.67 10159", MASK_FNR)]
    pages = [value for table, column, value in rows if (table, column) == ("conversations", "page")]
    assert pages == [f"https://www.nav.no/dagpenger?fnr={MASK_FNR}"]
    # The unanswered list groups the questions; the bare numbers became one question.
    assert f"\r\nfnr {MASK_FNR}, kan dere sjekke?;1;" in sheet.text
    assert f"\r\n{MASK_FNR};" in sheet.text and f"{MASK_FNR} er mitt;1;" in sheet.text
    assert '"message"' in log  # the log was written (JSON lines), so it was checked


async def test_every_spelling_and_look_alike_of_the_tables_end_to_end(
    hub: Proc, rasa: FakeRasa, database: str
) -> None:
    """Each of navpii's table cases, sent as a visitor message through the real hub,
    is stored, echoed, forwarded to Rasa and shown to the advisor exactly as masked in
    the table, look-alikes unchanged; the log has no personal number."""
    # A word first: the hub masks a number split over two messages, and two table
    # cases in a row must not make one.
    sent = [
        (f"Melding: {unmarked(case)}", f"Melding: {expected(case, NOTICES[kind])}".strip())
        for kind in ("fnr", "account", "card")
        for case in CASES[kind]
    ]
    sent += [(f"Melding: {case}", f"Melding: {case}".strip()) for case in CASES["kept"]]
    v = Visitor(hub.url)
    async with httpx.AsyncClient(headers=v.headers) as client:
        for text, masked in sent:
            url = f"{hub.url}/api/conversations/{v.id}/messages"
            r = await client.post(url, json={"text": text})
            assert r.status_code == 201, r.text
            assert r.json()["message"]["text"] == masked, text
    wait_until(lambda: len(rasa.received) == 1 + len(sent), timeout=120)
    assert rasa.received[1:] == [masked for _, masked in sent]

    login = httpx.post(
        f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    assert v.post("/queue").status_code == 200
    claimed = httpx.post(f"{hub.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
    assert claimed.status_code == 200, claimed.text
    shown = [m["text"] for m in claimed.json()["messages"] if m["sender"] == "visitor"]
    assert shown == [masked for _, masked in sent]
    listed = httpx.get(f"{hub.url}/api/advisor/unanswered?format=csv", headers=auth).text
    # The list groups questions (case, spaces and edge punctuation aside): one cell each.
    questions = [row[0] for row in csv.reader(io.StringIO(listed.lstrip("\ufeff")), delimiter=";")]
    assert len(questions) > 100 and "Melding: [fødselsnummer fjernet]" in questions
    assert [q for q in questions if navpii.find(q)] == []
    hub.stop()
    stored = [value for table, column, value in await database_rows(database) if column == "text"]
    assert [t for t in stored if t.startswith("Melding:")] == [masked for _, masked in sent]
    log = hub.log.read_text("utf-8", errors="replace")
    assert [line for line in log.splitlines() if navpii.find(line)] == []
