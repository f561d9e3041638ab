"""The running hub over real HTTP (Rasa down: a closed port): clear errors for bad
input, the limits, the bot's handoff contract, operations, logins.

One hub subprocess per module; some tests start their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, PASSWORD, Visitor, create_advisor, login
from tests.stack import Proc, start_hub


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'hub.db'}"
    create_advisor(url, "kari")
    create_advisor(url, "ola")
    return url


@pytest.fixture(scope="module")
def hub(db: str) -> Iterator[Proc]:
    proc = start_hub(database_url=db, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    yield proc
    proc.stop()


def _cases(v: Visitor, token: str) -> list[tuple[str, str, dict[str, Any], int, str]]:
    c = f"/api/conversations/{v.id}"
    big = "x" * 20_000
    return [
        ("POST", "/api/conversations", {"content": b"[1, 2]"}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"content": b"{not json"}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"json": {"page": 5}}, 400, "invalid_request"),
        ("POST", "/api/conversations", {"json": {"page": big}}, 413, "body_too_large"),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "content": b"x" * 2_000_000},
            413,
            "body_too_large",
        ),
        ("GET", c, {}, 401, "unauthorized"),
        ("GET", "/api/conversations/c_finnesikke", {"headers": v.headers}, 404, "not_found"),
        ("GET", c + "?after=-1", {"headers": v.headers}, 400, "invalid_request"),
        ("POST", c + "/messages", {"headers": v.headers, "json": {}}, 400, "invalid_request"),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "   "}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": 17}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "x" * 1001}},
            400,
            "message_too_long",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": v.headers, "json": {"text": "hei", "payload": 3}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/messages",
            {"headers": {"Authorization": "Bearer feil"}, "json": {"text": "hei"}},
            401,
            "unauthorized",
        ),
        (
            "POST",
            c + "/typing",
            {"headers": v.headers, "json": {"typing": "ja"}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            c + "/queue",
            {"headers": v.headers, "json": {"topic": "skatt"}},
            400,
            "invalid_request",
        ),
        ("DELETE", c + "/queue", {"headers": v.headers}, 409, "conflict"),
        (
            "POST",
            c + "/rating",
            {"headers": v.headers, "json": {"value": None}},
            400,
            "invalid_request",
        ),
        ("GET", c + "/transcript", {}, 401, "unauthorized"),
        (
            "POST",
            "/api/advisor/login",
            {"json": {"username": "kari", "password": "feil"}},
            401,
            "unauthorized",
        ),
        ("POST", "/api/advisor/login", {"json": {"username": ["kari"]}}, 400, "invalid_request"),
        ("GET", "/api/advisor/queues", {}, 401, "unauthorized"),
        (
            "GET",
            "/api/advisor/me",
            {"headers": {"Authorization": "Bearer feil"}},
            401,
            "unauthorized",
        ),
        (
            "PUT",
            "/api/advisor/status",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"status": "borte"}},
            400,
            "invalid_request",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/claim",
            {"headers": {"Authorization": f"Bearer {token}"}},
            409,
            "already_claimed",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/messages",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"text": "hei"}},
            409,
            "conversation_closed",
        ),
        (
            "POST",
            f"/api/advisor/conversations/{v.id}/end",
            {"headers": {"Authorization": f"Bearer {token}"}, "json": {"outcome": "kanskje"}},
            400,
            "invalid_request",
        ),
        (
            "GET",
            "/api/advisor/faq?q=" + "x" * 201,
            {"headers": {"Authorization": f"Bearer {token}"}},
            400,
            "invalid_request",
        ),
        ("GET", "/finnes/ikke", {}, 404, "not_found"),
    ]


def test_bad_input_gets_a_clear_stable_error(hub: Proc) -> None:
    v = Visitor(hub.url)
    token = login(hub.url, "ola")
    for method, path, kw, status, code in _cases(v, token):
        r = httpx.request(method, hub.url + path, **kw)
        assert (r.status_code, r.json().get("error")) == (status, code), (method, path, r.text)
        assert r.json().get("message"), (method, path)
        if code in {"message_too_long", "body_too_large"}:
            assert (
                isinstance(r.json()["limit"], int) and str(r.json()["limit"]) in r.json()["message"]
            )
    r = httpx.post(f"{hub.url}/api/advisor/status", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 405


def test_faq_search_while_rasa_is_down(hub: Proc) -> None:
    auth = {"Authorization": f"Bearer {login(hub.url, 'ola')}"}
    r = httpx.get(f"{hub.url}/api/advisor/faq", params={"q": "dagpenger"}, headers=auth)
    assert r.status_code == 503 and r.json()["error"] == "faq_unavailable"
    assert "Svarbanken" in r.json()["message"]
    empty = httpx.get(f"{hub.url}/api/advisor/faq", params={"q": " "}, headers=auth)
    assert empty.status_code == 200 and empty.json() == []


def test_rate_limit_over_http(hub: Proc) -> None:
    v = Visitor(hub.url)
    codes = [v.post("/messages", json={"text": f"m{i}"}).status_code for i in range(21)]
    assert codes == [201] * 20 + [429]
    body = v.post("/messages", json={"text": "igjen"}).json()
    assert body["error"] == "rate_limited" and body["limit"] == 20


def test_limits_on_new_conversations_and_failed_logins_over_http(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    create_advisor(url, "kari")
    env = {**HUB_ENV, "HUB_CONVERSATIONS_PER_MINUTE": "2", "HUB_LOGIN_FAILURES": "2"}
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=env)
    try:
        opened = [httpx.post(f"{hub.url}/api/conversations", json={}) for _ in range(3)]
        assert [r.status_code for r in opened] == [201, 201, 429]
        body = opened[2].json()
        assert body["error"] == "rate_limited" and body["limit"] == 2
        assert 1 <= body["retry_after"] <= 60 and "prøv igjen om" in body["message"]
        assert opened[2].headers["retry-after"] == str(body["retry_after"])

        wrong = {"username": "kari", "password": "feil"}
        tries = [httpx.post(f"{hub.url}/api/advisor/login", json=wrong) for _ in range(3)]
        assert [r.status_code for r in tries] == [401, 401, 429]
        assert tries[2].json()["message"] == (
            "For mange forsøk med feil brukernavn eller passord. Prøv igjen om 15 minutter."
        )
        # 15 minutes from the first failure: the password checks before it take time
        # (argon2, on a loaded machine seconds), so a little less may be left.
        assert 880 <= int(tries[2].headers["retry-after"]) <= 900
        right = {"username": "kari", "password": PASSWORD}
        assert httpx.post(f"{hub.url}/api/advisor/login", json=right).status_code == 429
    finally:
        hub.stop()


def test_internal_handoff_contract(hub: Proc) -> None:
    v = Visitor(hub.url)
    url = f"{hub.url}/internal/handoff"
    body = {
        "conversation_id": v.id,
        "reason": "unsure",
        "topic": "pensjon",
        "faq_id": None,
        "transcript": [{"sender": "visitor", "text": "hei", "timestamp": 1764000000.0}],
    }
    assert httpx.post(url, json=body).json() == {"error": "unauthorized"}
    good = {"Authorization": "Bearer test-bot-secret"}
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer feil"}).status_code == 401
    bad = httpx.post(url, json={**body, "topic": "skatt"}, headers=good)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    unknown = httpx.post(url, json={**body, "conversation_id": "c_ukjent"}, headers=good)
    assert unknown.status_code == 404 and unknown.json() == {"error": "unknown_conversation"}
    login(hub.url, "ola")  # somebody is logged in
    long_transcript = [{"sender": "visitor", "text": "x" * 900, "timestamp": 1.0}] * 40
    r = httpx.post(url, json={**body, "transcript": long_transcript}, headers=good)
    assert r.status_code == 200, r.text  # a long conversation still hands off
    answer = r.json()
    assert answer["status"] == "queued" and answer["queue"] == "pensjon"
    assert answer["position"] == 1 and answer["estimated_wait_minutes"] >= 1
    assert httpx.delete(f"{hub.url}/api/conversations/{v.id}/queue", headers=v.headers).json() == {
        "owner": "bot"
    }


def test_operations_endpoints(hub: Proc) -> None:
    assert httpx.get(hub.url + "/health").json() == {"status": "ok"}
    # Rasa is down here: the hub still serves (readiness is the database's), and says so.
    ready = httpx.get(hub.url + "/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": True}
    rasa = httpx.get(hub.url + "/ready/rasa")
    assert rasa.status_code == 503 and rasa.json() == {"status": "not_ready", "rasa": False}
    metrics = httpx.get(hub.url + "/metrics").text
    for name in (
        'hub_queue_length{topic="arbeid"}',
        "hub_bot_errors_total",
        "hub_handoffs_total",
        "hub_bot_latency_seconds",
        "hub_queue_wait_seconds",
    ):
        assert name in metrics
    spec = httpx.get(hub.url + "/docs/openapi.json").json()
    assert spec["info"]["title"] == "Nav chat hub"
    for path in ("/api/conversations", "/api/advisor/login", "/internal/handoff", "/api/settings"):
        assert path in spec["paths"]


def test_login_starts_available_and_any_login_counts_for_the_queue(tmp_path: Path) -> None:
    """A login starts as available; the queue refuses (no_advisors) only when nobody
    is logged in: an advisor who is away still counts."""
    url = f"sqlite:///{tmp_path / 'status.db'}"
    create_advisor(url, "kari")  # a new account is away
    hub = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=HUB_ENV)
    try:
        v = Visitor(hub.url)
        refused = v.post("/queue")
        assert refused.status_code == 409 and refused.json()["error"] == "no_advisors"
        assert "pålogget" in refused.json()["message"]

        r = httpx.post(
            f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
        )
        assert r.status_code == 200 and r.json()["advisor"]["status"] == "available"
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).json()["status"] == "available"
        away = httpx.put(f"{hub.url}/api/advisor/status", headers=auth, json={"status": "away"})
        assert away.status_code == 200 and away.json()["status"] == "away"
        assert httpx.get(f"{hub.url}/api/advisor/me", headers=auth).json()["status"] == "away"

        queued = v.post("/queue")  # away, but logged in: the visitor may wait
        assert queued.status_code == 200, queued.text
        left = httpx.delete(f"{hub.url}/api/conversations/{v.id}/queue", headers=v.headers)
        assert left.status_code == 200
        assert httpx.post(f"{hub.url}/api/advisor/logout", headers=auth).status_code == 204
        again = v.post("/queue")
        assert again.status_code == 409 and again.json()["error"] == "no_advisors"

        token = login(hub.url, "kari")  # the next login is available again
        me = httpx.get(f"{hub.url}/api/advisor/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["status"] == "available"
    finally:
        hub.stop()
