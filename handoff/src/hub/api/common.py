"""Shared request helpers and the one mapping from errors to HTTP answers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from sanic import Request, Sanic
from sanic.exceptions import (
    BadRequest,
    MethodNotAllowed,
    PayloadTooLarge,
    SanicException,
)
from sanic.exceptions import NotFound as RouteNotFound
from sanic.response import HTTPResponse, json

from hub.core import Hub
from hub.db.base import Role
from hub.db.models import Advisor
from hub.errors import BodyTooLarge, HubError, InternalError, InvalidRequest
from hub.inputs import parse_json_object

log = logging.getLogger("hub")

ADVISOR_COOKIE = "hub_advisor"


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.ctx.hub
    return hub


def body(request: Request, limit: int | None = None) -> dict[str, Any]:
    """The JSON object body, within the size limit (an empty body counts as ``{}``)."""
    limit = limit or hub_of(request).settings.max_body_bytes
    raw = request.body or b""
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    if not raw.strip():
        return {}
    return parse_json_object(raw)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def client_address(request: Request) -> str:
    """The caller's address, for the limits. Behind a reverse proxy, set
    ``HUB_TRUSTED_PROXIES`` (server.py hands it to Sanic), or every visitor is the proxy."""
    return request.client_ip or "unknown"


def login_token(request: Request) -> str | None:
    """The console login: a script's bearer token, or the browser's HttpOnly cookie."""
    return bearer(request) or request.cookies.get(ADVISOR_COOKIE)


Handler = Callable[..., Awaitable[HTTPResponse]]


def require(role: Role | None) -> Callable[[Handler], Handler]:
    """Every protected handler: a live console login whose role may do this (``None``:
    any login, advisors and editors). The account is ``account(request)``."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            request.ctx.account = await hub_of(request).advisor_for(login_token(request), role)
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorate


def account(request: Request) -> Advisor:
    """The login ``require`` checked."""
    found: Advisor = request.ctx.account
    return found


def error_response(exc: HubError) -> HTTPResponse:
    retry_after = exc.extra.get("retry_after")
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return json(exc.body(), status=exc.status, headers=headers)


def setup_errors(app: Sanic[Any, Any]) -> None:
    @app.exception(HubError)
    async def hub_error(request: Request, exc: HubError) -> HTTPResponse:
        return error_response(exc)

    @app.exception(PayloadTooLarge)
    async def too_large(request: Request, exc: Exception) -> HTTPResponse:
        limit = int(request.app.config.REQUEST_MAX_SIZE)
        if not request.path.startswith("/internal/"):
            limit = min(limit, hub_of(request).settings.max_body_bytes)
        return error_response(BodyTooLarge(limit))

    @app.exception(RouteNotFound)
    async def not_found(request: Request, exc: Exception) -> HTTPResponse:
        return json({"error": "not_found", "message": "Fant ikke siden."}, status=404)

    @app.exception(MethodNotAllowed)
    async def not_allowed(request: Request, exc: Exception) -> HTTPResponse:
        return json(
            {"error": "invalid_request", "message": "Metoden er ikke tillatt her."}, status=405
        )

    @app.exception(BadRequest)
    async def bad_request(request: Request, exc: Exception) -> HTTPResponse:
        return error_response(InvalidRequest())

    @app.exception(SanicException)
    async def sanic_error(request: Request, exc: SanicException) -> HTTPResponse:
        status = exc.status_code or 500
        code = "invalid_request" if status < 500 else "internal_error"
        return json({"error": code, "message": "Noe gikk galt."}, status=status)

    @app.exception(UnicodeError, RecursionError)
    async def undecodable(request: Request, exc: Exception) -> HTTPResponse:
        # The one place for input that could not be decoded or nested too deep and
        # slipped past the checks at the edge (hub.inputs): still the caller's fault.
        log.warning("undecodable input", extra={"path": request.path, "error": type(exc).__name__})
        return error_response(InvalidRequest())

    @app.exception(Exception)
    async def unexpected(request: Request, exc: Exception) -> HTTPResponse:
        log.exception("unhandled error", extra={"path": request.path})
        return error_response(InternalError())
