"""The bot's handoff endpoint (docs/contracts/handoff.md). Needs the shared secret."""

from __future__ import annotations

import hmac
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from hub.api import spec
from hub.api.common import bearer, hub_of
from hub.errors import InvalidRequest, NotFound
from hub.rules.inputs import parse_json
from hub.rules.queue import REASONS
from hub.rules.texts import LANGUAGES
from hub.rules.topics import TOPICS

bp = Blueprint("internal", url_prefix="/internal")


def _invalid(detail: str) -> HTTPResponse:
    return json({"error": "invalid_request", "detail": detail}, status=400)


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "body must be a JSON object"
    cid = data.get("conversation_id")
    if not isinstance(cid, str) or not cid or len(cid) > 40:
        return "conversation_id must be a string"
    if data.get("reason") not in REASONS:
        return f"reason must be one of {', '.join(REASONS)}"
    if data.get("topic") not in TOPICS:
        return f"topic must be one of {', '.join(TOPICS)}"
    faq_id = data.get("faq_id")
    if faq_id is not None and (not isinstance(faq_id, str) or len(faq_id) > 100):
        return "faq_id must be a string or null"
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        return f"language must be one of {', '.join(LANGUAGES)} or null"
    transcript = data.get("transcript", [])
    if not isinstance(transcript, list):
        return "transcript must be a list"
    return None


@bp.post("/handoff")
@openapi.summary("The bot's handoff action asks for an advisor (shared secret)")
@spec.body(spec.HANDOFF)
async def handoff(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    secret = hub.settings.bot_secret
    given = bearer(request) or ""
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return json({"error": "unauthorized"}, status=401)
    try:
        data = parse_json(request.body or b"")
    except InvalidRequest:
        return _invalid("body is not valid JSON, nests too deep or has NUL or lone surrogates")
    problem = _validate(data)
    if problem:
        return _invalid(problem)
    try:
        answer = await hub.relay.handoff(
            data["conversation_id"],
            data["reason"],
            data["topic"],
            data.get("faq_id"),
            language=data.get("language"),
        )
    except NotFound:
        return json({"error": "unknown_conversation"}, status=404)
    return json(answer)
