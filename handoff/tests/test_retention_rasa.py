"""Retention against the real Rasa (trained test model) and the real action server:
after `hub purge` the conversation's tracker events are gone from Rasa too, with Rasa's
default in-memory tracker store and with an SQL tracker store on PostgreSQL.

On the way, the bot's handoff shows that Rasa reaches the action server with its token.
Needs ``.cache/test-model/test.tar.gz`` (skips without, fails when CI=true).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from hub.db.engine import create_engine
from tests.conftest import PG_SERVER, _admin, _require_pg
from tests.live import HUB_ENV, create_advisor, login
from tests.stack import HUB_VENV, REPO, free_port, model_path, start_hub, start_rasa_stack

pytestmark = pytest.mark.rasa

SECRET = "retention-rasa-secret"
MARKER = "Hemmeligord"


def _model() -> Path:
    model = model_path()
    if model is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no trained test model (.cache/test-model/test.tar.gz) with CI=true")
        pytest.skip("no trained test model: run `make test-model`")
    return model


def _wait_for(check: object, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise AssertionError("timed out")


def _talk_to_the_bot(base: str) -> str:
    """A visitor asks the bot something (with the marker), then for a person."""
    login(base, "kari")  # an advisor is logged in, so the handoff queues the visitor
    # The first answer waits for Rasa's welcome: slow on a loaded machine.
    opened = httpx.post(f"{base}/api/conversations", json={}, timeout=60)
    assert opened.status_code == 201, opened.text
    cid, secret = opened.json()["id"], opened.json()["secret"]
    auth = {"Authorization": f"Bearer {secret}"}

    def send(**body: str) -> int:
        r = httpx.post(f"{base}/api/conversations/{cid}/messages", json=body, headers=auth)
        assert r.status_code == 201, r.text
        return int(r.json()["message"]["id"])

    def state() -> dict:  # type: ignore[type-arg]
        r = httpx.get(f"{base}/api/conversations/{cid}", headers=auth)
        return r.json()  # type: ignore[no-any-return]

    asked_id = send(text=f"{MARKER}: hvordan søker jeg om dagpenger?")
    _wait_for(lambda: any(m["sender"] == "bot" and m["id"] > asked_id for m in state()["messages"]))
    send(text="Jeg vil snakke med en veileder", payload="/request_human")
    # The handoff action ran in the action server (Rasa called it with the token) and
    # asked the hub for a person with the bot secret.
    _wait_for(lambda: state()["owner"] == "queue")
    return str(cid)


def _purge(database_url: str, rasa_url: str, tracker_db: str = "") -> None:
    done = subprocess.run(
        [str(HUB_VENV / "bin" / "hub"), "purge", "--days", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "HUB_DATABASE_URL": database_url,
            "HUB_RASA_URL": rasa_url,
            "HUB_RASA_TRACKER_DB_URL": tracker_db,
        },
    )
    assert done.returncode == 0, done.stderr
    assert "deleted 1 conversations" in done.stdout


def _tracker(rasa_url: str, conversation_id: str) -> str:
    r = httpx.get(
        f"{rasa_url}/conversations/{conversation_id}/tracker", params={"include_events": "ALL"}
    )
    assert r.status_code == 200
    return r.text


def _run(tmp_path: Path, tracker_store: str = "", tracker_db: str = "") -> tuple[str, str]:
    """The conversation's tracker as Rasa gives it before and after the purge."""
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    create_advisor(db, "kari")
    hub_port = free_port()
    stack = start_rasa_stack(
        _model(),
        hub_url=f"http://127.0.0.1:{hub_port}",
        bot_secret=SECRET,
        tracker_store=tracker_store,
    )
    try:
        hub = start_hub(
            port=hub_port,
            database_url=db,
            rasa_url=stack.rasa_url,
            bot_secret=SECRET,
            env={**HUB_ENV, "HUB_RASA_TIMEOUT_SECONDS": "20"},
        )
        try:
            conversation = _talk_to_the_bot(hub.url)
            before = _tracker(stack.rasa_url, conversation)
            _purge(db, stack.rasa_url, tracker_db)
            after = _tracker(stack.rasa_url, conversation)
        finally:
            hub.stop()
    finally:
        stack.stop()
    return before, after


def test_purge_empties_rasas_in_memory_tracker(tmp_path: Path) -> None:
    before, after = _run(tmp_path)
    assert MARKER in before and "action_handoff" in before
    assert MARKER not in after and "action_handoff" not in after


def test_purge_deletes_rasas_sql_tracker_events(tmp_path: Path) -> None:
    _require_pg()
    name = f"rasa_test_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    host, port = PG_SERVER.rsplit("@", 1)[1].split(":")
    store = (
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n"
        f"  url: {host}\n  port: {port}\n  db: {name}\n  username: postgres\n"
    )
    tracker_db = f"{PG_SERVER}/{name}"
    try:
        before, after = _run(tmp_path, store, tracker_db)

        async def rows(where: str) -> int:
            engine = create_engine(tracker_db, null_pool=True)
            try:
                async with engine.connect() as conn:
                    found = await conn.execute(text(f"SELECT count(*) FROM events WHERE {where}"))
                    return int(found.scalar_one())
            finally:
                await engine.dispose()

        with_marker = asyncio.run(rows(f"data LIKE '%{MARKER}%'"))
        visitor_events = asyncio.run(rows("type_name = 'user'"))
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    assert MARKER in before and "action_handoff" in before
    assert MARKER not in after and "action_handoff" not in after
    # Rasa's own table: no row of the visitor's words is left (reading the tracker after
    # the purge may start a new, empty session; that holds no user event).
    assert with_marker == 0 and visitor_events == 0
