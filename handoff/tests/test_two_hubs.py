"""Several hub processes on one PostgreSQL database (and one Redis), as behind a load
balancer: work done once, limits shared, a conversation's bot answers in order.

Every test starts real hub processes (tests/stack.py) on a fresh database of its own
(``hub_cluster_<random>``), with the Rasa stand-in of tests/fake_rasa.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psutil
import pytest
import redis
import websockets
from sqlalchemy import select, text, update

from hub.adapters.broker import Broker
from hub.db.base import Sender
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.models import Conversation, Message
from hub.db.unit import unit_of_work
from hub.rules import texts
from hub.services import conversations as conv_svc
from tests.conftest import PG_SERVER, _admin, _require_pg
from tests.fake_rasa import WELCOME, FakeRasa, answer_to, echo
from tests.live import HUB_ENV, PASSWORD, Visitor, create_advisor, login, next_frame
from tests.stack import Proc, start_hub

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_pg() -> Iterator[str]:
    """A fresh, empty (not migrated) database of this test's own."""
    _require_pg()
    name = f"hub_cluster_{secrets.token_hex(4)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield f"{PG_SERVER}/{name}"
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def cluster_pg(empty_pg: str) -> str:
    """A fresh database, migrated."""

    async def migrate() -> None:
        engine = create_engine(empty_pg, null_pool=True)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    return empty_pg


def start_hubs(n: int, database_url: str, rasa_url: str, env: dict[str, str]) -> list[Proc]:
    """``n`` hub processes on one database, started at the same time."""
    with ThreadPoolExecutor(n) as pool:
        futures = [
            pool.submit(start_hub, database_url=database_url, rasa_url=rasa_url, env=env)
            for _ in range(n)
        ]
        hubs, errors = [], []
        for f in futures:
            try:
                hubs.append(f.result())
            except Exception as exc:
                errors.append(exc)
    if errors:
        for h in hubs:
            h.stop()
        raise errors[0]
    return hubs


def stop_all(hubs: list[Proc]) -> None:
    for h in hubs:
        h.stop()


def run_db(url: str, work: Callable[[Any], Any]) -> Any:
    """``await work(engine)`` on a throw-away engine."""

    async def go() -> Any:
        engine = create_engine(url, null_pool=True)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.1)


# ---- the sweeps: once, whichever hub runs them ------------------------------


def _seed_lost_replies(url: str, count: int) -> list[str]:
    """What a crash leaves: conversations whose visitor message (a minute old) is still
    marked as waiting for the bot."""
    at = datetime.now(UTC) - timedelta(minutes=1)

    async def work(engine: Any) -> list[str]:
        ids = []
        async with unit_of_work(session_factory(engine), Broker()) as u:
            for _ in range(count):
                conv, _ = await conv_svc.open_conversation(u, at, "/dagpenger")
                await conv_svc.add_message(
                    u, conv, Sender.visitor, "Når kommer pengene?", at, awaiting_bot=True
                )
                ids.append(conv.id)
        return ids

    result: list[str] = run_db(url, work)
    return result


def _system_texts(url: str) -> list[tuple[str, str]]:
    async def work(engine: Any) -> list[tuple[str, str]]:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Message.conversation_id, Message.text).where(Message.sender == Sender.system)
            )
            return [(r[0], r[1]) for r in rows]

    result: list[tuple[str, str]] = run_db(url, work)
    return result


def _still_marked(url: str) -> int:
    async def work(engine: Any) -> int:
        async with engine.connect() as conn:
            q = select(Message.id).where(Message.awaiting_bot)
            return len((await conn.execute(q)).all())

    result: int = run_db(url, work)
    return result


def test_two_hubs_tell_each_visitor_of_a_lost_bot_answer_once(cluster_pg: str) -> None:
    env = {**HUB_ENV, "HUB_SWEEP_SECONDS": "0.3"}
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, env)
        try:
            for _ in range(5):  # several rounds: each one a chance for the sweeps to meet
                lost = _seed_lost_replies(cluster_pg, 40)
                wait_until(lambda: _still_marked(cluster_pg) == 0, 20, "marks cleared")
                time.sleep(0.7)  # the other hub's next rounds too
                told = Counter(
                    cid
                    for cid, said in _system_texts(cluster_pg)
                    if said == texts.bot_reply_lost("Når kommer pengene?") and cid in lost
                )
                assert told == Counter(lost), f"told twice: {sum(told.values()) - len(lost)}"
        finally:
            stop_all(hubs)


def _age_presence(url: str) -> None:
    async def work(engine: Any) -> None:
        async with engine.begin() as conn:
            old = datetime.now(UTC) - timedelta(hours=1)
            await conn.execute(update(Conversation).values(last_seen_at=old))

    run_db(url, work)


def test_two_hubs_resume_each_absent_visitor_once(cluster_pg: str) -> None:
    create_advisor(cluster_pg, "sweepkari")
    env = {**HUB_ENV, "HUB_SWEEP_SECONDS": "0.3", "HUB_CONVERSATIONS_PER_MINUTE": "0"}
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, env)
        try:
            login(hubs[0].url, "sweepkari")  # someone logged in: visitors may wait
            for _ in range(2):
                visitors = [Visitor(hubs[i % 2].url) for i in range(20)]
                for v in visitors:
                    assert v.post("/queue").status_code == 200
                _age_presence(cluster_pg)

                def resumed() -> Counter[str]:
                    return Counter(
                        path.split("/")[2]
                        for path, body in rasa.posts()
                        if path.endswith("/tracker/events") and body == {"event": "resume"}
                    )

                ids = {v.id for v in visitors}
                wait_until(lambda ids=ids: set(resumed()) >= ids, 20, "each resumed")
                time.sleep(0.7)
                counts = resumed()
                assert {v.id: counts[v.id] for v in visitors} == {v.id: 1 for v in visitors}
                rasa.clear()
        finally:
            stop_all(hubs)


# ---- start-up: migrations one hub at a time ---------------------------------


def test_hubs_starting_together_on_an_empty_database_all_start(empty_pg: str) -> None:
    hubs = start_hubs(3, empty_pg, "http://127.0.0.1:9", HUB_ENV)
    try:

        async def version(engine: Any) -> str:
            async with engine.connect() as conn:
                return str(
                    (
                        await conn.execute(text("SELECT version_num FROM alembic_version"))
                    ).scalar_one()
                )

        assert run_db(empty_pg, version)
        for h in hubs:
            assert h.proc.poll() is None
    finally:
        stop_all(hubs)


# ---- order: one visitor's messages through different hubs ---------------------


def _slow_first(message: str) -> list[dict[str, Any]]:
    """The bot takes longer over the first question than over the second."""
    if message.startswith("første"):
        time.sleep(1.0)
    return echo(message)


def test_answers_stay_in_order_when_a_visitors_messages_go_through_different_hubs(
    cluster_pg: str,
) -> None:
    with FakeRasa(_slow_first) as rasa:
        a, b = hubs = start_hubs(2, cluster_pg, rasa.url, HUB_ENV)
        try:
            for round_ in range(3):
                v = Visitor(a.url)
                first, second = f"første {round_}", f"andre {round_}"
                assert v.post("/messages", json={"text": first}).status_code == 201
                v.base = b.url  # a round-robin balancer sends the next request elsewhere
                assert v.post("/messages", json={"text": second}).status_code == 201

                def bot_texts(v: Visitor = v) -> list[str]:
                    r = httpx.get(f"{v.base}/api/conversations/{v.id}", headers=v.headers)
                    return [m["text"] for m in r.json()["messages"] if m["sender"] == "bot"]

                wait_until(lambda: len(bot_texts()) >= 3, 15, "both answers stored")
                assert bot_texts() == [WELCOME, answer_to(first), answer_to(second)]
                sent = [m for m in rasa.messages() if m in (first, second)]
                assert sent == [first, second]
        finally:
            stop_all(hubs)


# ---- limits shared by the hubs (Redis) ----------------------------------------

REDIS_URL = os.environ.get("HUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_env() -> Iterator[dict[str, str]]:
    """Settings for a real Redis, under a key prefix of this test's own (deleted after)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        client.close()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI=true)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"hub-test-{secrets.token_hex(4)}:"
    try:
        yield {"HUB_REDIS_URL": REDIS_URL, "HUB_REDIS_PREFIX": prefix}
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_new_conversations_per_address_are_counted_across_hubs(
    cluster_pg: str, redis_env: dict[str, str]
) -> None:
    env = {**HUB_ENV, **redis_env, "HUB_CONVERSATIONS_PER_MINUTE": "4"}
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, env)
        try:
            answers = [
                httpx.post(f"{hubs[i % 2].url}/api/conversations", json={}) for i in range(8)
            ]
        finally:
            stop_all(hubs)
    assert [r.status_code for r in answers] == [201] * 4 + [429] * 4
    # Until the first of the four is a minute old.
    assert 50 <= answers[-1].json()["retry_after"] <= 60


def test_failed_logins_are_counted_across_hubs(cluster_pg: str, redis_env: dict[str, str]) -> None:
    create_advisor(cluster_pg, "lockkari")
    env = {**HUB_ENV, **redis_env, "HUB_LOGIN_FAILURES": "3"}
    hubs = start_hubs(2, cluster_pg, "http://127.0.0.1:9", env)
    try:

        def attempt(i: int, password: str = "feil") -> int:
            r = httpx.post(
                f"{hubs[i % 2].url}/api/advisor/login",
                json={"username": "lockkari", "password": password},
            )
            return r.status_code

        codes = [attempt(i) for i in range(6)]
        # Locked out on both hubs, even with the right password.
        right = [attempt(i, PASSWORD) for i in range(2)]
    finally:
        stop_all(hubs)
    assert codes == [401] * 3 + [429] * 3
    assert right == [429, 429]


def test_messages_per_conversation_are_counted_across_hubs(cluster_pg: str) -> None:
    env = {**HUB_ENV, "HUB_MESSAGES_PER_MINUTE": "5"}
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, env)
        try:
            v = Visitor(hubs[0].url)

            def send(i: int) -> int:
                r = httpx.post(
                    f"{hubs[i % 2].url}/api/conversations/{v.id}/messages",
                    headers=v.headers,
                    json={"text": f"melding {i}"},
                )
                return r.status_code

            with ThreadPoolExecutor(12) as pool:
                codes = list(pool.map(send, range(12)))
        finally:
            stop_all(hubs)
    assert Counter(codes) == Counter({201: 5, 429: 7})


# ---- readiness: the balancer keeps the hubs while Rasa is down ------------------


def test_hubs_stay_ready_for_the_balancer_while_rasa_is_down(cluster_pg: str) -> None:
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, HUB_ENV)
        try:
            for h in hubs:
                assert httpx.get(h.url + "/ready").status_code == 200
                assert httpx.get(h.url + "/ready/rasa").json() == {"status": "ready", "rasa": True}
            rasa.up = False  # Rasa answers 502 to everything
            for h in hubs:
                ready = httpx.get(h.url + "/ready")
                assert ready.status_code == 200, ready.text
                assert ready.json() == {"status": "ready", "database": True}
                rasa_ready = httpx.get(h.url + "/ready/rasa")
                assert rasa_ready.status_code == 503
                assert rasa_ready.json() == {"status": "not_ready", "rasa": False}
        finally:
            stop_all(hubs)


# ---- fan-out: one read of the queues per change per hub ------------------------


def _transactions(base: str) -> float:
    """The hub's reading transactions so far (hub_db_transactions_total{kind="read"}): the
    fan-out is reads; a queued visitor's presence mark is a write of its own, on its own
    timer, that may fall into any window."""
    lines = httpx.get(base + "/metrics").text.splitlines()
    found = [
        float(x.split()[-1])
        for x in lines
        if x.startswith("hub_db_transactions_total{") and 'kind="read"' in x
    ]
    assert found, "no hub_db_transactions_total"
    return sum(found)


async def test_a_queue_change_costs_each_hub_one_read_for_all_its_sockets(
    cluster_pg: str,
) -> None:
    create_advisor(cluster_pg, "fankari")
    env = {**HUB_ENV, "HUB_WS_POLL_SECONDS": "60", "HUB_SWEEP_SECONDS": "60"}
    a, b = hubs = start_hubs(2, cluster_pg, "http://127.0.0.1:9", env)
    try:
        token = login(b.url, "fankari")
        advisors = [
            await websockets.connect(b.url.replace("http", "ws") + "/api/advisor/ws")
            for _ in range(20)
        ]
        queued = [Visitor(b.url) for _ in range(10)]
        for v in queued:
            assert v.post("/queue").status_code == 200
        visitors = [await websockets.connect(v.ws_url()) for v in queued]
        try:
            for ws in advisors:
                await ws.send(json.dumps({"type": "auth", "token": token}))
                await next_frame(ws, "queues")
            for v, ws in zip(queued, visitors, strict=True):
                await ws.send(json.dumps({"type": "auth", "secret": v.secret}))
                await next_frame(ws, "state", owner="queue")
            await asyncio.sleep(1)  # the last queue events have been read
            before = _transactions(b.url)
            # A visitor ahead of everyone (urgent, through the bot's handoff) on the other hub.
            first = Visitor(a.url)
            handoff = httpx.post(
                f"{a.url}/internal/handoff",
                headers={"Authorization": "Bearer test-bot-secret"},
                json={"conversation_id": first.id, "reason": "urgent", "topic": "generell"},
            )
            assert handoff.status_code == 200, handoff.text
            for ws in advisors:
                overview = await next_frame(ws, "queues", timeout=5)
                assert any(w["conversation_id"] == first.id for q in overview for w in q["waiting"])
            for ws in visitors:
                state = await next_frame(ws, "state", timeout=5, owner="queue")
                assert state["queue"]["position"] >= 2  # now behind the urgent one
            # One read for the advisors' overview, one for the visitors' places (and, if
            # this hub reports the gauges, this scrape's own read of them); not one per
            # socket (30 here; 31 transactions before the shared reads). The sockets
            # share the time the hint was delivered: stamped when each of them got to
            # run, those that ran after uvloop's clock moved on read again (4-5).
            assert _transactions(b.url) - before <= 3
        finally:
            for ws in advisors + visitors:
                await ws.close()
    finally:
        stop_all(hubs)


# ---- the relay's connection drops: local sockets re-read at once ----------------


async def _terminate_listener(url: str, hub: Proc) -> None:
    """Ends ``hub``'s LISTEN connection from the server side (as a failover would)."""
    ports = [
        c.laddr.port
        for c in psutil.Process(hub.proc.pid).net_connections("tcp")
        if c.raddr and c.raddr.port == 5432
    ]

    async def work(engine: Any) -> int:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query LIKE 'LISTEN%' "
                    "AND client_port = ANY(:ports)"
                ),
                {"ports": ports},
            )
            return len(rows.all())

    engine = create_engine(url, null_pool=True)
    try:
        assert await work(engine) == 1
    finally:
        await engine.dispose()


async def test_after_the_relay_reconnects_a_visitor_gets_what_was_missed_at_once(
    cluster_pg: str,
) -> None:
    create_advisor(cluster_pg, "synckari")
    env = {**HUB_ENV, "HUB_WS_POLL_SECONDS": "60", "HUB_SWEEP_SECONDS": "60"}
    a, b = hubs = start_hubs(2, cluster_pg, "http://127.0.0.1:9", env)
    try:
        auth = {"Authorization": f"Bearer {login(b.url, 'synckari')}"}
        v = Visitor(a.url)
        assert v.post("/queue").status_code == 200
        async with websockets.connect(v.ws_url()) as ws:
            await ws.send(
                json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": v.first[-1]["id"]})
            )
            await next_frame(ws, "state", owner="queue")
            claim = httpx.post(f"{b.url}/api/advisor/conversations/{v.id}/claim", headers=auth)
            assert claim.status_code == 200, claim.text
            await next_frame(ws, "state", timeout=5, owner="advisor")
            await _terminate_listener(cluster_pg, a)
            # Sent while hub A does not listen: its notification never reaches A.
            said = httpx.post(
                f"{b.url}/api/advisor/conversations/{v.id}/messages",
                headers=auth,
                json={"text": "Sendt mens forbindelsen var nede."},
            )
            assert said.status_code == 201, said.text
            got = await next_frame(ws, "message", timeout=10, sender="advisor")
            assert got["text"] == "Sendt mens forbindelsen var nede."
    finally:
        stop_all(hubs)


# ---- the pool size is a setting -------------------------------------------------


def _connections_to_postgresql(hub: Proc) -> int:
    return sum(
        1
        for c in psutil.Process(hub.proc.pid).net_connections("tcp")
        if c.raddr and c.raddr.port == 5432 and c.status == psutil.CONN_ESTABLISHED
    )


def test_each_hub_keeps_to_its_pool_size(cluster_pg: str) -> None:
    env = {**HUB_ENV, "HUB_DB_POOL_SIZE": "2", "HUB_DB_MAX_OVERFLOW": "1"}
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, env)
        try:
            visitors = [Visitor(hubs[i % 2].url) for i in range(4)]

            def read(i: int) -> int:
                v = visitors[i % 4]
                base = hubs[i % 2].url
                return httpx.get(f"{base}/api/conversations/{v.id}", headers=v.headers).status_code

            most = [0, 0]
            with ThreadPoolExecutor(24) as pool:
                answers = pool.map(read, range(160))
                for _ in range(20):
                    most = [
                        max(m, _connections_to_postgresql(h))
                        for m, h in zip(most, hubs, strict=True)
                    ]
                    time.sleep(0.05)
                codes = list(answers)
        finally:
            stop_all(hubs)
    assert set(codes) == {200}
    # size + overflow for the requests, and the event relay's two (listen, send).
    assert max(most) <= 2 + 1 + 2, most


# ---- gauges: right when summed over the hubs ------------------------------------


def _gauges(base: str) -> dict[str, float]:
    """The queue and chat gauges of one hub's /metrics (summed over topics)."""
    found: dict[str, float] = {}
    for line in httpx.get(base + "/metrics").text.splitlines():
        name = line.split("{")[0].split(" ")[0]
        if name in ("hub_queue_length", "hub_active_chats", "hub_figures_reporter"):
            found[name] = found.get(name, 0) + float(line.split()[-1])
    return found


def test_queue_and_chat_gauges_add_up_over_the_hubs(cluster_pg: str) -> None:
    create_advisor(cluster_pg, "gaugekari")
    with FakeRasa() as rasa:
        hubs = start_hubs(2, cluster_pg, rasa.url, HUB_ENV)
        try:
            auth = {"Authorization": f"Bearer {login(hubs[1].url, 'gaugekari')}"}
            visitors = [Visitor(hubs[i % 2].url) for i in range(3)]
            for v in visitors:
                assert v.post("/queue").status_code == 200
            claim = f"{hubs[0].url}/api/advisor/conversations/{visitors[0].id}/claim"
            assert httpx.post(claim, headers=auth).status_code == 200

            def summed(names: tuple[str, ...], of: list[Proc]) -> dict[str, float]:
                scrapes = [_gauges(h.url) for h in of]
                return {n: sum(s.get(n, 0) for s in scrapes) for n in names}

            names = ("hub_queue_length", "hub_active_chats", "hub_figures_reporter")
            for _ in range(2):  # a second scrape too: the same one keeps reporting
                assert summed(names, hubs) == dict(zip(names, (2, 1, 1), strict=True))
            # The reporter stops: the other takes over at its next scrape.
            reporter = next(h for h in hubs if _gauges(h.url)["hub_figures_reporter"])
            reporter.stop()
            rest = [h for h in hubs if h is not reporter]
            assert summed(names, rest) == dict(zip(names, (2, 1, 1), strict=True))
        finally:
            stop_all(hubs)


# ---- a database that goes away under open sockets ---------------------------------------


async def test_a_socket_whose_database_goes_away_is_told_and_closed_and_a_new_one_works_after(
    cluster_pg: str,
) -> None:
    name = cluster_pg.rsplit("/", 1)[1]
    env = {**HUB_ENV, "HUB_WS_POLL_SECONDS": "0.5", "HUB_DB_POOL_TIMEOUT_SECONDS": "2"}
    (hub,) = start_hubs(1, cluster_pg, "http://127.0.0.1:9", env)
    try:
        v = Visitor(hub.url)
        async with websockets.connect(v.ws_url()) as ws:
            await ws.send(json.dumps({"type": "auth", "secret": v.secret}))
            await next_frame(ws, "state")
            # The database refuses every connection, and the hub's open ones are ended.
            await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await _admin(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )
            try:
                # The stream's next read fails: an error frame, then a close the widget
                # retries after (not a bare 1011 from the server's own handler).
                error = await next_frame(ws, "error", timeout=15)
                assert error["error"] == "internal_error"
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 10)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4500
            finally:
                await _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        # The database is back: the same conversation's new socket gets its state.
        async with websockets.connect(v.ws_url()) as ws:
            await ws.send(json.dumps({"type": "auth", "secret": v.secret}))
            state = await next_frame(ws, "state", timeout=15)
            assert state["owner"] == "bot"
    finally:
        hub.stop()
