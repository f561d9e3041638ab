"""The hub's log holds no visitor text: a running hub (access log on, Rasa down) gets a
marker word in every place a visitor can put text, one request fails in the database
while storing it, and the log file is read line by line."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import httpx
import websockets

from hub.logs import JsonFormatter
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, Visitor, create_advisor, login
from tests.stack import start_hub

MARKER = "Hemmeligord"
PERSONAL_NUMBER = "01017000027"  # a fødselsnummer (valid check digits)


def _fail_inserts_with_marker(db_path: Path) -> None:
    """The database refuses to store a message with the marker: a 500 whose exception
    would carry the statement's parameters, the visitor's text."""
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse_marker BEFORE INSERT ON messages "
            f"WHEN NEW.text LIKE '%{MARKER}%' BEGIN SELECT RAISE(ABORT, 'test refusal'); END"
        )


async def _visit(base: str) -> None:
    v = Visitor(base)
    text = f"{MARKER} mitt fødselsnummer er {PERSONAL_NUMBER}"
    failed = v.post("/messages", json={"text": text})
    assert failed.status_code == 500, failed.text
    # Malformed bodies and arguments with the marker in them: clear 4xx answers.
    assert v.post("/messages", content=f'{{"text": "{MARKER}').status_code == 400
    assert v.post("/messages", json={"text": MARKER * 200}).status_code in {400, 413}
    r = httpx.get(f"{base}/api/conversations/{v.id}?after={MARKER}", headers=v.headers)
    assert r.status_code == 400
    r = httpx.post(f"{base}/api/conversations", json={"page": MARKER * 100})
    assert r.status_code == 400
    # A frame that is not JSON, and one of an unknown type, on the visitor's WebSocket.
    async with websockets.connect(v.ws_url()) as ws:
        await ws.send(f"{MARKER} {{")
        await asyncio.wait_for(ws.recv(), 10)
    # The advisor's search (text an advisor may copy from a visitor) in a query string.
    token = login(base, "kari")
    r = httpx.get(
        f"{base}/api/advisor/faq",
        params={"q": MARKER},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code in {200, 503}


async def test_log_has_json_lines_and_no_visitor_text(tmp_path: Path) -> None:
    db_path = tmp_path / "hub.db"
    url = f"sqlite:///{db_path}"
    create_advisor(url, "kari")  # also migrates
    _fail_inserts_with_marker(db_path)
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV, access_log=True)
    try:
        await _visit(hub.url)
    finally:
        hub.stop()
    lines = [line for line in hub.log.read_text("utf-8").splitlines() if line.strip()]
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON log line: {line}") from None
    assert not [line for line in lines if MARKER.lower() in line.lower()]
    assert not [line for line in lines if PERSONAL_NUMBER in line]
    # The failure was logged (without its parameters), and access lines were written.
    failures = [e for e in entries if e["message"] == "unhandled error"]
    assert failures and "test refusal" in failures[0]["exception"]
    assert "hidden" in failures[0]["exception"]  # SQLAlchemy's "[SQL parameters hidden ...]"
    access = [e for e in entries if e["logger"] == "sanic.access"]
    assert any("/api/advisor/faq" in e["request"] for e in access)


def test_formatter_masks_personal_numbers_and_drops_query_strings() -> None:
    formatter = JsonFormatter()
    record = logging.makeLogRecord(
        {"name": "hub", "msg": "saw %s", "args": (PERSONAL_NUMBER,), "levelname": "INFO"}
    )
    assert PERSONAL_NUMBER not in formatter.format(record)
    access = logging.makeLogRecord(
        {
            "name": "sanic.access",
            "msg": "",
            "levelname": "INFO",
            "request": f"GET http://hub/api/advisor/faq?q={MARKER}",
        }
    )
    entry = json.loads(formatter.format(access))
    assert entry["request"] == "GET http://hub/api/advisor/faq"
