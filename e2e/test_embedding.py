"""The widget embedded on another site: a page from a second origin (a small static server on
another loopback port) with the one script tag, chatting through the hub (CORS, HUB_ALLOWED_ORIGINS)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Site
from helpers import WIDGET, chat_input, expect_bot_says, launcher, messages, send
from playwright.sync_api import Browser, Page, WebSocket, expect

PAGE = """<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><title>Kommunen</title></head>
<body><main><h1>Kommunens nettside</h1><p>Her kan du chatte med Nav.</p></main>
<script src="{hub}/widget.js" defer></script></body>
</html>
"""


@contextmanager
def page_server(origin: str, hub: str) -> Iterator[str]:
    """Serve one HTML page (at /) on ``origin``'s port: another origin than the hub."""
    body = PAGE.format(hub=hub).encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if urlsplit(self.path).path != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    parts = urlsplit(origin)
    server = ThreadingHTTPServer((parts.hostname or "127.0.0.1", parts.port or 80), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def elsewhere(browser: Browser, site: Site) -> Iterator[Page]:
    """A visitor on the other site's page."""
    if not site.embed_origin:
        pytest.skip("no second origin allowed by this hub (E2E_BASE_URL)")
    with page_server(site.embed_origin, site.base_url) as origin:
        ctx = browser.new_context(base_url=origin, locale="nb-NO", timezone_id="Europe/Oslo")
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page
        ctx.close()
        assert not errors, f"JavaScript errors on the other site's page: {errors}"


def test_widget_on_another_site_chats_through_the_hub(elsewhere: Page, site: Site) -> None:
    sockets: list[WebSocket] = []
    elsewhere.on("websocket", lambda ws: sockets.append(ws))
    elsewhere.goto("/")
    assert urlsplit(elsewhere.url).netloc != urlsplit(site.base_url).netloc
    launcher(elsewhere).click()
    elsewhere.get_by_role("button", name="Start chatten").click()
    expect(messages(elsewhere, "bot").first).to_be_visible()  # POST /api/conversations, cross-origin
    send(elsewhere, "Hvordan søker jeg dagpenger?")
    expect_bot_says(elsewhere, "arbeidssøker")

    # The live connection is the hub's WebSocket (its Origin check lets this site in), not polling.
    live = [ws for ws in sockets if ws.url.startswith(site.base_url.replace("http", "ws", 1))]
    assert live and not live[-1].is_closed()
    # The font comes from the hub too (fonts are fetched with CORS).
    font_loaded = elsewhere.evaluate(
        """() => document.fonts.ready.then(() =>
               [...document.fonts].some(f => f.family.includes("Source Sans 3") && f.status === "loaded"))"""
    )
    assert font_loaded
    expect(elsewhere.locator(f"{WIDGET} .aksel-base-alert")).to_have_count(0)
    expect(elsewhere.locator(f"{WIDGET} #navchat-error")).to_be_empty()
    expect(chat_input(elsewhere)).to_be_enabled()


def test_widget_on_a_site_the_hub_does_not_allow(browser: Browser, site: Site) -> None:
    if not site.embed_origin:
        pytest.skip("no second origin allowed by this hub (E2E_BASE_URL)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with page_server(f"http://127.0.0.1:{port}", site.base_url) as origin:
        ctx = browser.new_context(base_url=origin, locale="nb-NO", timezone_id="Europe/Oslo")
        try:
            page = ctx.new_page()
            page.goto("/")
            launcher(page).click()
            page.get_by_role("button", name="Start chatten").click()
            # The browser blocks the hub's answer (no CORS headers for this origin): the visitor
            # gets the Norwegian notice with the phone number, not the browser's English error.
            alert = page.locator(f"{WIDGET} .aksel-base-alert[role=alert]")
            expect(alert).to_contain_text("Chatten er ikke tilgjengelig akkurat nå")
            expect(alert).to_contain_text("55 55 33 33")
        finally:
            ctx.close()
