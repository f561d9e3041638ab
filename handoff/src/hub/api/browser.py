"""Applies hub/browser.py's rules to every request and response.

- Refuses (403, before any handler) a request that changes something, carries the
  advisors' cookie or logs in, and comes from another site's page; and an advisor
  WebSocket opened from another site. The visitor API is left to api/cors.py: it is
  cross-origin by design and authenticated by the conversation's secret in a header,
  never by a cookie.
- Adds the protective headers to every response (pages, API, assets, errors).
"""

from __future__ import annotations

from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from hub.api.common import ADVISOR_COOKIE
from hub.api.cors import is_visitor_api
from hub.rules import browser, texts
from hub.settings import Settings


def secure_cookies(request: Request, settings: Settings) -> bool:
    return browser.secure_cookies(settings.cookie_secure, request.scheme)


def _is_websocket(request: Request) -> bool:
    return request.headers.get("upgrade", "").lower() == "websocket"


def _foreign(request: Request) -> bool:
    if is_visitor_api(request.path):
        return False
    origin = request.headers.get("origin")
    if _is_websocket(request):
        return browser.foreign_websocket(origin, request.host)
    return browser.foreign_request(
        request.method,
        origin,
        request.headers.get("referer"),
        request.host,
        ADVISOR_COOKIE in request.cookies,
    )


def setup_browser(app: Sanic[Any, Any]) -> None:
    # Request middleware runs in the order registered: server.py sets this up before
    # the CORS middleware, so a foreign request is refused first.
    @app.on_request
    async def refuse_foreign(request: Request) -> HTTPResponse | None:
        if _foreign(request):
            return json({"error": "forbidden", "message": texts.FOREIGN_ORIGIN}, status=403)
        return None

    @app.on_response
    async def protective_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in browser.SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.scheme in {"https", "wss"}:
            response.headers.setdefault(*browser.HSTS)
