"""The supervisors' overview (rules/overview.py, core/overview.py): the figures on a real
database (SQLite and PostgreSQL), the metrics with two hubs on one database, and the
running hub's authorisation and live frames over HTTP and WebSocket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import websockets
from prometheus_client import CollectorRegistry

from hub.adapters.broker import Broker
from hub.core import Hub
from hub.db.unit import unit_of_work
from hub.rules import texts
from hub.rules.overview import day_start
from hub.services import advisors as advisor_svc
from tests.conftest import CLOSED_PORT_URL, _truncate, make_hub, new_advisor
from tests.live import HUB_ENV, PASSWORD, Visitor, create_advisor, login, next_frame
from tests.stack import start_hub
from tests.support import handed_off, open_conv


async def _account(hub: Hub, username: str, role: str) -> None:
    async with unit_of_work(hub.sessions, Broker()) as u:
        account = await advisor_svc.create_advisor(
            u, username, username.title(), "x", 1, hub.clock.now(), role
        )
    async with hub.unit() as u:
        await advisor_svc.start_session(u, account.id, hub.clock.now(), 8)


def test_the_day_starts_at_midnight_in_the_offices_time_zone() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    # 23:30 UTC on 24 November is 00:30 on the 25th in Oslo (winter, UTC+1).
    start = day_start(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), oslo)
    assert start == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    # Summer time: UTC+2.
    assert day_start(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), oslo) == datetime(
        2026, 5, 31, 22, 0, tzinfo=UTC
    )


async def test_the_overview_counts_per_topic_and_in_all_now_and_today(hub, clock) -> None:  # type: ignore[no-untyped-def]
    await new_advisor(hub, "natt")  # yesterday's login has expired by today
    await handed_off(hub, "unsure", "arbeid")  # still waiting this morning
    clock.advance(days=1)  # 09:00 UTC, 10:00 in Oslo
    kari, _ = await new_advisor(hub, "kari", max_chats=3)
    await new_advisor(hub, "ola", status="away")
    await _account(hub, "sjef", "leder")  # supervisors and editors are not advisors
    await _account(hub, "redaktor", "editor")

    answered, secret, _ = await open_conv(hub)
    await hub.relay.handoff(answered, "asked_for_person", "arbeid", None)
    clock.advance(seconds=60)
    await hub.advisors.claim(kari, answered)  # within 3 minutes
    late = await handed_off(hub, "urgent", "helse")
    clock.advance(seconds=200)
    await hub.advisors.claim(kari, late)  # after 3 minutes
    left, left_secret, _ = await open_conv(hub)
    await hub.relay.handoff(left, "asked_for_person", "pensjon", None)
    clock.advance(seconds=10)
    await hub.visitors.leave_queue(left, left_secret)  # gave up before 3 minutes: not counted
    await hub.advisors.end(kari, answered, "besvart")
    assert await hub.visitors.rate(answered, secret, "ja")
    await handed_off(hub, "unsure", "arbeid")
    clock.advance(seconds=30)  # waited 30 s: not decided yet

    o = await hub.supervision.overview()
    assert o.day_start == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    arbeid, helse, pensjon, total = (
        o.topics["arbeid"],
        o.topics["helse"],
        o.topics["pensjon"],
        o.total,
    )
    assert (arbeid.waiting, arbeid.in_progress) == (2, 0)
    assert arbeid.longest_wait_seconds == 86_400 + 300  # yesterday's visitor
    assert arbeid.handoffs_today == {"asked_for_person": 1, "unsure": 1, "urgent": 0}
    assert (arbeid.claimed_today, arbeid.answered_in_time_today, arbeid.answer_decided_today) == (
        1,
        1,
        1,
    )
    assert arbeid.answered_in_time_percent == 100
    assert arbeid.ratings_today == {"ja": 1, "nei": 0, "delvis": 0}
    assert (helse.in_progress, helse.handoffs_today["urgent"]) == (1, 1)
    assert helse.answered_in_time_percent == 0 and helse.longest_wait_today_seconds == 200
    assert pensjon.handoffs_today["asked_for_person"] == 1
    assert pensjon.answer_decided_today == 0 and pensjon.answered_in_time_percent is None
    assert (total.waiting, total.in_progress, total.claimed_today) == (2, 1, 2)
    assert total.handoffs_today == {"asked_for_person": 2, "unsure": 1, "urgent": 1}
    assert (total.answered_in_time_today, total.answer_decided_today) == (1, 2)
    assert total.answered_in_time_percent == 50
    assert total.longest_wait_seconds == arbeid.longest_wait_seconds
    assert (o.advisors.available, o.advisors.away) == (1, 1)
    assert (o.advisors.in_chat_with_free_seats, o.advisors.free_seats) == (1, 2)
    assert sum(f.waiting for f in o.topics.values()) == total.waiting

    # The same figures as metrics.
    await hub.health.update_metrics()
    registry = hub.metrics.registry
    assert _value(registry, "hub_queue_length", topic="arbeid") == 2
    assert _value(registry, "hub_handoffs_today", topic="helse", reason="urgent") == 1
    assert _value(registry, "hub_answered_within_3min_today", topic="arbeid") == 1
    assert _value(registry, "hub_ratings_today", topic="arbeid", value="ja") == 1
    assert _value(registry, "hub_advisors", state="away") == 1
    assert _value(registry, "hub_advisor_free_seats") == 2


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def _sum(registries: list[CollectorRegistry], name: str, **labels: str) -> float:
    return sum(_value(r, name, **labels) or 0 for r in registries)


@pytest.fixture
def empty_pg(pg_database: str) -> str:
    _truncate(pg_database)
    return pg_database


@pytest.mark.postgres
async def test_two_hubs_on_one_database_report_the_database_figures_once(
    empty_pg: str, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    pg_database = empty_pg
    first, second = (
        await make_hub(pg_database, settings, clock),
        await make_hub(pg_database, settings, clock),
    )
    try:
        await new_advisor(first, "kari")
        await handed_off(first, "unsure", "arbeid")
        await handed_off(second, "urgent", "helse")
        await first.health.update_metrics()
        await second.health.update_metrics()
        registries = [first.metrics.registry, second.metrics.registry]
        assert _sum(registries, "hub_figures_reporter") == 1
        assert _sum(registries, "hub_queue_length", topic="arbeid") == 1
        assert _sum(registries, "hub_handoffs_today", topic="helse", reason="urgent") == 1
        assert _sum(registries, "hub_advisors", state="available") == 1

        # The reporting instance goes away: the other one takes over at its next scrape.
        reporter, other = (
            (first, second)
            if _value(registries[0], "hub_figures_reporter")
            else (
                second,
                first,
            )
        )
        await reporter.health.close()
        await reporter.sessions.kw["bind"].dispose()
        await other.health.update_metrics()
        assert _value(other.metrics.registry, "hub_figures_reporter") == 1
        assert _value(other.metrics.registry, "hub_queue_length", topic="helse") == 1
    finally:
        for h in (first, second):
            await h.health.close()
            await h.bot.client.aclose()
            await h.sessions.kw["bind"].dispose()


async def test_only_a_supervisor_sees_the_overview_and_it_follows_the_advisors_live(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'overview.db'}"
    create_advisor(url, "kari")
    create_advisor(url, "sjef", role="leder")
    create_advisor(url, "redaktor", role="editor")
    hub = start_hub(
        database_url=url, rasa_url=CLOSED_PORT_URL, env={**HUB_ENV, "HUB_WS_POLL_SECONDS": "30"}
    )
    try:
        base = hub.url
        r = httpx.post(f"{base}/api/advisor/login", json={"username": "sjef", "password": PASSWORD})
        assert r.status_code == 200 and r.json()["advisor"]["role"] == "leder"
        assert r.json()["advisor"]["status"] == "away"  # a supervisor is never staff
        leder = {"Authorization": f"Bearer {r.json()['token']}"}
        refused = Visitor(base).post("/queue")  # nobody who chats is logged in
        assert refused.status_code == 409 and refused.json()["error"] == "no_advisors"

        kari_token = login(base, "kari")
        kari = {"Authorization": f"Bearer {kari_token}"}
        editor = {"Authorization": f"Bearer {login(base, 'redaktor')}"}
        for who in (kari, editor):
            denied = httpx.get(f"{base}/api/advisor/overview", headers=who)
            assert denied.status_code == 403 and denied.json()["message"] == texts.LEDERS_ONLY
        assert httpx.get(f"{base}/api/advisor/overview").status_code == 401
        for method, path in (("GET", "/api/advisor/queues"), ("PUT", "/api/advisor/status")):
            denied = httpx.request(method, base + path, headers=leder, json={"status": "away"})
            assert denied.status_code == 403 and denied.json()["message"] == texts.LEDER_NOT_ADVISOR

        seen = httpx.get(f"{base}/api/advisor/overview", headers=leder)
        assert seen.status_code == 200
        assert seen.json()["advisors"] == {
            "available": 1,
            "away": 0,
            "in_chat_with_free_seats": 0,
            "free_seats": 2,
        }
        assert [t["topic"] for t in seen.json()["topics"]][:2] == ["arbeid", "familie"]
        page = httpx.get(f"{base}/veileder/oversikt")
        assert page.status_code in (200, 404)  # 404 only without a built front-end

        async with websockets.connect(base.replace("http", "ws") + "/api/advisor/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": r.json()["token"]}))
            first = await next_frame(ws, "overview")
            assert first["advisors"]["available"] == 1
            # Kari steps away: the overview says so at once, not at the next poll (30 s).
            assert httpx.put(
                f"{base}/api/advisor/status", headers=kari, json={"status": "away"}
            ).is_success
            frame = await next_frame(ws, "overview", timeout=5)
            assert (frame["advisors"]["available"], frame["advisors"]["away"]) == (0, 1)
            v = Visitor(base)  # still queued: Kari is logged in, only away
            assert v.post("/queue").status_code == 200
            frame = await next_frame(ws, "overview", timeout=5)
            assert frame["total"]["waiting"] == 1
            assert frame["total"]["handoffs_today"]["asked_for_person"] == 1
            await ws.send(json.dumps({"type": "message", "text": "hei"}))
            error = await next_frame(ws, "error", timeout=5)
            assert error["error"] == "invalid_request"

        metrics = httpx.get(f"{base}/metrics").text
        for name in ("hub_figures_reporter 1.0", 'hub_queue_length{topic="generell"} 1.0'):
            assert name in metrics
    finally:
        hub.stop()
