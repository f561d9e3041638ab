"""Browser protections over real HTTP and WebSocket against running hubs (Rasa down):
the Origin check on cookie requests, the protective headers, Secure cookies.

The rules themselves (hub/browser.py) are tested as plain functions at the end.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import websockets

from hub.rules import browser, texts
from tests.conftest import CLOSED_PORT_URL
from tests.live import HUB_ENV, PASSWORD, Visitor, create_advisor
from tests.stack import Proc, start_hub
from tests.test_cors import fake_web_dir

EVIL = "https://evil.example"
EMBEDDER = "https://www.example.no"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'hub.db'}"
    create_advisor(url, "kari")
    create_advisor(url, "redaktor", role="editor")
    return url


@pytest.fixture(scope="module")
def hub(db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proc]:
    env = {
        **HUB_ENV,
        "HUB_WEB_DIR": str(fake_web_dir(tmp_path_factory.mktemp("web"))),
        "HUB_ALLOWED_ORIGINS": EMBEDDER,
        # A content service that does not answer: a request past the Origin check gets
        # 503, one stopped by it 403.
        "HUB_CONTENT_URL": CLOSED_PORT_URL,
        "HUB_CONTENT_TOKEN": "t",
    }
    proc = start_hub(database_url=db, rasa_url=CLOSED_PORT_URL, env=env)
    yield proc
    proc.stop()


def browser_login(base: str, username: str) -> httpx.Client:
    """A client holding the login cookie only, as a browser does (no token sent)."""
    client = httpx.Client(base_url=base)
    r = client.post(
        "/api/advisor/login",
        json={"username": username, "password": PASSWORD},
        headers={"Origin": base},
    )
    assert r.status_code == 200, r.text
    return client


def forged(client: httpx.Client, method: str, path: str, origin: str | None) -> httpx.Response:
    """What a form or fetch on another site's page sends: the cookie rides along, the
    body is text/plain (no preflight), Origin names that site."""
    headers = {"Content-Type": "text/plain"}
    if origin is not None:
        headers["Origin"] = origin
    return client.request(method, path, content='{"status": "away"}', headers=headers)


# The state-changing cookie requests of the console and the editors' pages.
CHANGES = (
    ("PUT", "/api/advisor/status"),
    ("POST", "/api/advisor/conversations/c_abc/claim"),
    ("POST", "/api/advisor/conversations/c_abc/messages"),
    ("POST", "/api/advisor/conversations/c_abc/end"),
    ("POST", "/api/advisor/logout"),
)
EDITOR_CHANGES = (
    ("PUT", "/api/content/faqs/dagpenger"),
    ("POST", "/api/content/publish"),
    ("POST", "/api/content/publications/1/restore"),
)


def test_cookie_requests_from_another_site_are_refused(hub: Proc) -> None:
    advisor = browser_login(hub.url, "kari")
    editor = browser_login(hub.url, "redaktor")
    # A sibling host of the hub's own site is "same-site" (SameSite lets the cookie
    # through); "null" is what a sandboxed frame sends.
    sibling = hub.url.replace("127.0.0.1", "localhost")
    for client, changes in ((advisor, CHANGES), (editor, EDITOR_CHANGES)):
        for method, path in changes:
            for origin in (EVIL, EMBEDDER, sibling, "null"):
                r = forged(client, method, path, origin)
                assert r.status_code == 403, (method, path, origin, r.text)
                assert r.json() == {"error": "forbidden", "message": texts.FOREIGN_ORIGIN}
    # Nothing changed: still logged in, still available.
    me = advisor.get("/api/advisor/me")
    assert me.status_code == 200 and me.json()["status"] == "available"


def test_cookie_requests_from_the_hubs_own_pages_pass(hub: Proc) -> None:
    advisor = browser_login(hub.url, "kari")
    editor = browser_login(hub.url, "redaktor")
    own = {"Origin": hub.url}
    r = advisor.put("/api/advisor/status", json={"status": "away"}, headers=own)
    assert r.status_code == 200 and r.json()["status"] == "away"
    r = advisor.put("/api/advisor/status", json={"status": "available"}, headers=own)
    assert r.status_code == 200
    # Past the check: the content service (a closed port) is what fails.
    r = editor.post("/api/content/publish", headers=own)
    assert r.status_code == 503, r.text
    r = editor.put(
        "/api/content/faqs/dagpenger",
        json={"answer": "a", "examples": [], "version": "v"},
        headers=own,
    )
    assert r.status_code == 503, r.text
    r = advisor.post("/api/advisor/logout", headers=own)
    assert r.status_code == 204
    assert advisor.get("/api/advisor/me").status_code == 401


def test_cookie_request_without_origin_needs_the_hubs_referer(hub: Proc) -> None:
    advisor = browser_login(hub.url, "kari")
    assert forged(advisor, "PUT", "/api/advisor/status", None).status_code == 403
    r = advisor.put(
        "/api/advisor/status",
        json={"status": "away"},
        headers={"Referer": f"{EVIL}/veileder"},
    )
    assert r.status_code == 403
    r = advisor.put(
        "/api/advisor/status",
        json={"status": "away"},
        headers={"Referer": f"{hub.url}/veileder"},
    )
    assert r.status_code == 200


def test_scripts_with_a_token_and_the_visitor_api_are_not_origin_checked(hub: Proc) -> None:
    token = httpx.post(
        f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
    ).json()["token"]
    r = httpx.put(
        f"{hub.url}/api/advisor/status",
        json={"status": "available"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200
    # The visitor API is cross-origin by design (its secret is a header, never a cookie).
    v = Visitor(hub.url)
    r = httpx.post(
        f"{hub.url}/api/conversations/{v.id}/messages",
        json={"text": "Hei"},
        headers={**v.headers, "Origin": EVIL},
    )
    assert r.status_code == 201


def test_login_from_another_site_is_refused(hub: Proc) -> None:
    r = httpx.post(
        f"{hub.url}/api/advisor/login",
        json={"username": "kari", "password": PASSWORD},
        headers={"Origin": EVIL},
    )
    assert r.status_code == 403
    assert "set-cookie" not in r.headers


async def test_advisor_websocket_from_another_site_is_refused(hub: Proc) -> None:
    token = httpx.post(
        f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD}
    ).json()["token"]
    url = hub.url.replace("http", "ws") + "/api/advisor/ws"

    async def first_frame(origin: str | None) -> str:
        kw = {} if origin is None else {"origin": origin}
        async with websockets.connect(url, **kw) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "auth", "token": token}))
            return str(json.loads(await asyncio.wait_for(ws.recv(), 10))["type"])

    assert await first_frame(None) == "queues"
    assert await first_frame(hub.url) == "queues"
    for origin in (EVIL, EMBEDDER):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await first_frame(origin)
        assert refused.value.response.status_code == 403


def test_every_response_carries_the_protective_headers(hub: Proc) -> None:
    v = Visitor(hub.url)
    responses = {
        "page": httpx.get(f"{hub.url}/"),
        "widget": httpx.get(f"{hub.url}/widget.js", headers={"Origin": EMBEDDER}),
        "font css": httpx.get(f"{hub.url}/static/fonts.css"),
        "visitor api": httpx.get(f"{hub.url}/api/conversations/{v.id}", headers=v.headers),
        "preflight": httpx.options(
            f"{hub.url}/api/conversations",
            headers={"Origin": EMBEDDER, "Access-Control-Request-Method": "POST"},
        ),
        "401": httpx.get(f"{hub.url}/api/advisor/me"),
        "403": httpx.post(f"{hub.url}/api/advisor/login", json={}, headers={"Origin": EVIL}),
        "404": httpx.get(f"{hub.url}/no/such/page"),
        "health": httpx.get(f"{hub.url}/health"),
        "api description": httpx.get(f"{hub.url}/docs/openapi.json"),
    }
    for name, r in responses.items():
        assert r.headers.get("content-security-policy") == browser.CONTENT_SECURITY_POLICY, name
        assert r.headers.get("x-content-type-options") == "nosniff", name
        assert r.headers.get("referrer-policy") == "same-origin", name
        assert r.headers.get("x-frame-options") == "DENY", name
        # Plain http and no trusted proxy: no HSTS.
        assert "strict-transport-security" not in r.headers, name
    assert "frame-ancestors 'none'" in browser.CONTENT_SECURITY_POLICY
    assert responses["api description"].status_code == 200
    # The widget is still readable by embedding sites (a script tag, not a frame).
    assert responses["widget"].headers["access-control-allow-origin"] == "*"
    # The docs page loads no scripts from CDNs onto the hub's origin.
    docs = httpx.get(f"{hub.url}/docs")
    assert docs.status_code == 200 and "/docs/openapi.json" in docs.text
    assert "<script" not in docs.text and httpx.get(f"{hub.url}/docs/swagger").status_code == 404


def test_login_cookie_is_httponly_strict_and_ends_with_the_browser(hub: Proc) -> None:
    r = httpx.post(f"{hub.url}/api/advisor/login", json={"username": "kari", "password": PASSWORD})
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Max-Age" not in cookie and "expires" not in cookie.lower()
    # Plain http, no trusted proxy: a forged X-Forwarded-Proto does not make it Secure.
    r = httpx.post(
        f"{hub.url}/api/advisor/login",
        json={"username": "kari", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"},
    )
    assert "Secure" not in r.headers["set-cookie"]


@pytest.fixture(scope="module")
def proxied_hub(db: str) -> Iterator[Proc]:
    """A hub behind one trusted TLS proxy."""
    proc = start_hub(
        database_url=db, rasa_url=CLOSED_PORT_URL, env={**HUB_ENV, "HUB_TRUSTED_PROXIES": "1"}
    )
    yield proc
    proc.stop()


def test_secure_cookie_and_hsts_when_the_trusted_proxy_says_tls(proxied_hub: Proc) -> None:
    base = proxied_hub.url
    creds = {"username": "kari", "password": PASSWORD}
    over_tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    r = httpx.post(f"{base}/api/advisor/login", json=creds, headers=over_tls)
    assert r.status_code == 200
    assert "Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    client = httpx.Client(base_url=base)
    client.cookies.set("hub_advisor", r.json()["token"])
    out = client.post("/api/advisor/logout", headers={**over_tls, "Origin": base})
    assert out.status_code == 204
    assert "Secure" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    # The proxy says plain http: not Secure (a browser would drop a Secure cookie there).
    plain = {"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"}
    r = httpx.post(f"{base}/api/advisor/login", json=creds, headers=plain)
    assert "Secure" not in r.headers["set-cookie"]


# ---- the rules as plain functions ----


def test_foreign_request_rule() -> None:
    own = "chat.nav.no"
    foreign = browser.foreign_request
    assert not foreign("GET", EVIL, None, own, True)
    assert not foreign("POST", "https://chat.nav.no", None, own, True)
    assert not foreign("POST", "http://CHAT.nav.no", None, own, True)  # TLS ended at a proxy
    assert foreign("POST", "https://www.nav.no", None, own, True)  # same site, other host
    assert foreign("PUT", "null", None, own, True)
    assert foreign("DELETE", "https://chat.nav.no.evil.example", None, own, False)
    assert not foreign("POST", None, None, own, False)  # a script with its own token
    assert foreign("POST", None, None, own, True)
    assert foreign("POST", None, "https://evil.example/chat.nav.no", own, True)
    assert not foreign("POST", None, "https://chat.nav.no/veileder", own, True)
    assert not browser.foreign_websocket(None, own)
    assert browser.foreign_websocket("https://www.nav.no", own)


def test_secure_cookie_rule() -> None:
    assert not browser.secure_cookies(False, "http")
    assert browser.secure_cookies(False, "https")
    assert browser.secure_cookies(False, "wss")
    assert browser.secure_cookies(True, "http")


def test_csp_allows_nothing_from_other_origins() -> None:
    directives = dict(d.split(" ", 1) for d in browser.CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "connect-src", "font-src"):
        assert directives[name] == "'self'", name
    assert "unsafe" not in browser.CONTENT_SECURITY_POLICY
