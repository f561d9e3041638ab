"""Cross-origin rules, for the widget embedded on other sites (handoff/web/SERVING.md).

- The visitor API (``/api/conversations`` and below, ``/api/settings``, which the
  widget reads first, and ``/api/chat/v2``, boost.ai's API for Nav's widget) answers
  preflights and sends CORS headers only to origins in ``HUB_ALLOWED_ORIGINS``; no credentials mode
  (the widget sends its secret in ``Authorization``, never a cookie).
- The visitor WebSocket refuses (HTTP 403, before the upgrade) a browser whose
  ``Origin`` is neither the hub itself nor in the list, when the list is set.
- Public assets (``/static/*``, ``/widget.js``, ``/widget.css``) are readable from
  anywhere (``Access-Control-Allow-Origin: *``): browsers load fonts with CORS.
- Everything else, the advisor API included, is same-origin: no CORS headers.
"""

from __future__ import annotations

from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, empty, json

from hub.rules import browser
from hub.settings import Settings

VISITOR_API = "/api/conversations"
PUBLIC_SETTINGS = "/api/settings"
# boost.ai's chat API v2 (Nav's widget, api/boost.py): a visitor API too.
BOOST_API = "/api/chat/v2"
PUBLIC_ASSETS = ("/widget.js", "/widget.css")
ALLOW_HEADERS = "Authorization, Content-Type"
ALLOW_METHODS = "GET, POST, DELETE, OPTIONS"
EXPOSE_HEADERS = "Content-Disposition"
PREFLIGHT_MAX_AGE = "600"


def is_visitor_api(path: str) -> bool:
    return path in (VISITOR_API, PUBLIC_SETTINGS, BOOST_API) or path.startswith(VISITOR_API + "/")


def is_public_asset(path: str) -> bool:
    return path in PUBLIC_ASSETS or path.startswith("/static/")


def same_origin(request: Request, origin: str) -> bool:
    """The browser's page is the hub itself (``Origin`` names the host it asked)."""
    return browser.same_origin(origin, request.host)


class OriginPolicy:
    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = frozenset(allowed)

    def cross_origin_allowed(self, origin: str) -> bool:
        return origin.lower() in self.allowed

    def websocket_allowed(self, request: Request) -> bool:
        """No list: anyone (as before). A list: no ``Origin`` (not a browser), the
        hub's own origin, or one in the list."""
        origin = request.headers.get("origin")
        if not self.allowed or origin is None:
            return True
        return same_origin(request, origin) or self.cross_origin_allowed(origin)


def _is_websocket(request: Request) -> bool:
    return request.headers.get("upgrade", "").lower() == "websocket"


def setup_cors(app: Sanic[Any, Any], settings: Settings) -> None:
    policy = OriginPolicy(settings.allowed_origins)

    @app.on_request
    async def preflight_and_websocket(request: Request) -> HTTPResponse | None:
        if not is_visitor_api(request.path):
            return None
        origin = request.headers.get("origin")
        if _is_websocket(request):
            if policy.websocket_allowed(request):
                return None
            return json(
                {"error": "forbidden", "message": "Denne nettsiden har ikke tilgang til chatten."},
                status=403,
            )
        if request.method == "OPTIONS" and request.headers.get("access-control-request-method"):
            # A preflight: allowed origins get the headers, others a plain 204 that the
            # browser treats as a refusal.
            response = empty()
            if origin and policy.cross_origin_allowed(origin):
                response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
                response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            return response
        return None

    @app.on_response
    async def cors_headers(request: Request, response: HTTPResponse) -> None:
        path = request.path
        if is_visitor_api(path):
            origin = request.headers.get("origin")
            if policy.allowed:
                response.headers["Vary"] = "Origin"
            if origin and policy.cross_origin_allowed(origin):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        elif is_public_asset(path):
            response.headers["Access-Control-Allow-Origin"] = "*"
