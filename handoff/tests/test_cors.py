"""Cross-origin rules over real HTTP and WebSocket against a running hub
(HUB_ALLOWED_ORIGINS set; Rasa down: a closed port)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from hub.rules.topics import TOPICS
from hub.settings import Settings
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, Visitor, create_advisor, login
from tests.stack import Proc, start_hub

EMBEDDER = "https://www.example.no"
OTHER = "https://evil.example"


def fake_web_dir(root: Path) -> Path:
    """The front-end's dist/ layout, so the test does not need a build."""
    web = root / "web"
    (web / "static" / "fonts").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>Demo</title>")
    (web / "widget.js").write_text("console.log('widget');")
    (web / "widget.css").write_text(".w{}")
    (web / "static" / "fonts.css").write_text('@font-face{src:url("fonts/a.woff2")}')
    (web / "static" / "fonts" / "a.woff2").write_bytes(b"wOF2fake")
    return web


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    tmp = tmp_path_factory.mktemp("cors")
    url = f"sqlite:///{tmp / 'hub.db'}"
    create_advisor(url, "kari")
    env = {
        **HUB_ENV,
        "HUB_WEB_DIR": str(fake_web_dir(tmp)),
        # Written as an operator might: spaces, a trailing slash, upper case.
        "HUB_ALLOWED_ORIGINS": " HTTPS://www.example.no/ , http://localhost:3000",
    }
    proc = start_hub(database_url=url, rasa_url=CLOSED_PORT_URL, env=env)
    yield proc
    proc.stop()


def preflight(base: str, path: str, origin: str, method: str = "POST") -> httpx.Response:
    return httpx.options(
        base + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_allowed_origin_gets_preflight_and_headers(hub: Proc) -> None:
    for path, method in (
        ("/api/conversations", "POST"),
        ("/api/conversations/c_abc/messages", "POST"),
        ("/api/conversations/c_abc/queue", "DELETE"),
        ("/api/conversations/c_abc?after=3", "GET"),
    ):
        r = preflight(hub.url, path, EMBEDDER, method)
        assert r.status_code == 204, (path, r.text)
        assert r.headers["access-control-allow-origin"] == EMBEDDER
        assert method in r.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed
        assert "access-control-allow-credentials" not in r.headers

    r = httpx.post(f"{hub.url}/api/conversations", json={}, headers={"Origin": EMBEDDER})
    assert r.status_code == 201
    assert r.headers["access-control-allow-origin"] == EMBEDDER
    assert "Origin" in r.headers["vary"]
    body = r.json()
    auth = {"Authorization": f"Bearer {body['secret']}", "Origin": EMBEDDER}
    t = httpx.get(f"{hub.url}/api/conversations/{body['id']}/transcript", headers=auth)
    assert t.status_code == 200 and t.headers["access-control-allow-origin"] == EMBEDDER
    assert "content-disposition" in t.headers["access-control-expose-headers"].lower()
    # Errors too, so the widget can show their Norwegian message.
    too_long = httpx.post(
        f"{hub.url}/api/conversations/{body['id']}/messages",
        json={"text": "x" * 1001},
        headers=auth,
    )
    assert too_long.status_code == 400 and too_long.json()["error"] == "message_too_long"
    assert too_long.headers["access-control-allow-origin"] == EMBEDDER


def test_other_origins_get_no_cors_headers(hub: Proc) -> None:
    r = preflight(hub.url, "/api/conversations", OTHER)
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-methods" not in r.headers
    r = httpx.post(f"{hub.url}/api/conversations", json={}, headers={"Origin": OTHER})
    assert r.status_code == 201  # not blocked by the hub; the browser will not show it
    assert "access-control-allow-origin" not in r.headers
    # Only an exact origin: not another port or scheme of an allowed host.
    for near in ("http://www.example.no", "https://www.example.no:8443", "http://localhost:3001"):
        r = preflight(hub.url, "/api/conversations", near)
        assert "access-control-allow-origin" not in r.headers, near


def test_settings_are_public_and_readable_by_the_embedding_sites(hub: Proc) -> None:
    expected = {
        "max_message_length": 1000,
        "topics": [
            {"id": "arbeid", "name": "Arbeid og dagpenger"},
            {"id": "familie", "name": "Familie og barn"},
            {"id": "helse", "name": "Helse og sykdom"},
            {"id": "oppfolging", "name": "Oppfølging og arbeidsrettet hjelp"},
            {"id": "pensjon", "name": "Pensjon"},
            {"id": "sosial", "name": "Sosiale tjenester og økonomisk hjelp"},
            {"id": "generell", "name": "Generelt"},
        ],
    }
    # No login and no secret; the same origin, an embedding site and no browser alike.
    r = httpx.get(f"{hub.url}/api/settings")
    assert r.status_code == 200 and r.json() == expected
    assert [t["id"] for t in r.json()["topics"]] == list(TOPICS)
    r = httpx.get(f"{hub.url}/api/settings", headers={"Origin": EMBEDDER})
    assert r.status_code == 200 and r.json() == expected
    assert r.headers["access-control-allow-origin"] == EMBEDDER
    assert "Origin" in r.headers["vary"]
    r = preflight(hub.url, "/api/settings", EMBEDDER, "GET")
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == EMBEDDER
    # Other sites get the answer but no CORS headers: their browsers will not show it.
    r = httpx.get(f"{hub.url}/api/settings", headers={"Origin": OTHER})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in preflight(hub.url, "/api/settings", OTHER).headers
    # Read only: nothing else is allowed on it.
    assert httpx.post(f"{hub.url}/api/settings", json={}).status_code == 405


def test_the_settings_follow_the_hub_settings(tmp_path: Path) -> None:
    env = {**HUB_ENV, "HUB_MAX_MESSAGE_CHARS": "500"}
    proc = start_hub(
        database_url=f"sqlite:///{tmp_path / 'hub.db'}", rasa_url=CLOSED_PORT_URL, env=env
    )
    try:
        r = httpx.get(f"{proc.url}/api/settings")
        assert r.status_code == 200 and r.json()["max_message_length"] == 500
        v = Visitor(proc.url)
        too_long = v.post("/messages", json={"text": "hei", "payload": "x" * 501})
        assert too_long.status_code == 400
        assert "høyst 500 tegn" in too_long.json()["message"]
    finally:
        proc.stop()


def test_advisor_api_stays_same_origin(hub: Proc) -> None:
    r = preflight(hub.url, "/api/advisor/login", EMBEDDER)
    assert "access-control-allow-origin" not in r.headers
    token = login(hub.url, "kari")
    r = httpx.get(
        f"{hub.url}/api/advisor/me",
        headers={"Authorization": f"Bearer {token}", "Origin": EMBEDDER},
    )
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_public_assets_are_readable_from_anywhere(hub: Proc) -> None:
    for path in ("/widget.js", "/widget.css", "/static/fonts.css"):
        r = httpx.get(hub.url + path, headers={"Origin": OTHER})
        assert r.status_code == 200, path
        assert r.headers["access-control-allow-origin"] == "*", path
    css = httpx.get(hub.url + "/static/fonts.css").text
    font = css.split('url("', 1)[1].split('"', 1)[0]
    r = httpx.get(f"{hub.url}/static/{font}", headers={"Origin": OTHER})
    assert r.status_code == 200 and r.headers["content-type"] == "font/woff2"
    assert r.headers["access-control-allow-origin"] == "*"
    page = httpx.get(hub.url + "/", headers={"Origin": OTHER})
    assert "access-control-allow-origin" not in page.headers


async def test_visitor_websocket_checks_origin(hub: Proc) -> None:
    v = Visitor(hub.url)

    async def first_frame(origin: str | None) -> dict[str, object]:
        kw = {} if origin is None else {"origin": origin}
        async with websockets.connect(v.ws_url(), **kw) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "auth", "secret": v.secret, "last_seen_id": 0}))
            frame: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return frame

    # No Origin (not a browser), the hub's own origin, an allowed origin: welcome.
    for origin in (None, hub.url, EMBEDDER):
        assert (await first_frame(origin))["type"] == "message", origin
    with pytest.raises(websockets.InvalidStatus) as refused:
        await first_frame(OTHER)
    assert refused.value.response.status_code == 403


def test_allowed_origins_setting() -> None:
    assert Settings().allowed_origins == ()
    assert Settings.from_env({"HUB_ALLOWED_ORIGINS": ""}).allowed_origins == ()
    parsed = Settings.from_env({"HUB_ALLOWED_ORIGINS": "https://A.no/, http://b.no:8080,"})
    assert parsed.allowed_origins == ("https://a.no", "http://b.no:8080")
    for bad in ("a.no", "https://a.no/chat", "*", "ftp://a.no"):
        with pytest.raises(ValueError, match="HUB_ALLOWED_ORIGINS"):
            Settings.from_env({"HUB_ALLOWED_ORIGINS": bad})


def test_boost_api_for_navs_widget_is_a_visitor_api(hub: Proc) -> None:
    """POST /api/chat/v2 (api/boost.py): the widget posts JSON, no credentials, no header."""
    r = httpx.options(
        f"{hub.url}/api/chat/v2",
        headers={
            "Origin": EMBEDDER,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == EMBEDDER
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in r.headers
    start = {"command": "START", "language": "no", "filter_values": ["privatperson"]}
    r = httpx.post(f"{hub.url}/api/chat/v2", json=start, headers={"Origin": EMBEDDER})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == EMBEDDER
    # Errors too (the widget reads «session ended» from them).
    bad = {"command": "RESUME", "conversation_id": "c_x.y"}
    r = httpx.post(f"{hub.url}/api/chat/v2", json=bad, headers={"Origin": EMBEDDER})
    assert r.status_code == 404 and r.json() == {"error": "session ended"}
    assert r.headers["access-control-allow-origin"] == EMBEDDER
    r = httpx.post(f"{hub.url}/api/chat/v2", json=start, headers={"Origin": OTHER})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
