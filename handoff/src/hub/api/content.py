"""The editors' content API: read and change the bot's FAQ answers and examples, and publish.

Editors only (role ``editor``). The hub checks the login and passes the request to the
bot's content service (hub/content.py), which holds the rules and the files.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from hub.adapters.content import ContentAnswer, ContentClient
from hub.adapters.content import ContentUnavailable as ServiceUnavailable
from hub.api import spec
from hub.api.common import account, body, require
from hub.errors import ContentUnavailable, InvalidRequest
from hub.rules.kinds import Role

bp = Blueprint("content", url_prefix="/content")

# An FAQ with many long examples is larger than a chat message.
MAX_CONTENT_BODY_BYTES = 128 * 1024


async def _pass(
    request: Request, method: str, path: str, payload: dict[str, Any] | None = None
) -> HTTPResponse:
    client: ContentClient = request.app.ctx.content
    try:
        answer: ContentAnswer = await client.call(method, path, account(request).username, payload)
    except ServiceUnavailable:
        raise ContentUnavailable() from None
    if answer.status == 401:
        # The hub's token is wrong: a set-up fault, not the editor's.
        raise ContentUnavailable()
    return json(answer.body, status=answer.status)


@bp.get("/faqs")
@openapi.summary("The bot's FAQ answers, with the number of examples and whether each is published")
@require(Role.editor)
async def faqs(request: Request) -> HTTPResponse:
    return await _pass(request, "GET", "/faqs")


@bp.get("/faqs/<faq_id:str>")
@openapi.summary("One FAQ: answer, examples, catalogue facts and link, version")
@require(Role.editor)
async def faq(request: Request, faq_id: str) -> HTTPResponse:
    return await _pass(request, "GET", ContentClient.faq_path(faq_id))


@bp.put("/faqs/<faq_id:str>")
@openapi.summary(
    "Save an FAQ's answer, examples and English answer (version from GET; 409 if changed since)"
)
@spec.body(spec.SAVE_FAQ)
@require(Role.editor)
async def save(request: Request, faq_id: str) -> HTTPResponse:
    data = body(request, MAX_CONTENT_BODY_BYTES)
    if not {"answer", "examples", "version"} <= data.keys():
        raise InvalidRequest("Send svar, eksempler og versjon.")
    if data.get("answer_en") is not None and not isinstance(data["answer_en"], str):
        raise InvalidRequest("Det engelske svaret må være tekst.")
    payload: dict[str, Any] = {
        k: data[k] for k in ("answer", "examples", "version", "answer_en") if k in data
    }
    return await _pass(request, "PUT", ContentClient.faq_path(faq_id), payload)


@bp.get("/publish")
@openapi.summary("The latest publish job and the FAQs saved since the last publish")
@require(Role.editor)
async def publish_status(request: Request) -> HTTPResponse:
    return await _pass(request, "GET", "/publish")


@bp.post("/publish")
@openapi.summary(
    "Check, train and publish the saved content to the running bot (202, runs minutes)"
)
@require(Role.editor)
async def publish(request: Request) -> HTTPResponse:
    return await _pass(request, "POST", "/publish")


@bp.get("/publications")
@openapi.summary(
    "The publication history, newest first: who, when, what changed, the gate's scores, "
    "whether it can be put back"
)
@require(Role.editor)
async def publications(request: Request) -> HTTPResponse:
    return await _pass(request, "GET", "/publications")


@bp.post("/publications/<publication_id:int>/restore")
@openapi.summary(
    "Put an earlier publication back (its kept model and texts, no training; 202, "
    "status at GET /publish)"
)
@require(Role.editor)
async def restore(request: Request, publication_id: int) -> HTTPResponse:
    return await _pass(request, "POST", f"/publications/{publication_id}/restore")
