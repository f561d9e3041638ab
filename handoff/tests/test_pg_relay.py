"""Live events between hub instances over PostgreSQL LISTEN/NOTIFY (real PostgreSQL)."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from hub.adapters.broker import Broker, event
from hub.adapters.pg_relay import MAX_PAYLOAD_BYTES, PgRelay, asyncpg_dsn, decode, encode
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, Visitor, create_advisor, login, next_frame
from tests.stack import start_hub

pytestmark = pytest.mark.postgres


def test_payloads_other_instances_only_and_size_limit() -> None:
    payload = encode("a", "conv:c1", event("typing", sender="advisor", typing=True))
    assert payload is not None
    assert decode("a", payload) is None  # our own, already delivered here
    assert decode("b", payload) == ("conv:c1", event("typing", sender="advisor", typing=True))
    assert decode("b", "not json") is None
    assert decode("b", json.dumps({"o": "a", "c": 5, "e": {}})) is None
    huge = event("message", text="x" * MAX_PAYLOAD_BYTES)
    assert decode("b", encode("a", "conv:c1", huge) or "") == ("conv:c1", event("sync"))
    assert encode("a", "queues", huge) is None
    assert asyncpg_dsn("postgresql+asyncpg://postgres@127.0.0.1:5432/x") == (
        "postgresql://postgres@127.0.0.1:5432/x"
    )


async def test_an_event_published_in_one_instance_reaches_the_others_once(
    pg_database: str,
) -> None:
    one, two = Broker(), Broker()
    relays = [PgRelay(one, pg_database), PgRelay(two, pg_database)]
    for relay in relays:
        await relay.start()
    try:
        with one.subscribe("conv:c1") as here, two.subscribe("conv:c1") as there:
            one.publish("conv:c1", event("typing", sender="advisor", typing=True))
            assert await there.get(5) == event("typing", sender="advisor", typing=True)
            assert await here.get(5) == event("typing", sender="advisor", typing=True)
            # No echo: neither side gets it a second time.
            assert await here.get(1) is None and await there.get(0.1) is None
    finally:
        for relay in relays:
            await relay.stop()
    assert relays[0].sent == 1 and relays[1].received == 1 and relays[0].received == 0


async def test_two_hub_processes_share_live_events(pg_database: str) -> None:
    """Visitor on instance A, advisor on instance B: the advisor's typing and words
    reach the visitor at once, far sooner than the (here 60 s) poll would."""
    create_advisor(pg_database, "relaykari")
    env = {**HUB_ENV, "HUB_WS_POLL_SECONDS": "60"}
    a = start_hub(database_url=pg_database, rasa_url=CLOSED_PORT_URL, env=env)
    b = start_hub(database_url=pg_database, rasa_url=CLOSED_PORT_URL, env=env)
    try:
        auth = {"Authorization": f"Bearer {login(b.url, 'relaykari')}"}
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
            httpx.post(
                f"{b.url}/api/advisor/conversations/{v.id}/typing",
                headers=auth,
                json={"typing": True},
            )
            await next_frame(ws, "typing", timeout=5, sender="advisor", typing=True)
            httpx.post(
                f"{b.url}/api/advisor/conversations/{v.id}/messages",
                headers=auth,
                json={"text": "Hei fra en annen instans."},
            )
            said = await next_frame(ws, "message", timeout=5, sender="advisor")
            assert said["text"] == "Hei fra en annen instans."
    finally:
        a.stop()
        b.stop()
