"""The advisor console's HTTP API. Every route but login needs a valid login."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json, text
from sanic_ext import openapi

from hub import texts
from hub.api import spec
from hub.api.browser import secure_cookies
from hub.api.common import ADVISOR_COOKIE, bearer, body, client_address, current_advisor, hub_of
from hub.db.base import Owner, Role
from hub.db.models import Advisor
from hub.errors import FaqUnavailable, Forbidden, InvalidRequest
from hub.faq import search, words
from hub.feedback import votes_csv, votes_json
from hub.inputs import int_arg
from hub.services import advisors as advisor_svc
from hub.services import conversations as conv_svc
from hub.services import feedback as feedback_svc
from hub.services import queue as queue_svc
from hub.services import unanswered as unanswered_svc
from hub.unanswered import group, to_csv

bp = Blueprint("advisor", url_prefix="/advisor")

Handler = Callable[..., Awaitable[HTTPResponse]]


def any_login(handler: Handler) -> Handler:
    """Any console login: advisors and editors."""

    @wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        request.ctx.advisor = await current_advisor(request)
        return await handler(request, *args, **kwargs)

    return wrapper


def login_required(handler: Handler) -> Handler:
    """An advisor's login: the queues and chats are not for editors."""

    @wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        advisor = await current_advisor(request)
        if advisor.role != Role.advisor:
            raise Forbidden(texts.EDITOR_ONLY)
        request.ctx.advisor = advisor
        return await handler(request, *args, **kwargs)

    return wrapper


def _advisor(request: Request) -> Advisor:
    advisor: Advisor = request.ctx.advisor
    return advisor


@bp.post("/login")
@openapi.summary("Log in; answers with a token (also set as an HttpOnly cookie)")
@spec.body(spec.LOGIN)
async def login(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    data = body(request)
    token, advisor = await hub.login(
        data.get("username"), data.get("password"), client_address(request)
    )
    resp = json({"token": token, "advisor": advisor_svc.advisor_json(advisor)})
    # The browser's only copy of the login: HttpOnly (no script reads it), Strict, and a
    # session cookie (gone when the browser closes, on a shared computer too); the
    # server ends the login after advisor_token_hours either way.
    resp.add_cookie(
        ADVISOR_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=secure_cookies(request, hub.settings),
        path="/",
    )
    return resp


@bp.post("/logout")
@openapi.summary("Log out")
@any_login
async def logout(request: Request) -> HTTPResponse:
    token = bearer(request) or request.cookies.get(ADVISOR_COOKIE) or ""
    await hub_of(request).advisor_logout(_advisor(request), token)
    resp = empty()
    # With the same Secure flag as it was set: a browser on plain http ignores a Secure one.
    secure = secure_cookies(request, hub_of(request).settings)
    resp.cookies.delete_cookie(ADVISOR_COOKIE, path="/", secure=secure)
    return resp


@bp.get("/me")
@openapi.summary("The logged-in advisor")
@any_login
async def me(request: Request) -> HTTPResponse:
    return json(advisor_svc.advisor_json(_advisor(request)))


@bp.put("/status")
@openapi.summary("Set status: available or away")
@spec.body(spec.STATUS)
@login_required
async def status(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    data = body(request)
    async with hub.unit() as u:
        advisor = await u.session.get_one(Advisor, _advisor(request).id)
        await advisor_svc.set_status(u, advisor, data.get("status"))
        u.outbox.add("queues", {"type": "queues", "data": {}})
    return json(advisor_svc.advisor_json(advisor))


@bp.get("/queues")
@openapi.summary("Every topic queue with who is waiting, how long and why")
@login_required
async def queues(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    async with hub.unit() as u:
        return json(await queue_svc.overview(u, hub.clock.now()))


async def _conversation_json(request: Request, conversation_id: str) -> dict[str, Any]:
    hub = hub_of(request)
    advisor = _advisor(request)
    async with hub.unit() as u:
        conv = await conv_svc.get(u, conversation_id)
        entry = await queue_svc.open_entry(u, conversation_id)
        mine = entry is not None and entry.advisor_id == advisor.id
        if entry is None or (entry.advisor_id is not None and not mine):
            raise Forbidden("Du har ikke tilgang til denne samtalen.")
        messages = await conv_svc.messages_after(u, conversation_id, 0, limit=100_000)
    return {
        "id": conv.id,
        "owner": conv.owner.value,
        "topic": entry.topic,
        "reason": entry.reason,
        "urgent": entry.urgent,
        "faq_id": entry.faq_id,
        "messages": [conv_svc.message_json(m) for m in messages],
    }


@bp.post("/conversations/<conversation_id:str>/claim")
@openapi.summary("Take a waiting conversation (409 already_claimed or too_many_chats)")
@login_required
async def claim(request: Request, conversation_id: str) -> HTTPResponse:
    await hub_of(request).claim(_advisor(request), conversation_id)
    return json(await _conversation_json(request, conversation_id))


@bp.get("/conversations")
@openapi.summary("The advisor's open chats")
@login_required
async def my_conversations(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    async with hub.unit() as u:
        entries = await queue_svc.advisor_chats(u, _advisor(request))
    return json(
        [
            {
                "id": e.conversation_id,
                "owner": Owner.advisor.value,
                "topic": e.topic,
                "reason": e.reason,
                "urgent": e.urgent,
                "assigned_at": conv_svc.iso(e.assigned_at) if e.assigned_at else None,
            }
            for e in entries
        ]
    )


@bp.get("/conversations/<conversation_id:str>")
@openapi.summary("A waiting conversation or one of the advisor's own, with the whole transcript")
@login_required
async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
    return json(await _conversation_json(request, conversation_id))


@bp.post("/conversations/<conversation_id:str>/messages")
@openapi.summary("Write to the visitor")
@spec.body(spec.ADVISOR_MESSAGE)
@login_required
async def message(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    msg = await hub_of(request).advisor_message(
        _advisor(request), conversation_id, data.get("text")
    )
    return json({"message": conv_svc.message_json(msg)}, status=201)


@bp.post("/conversations/<conversation_id:str>/typing")
@openapi.summary("The advisor is typing (shown to the visitor)")
@spec.body(spec.TYPING)
@login_required
async def typing(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    await hub_of(request).advisor_typing(_advisor(request), conversation_id, data.get("typing"))
    return empty()


@bp.post("/conversations/<conversation_id:str>/transfer")
@openapi.summary("Send the conversation to another topic's queue (keeps its waiting time)")
@spec.body(spec.TRANSFER)
@login_required
async def transfer(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    info = await hub_of(request).transfer(_advisor(request), conversation_id, data.get("topic"))
    return json({"owner": "queue", "queue": info.json()})


@bp.post("/conversations/<conversation_id:str>/end")
@openapi.summary("End the chat with an outcome: besvart, henvist or ikke_besvart")
@spec.body(spec.END_CHAT)
@login_required
async def end(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    await hub_of(request).end_chat(_advisor(request), conversation_id, data.get("outcome"))
    return json({"owner": "closed"})


@bp.post("/conversations/<conversation_id:str>/handback")
@openapi.summary("Give the conversation back to the bot, which greets the visitor")
@login_required
async def handback(request: Request, conversation_id: str) -> HTTPResponse:
    await hub_of(request).handback(_advisor(request), conversation_id)
    return json({"owner": "bot"})


@bp.get("/faq")
@openapi.summary("Search the bot's FAQ answers, read from Rasa (best first)")
@openapi.parameter(parameter=spec.FAQ_QUERY)
@login_required
async def faq(request: Request) -> HTTPResponse:
    q = request.args.get("q", "")
    if len(q) > 200:
        raise InvalidRequest("Søket kan ha høyst 200 tegn.")
    if not words(q):
        return json([])
    entries = await request.app.ctx.faq.entries()
    return json([e.json() for e in search(entries, q)])


@bp.get("/unanswered")
@openapi.summary(
    "What the bot could not answer, as questions with counts, and the visitors' "
    "«Var svaret nyttig?» per answer (format=json or csv; list=questions or answers for csv)"
)
@openapi.parameter(parameter=spec.DAYS)
@openapi.parameter(parameter=spec.FORMAT)
@any_login
async def unanswered(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    days = int_arg(request.args.get("days"), 30, 1, 365, "Velg et antall dager fra 1 til 365.")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise InvalidRequest("Formatet må være json eller csv.")
    which = request.args.get("list", "questions")
    if which not in ("questions", "answers"):
        raise InvalidRequest("Lista må være questions eller answers.")
    since = hub.clock.now() - timedelta(days=days)
    async with hub.unit(read_only=True) as u:
        questions = group(await unanswered_svc.cases_since(u, since))
        votes = await feedback_svc.counts_since(u, since)
    try:
        titles = {e.id: e.question for e in await request.app.ctx.faq.entries()}
    except FaqUnavailable:
        titles = {}  # The list is still useful with FAQ ids instead of titles.
    if fmt == "csv":
        answers = which == "answers"
        name = "nyttige-svar.csv" if answers else "ubesvarte-sporsmal.csv"
        return text(
            # BOM: Excel then reads UTF-8 (æøå)
            "\ufeff" + (votes_csv(votes, titles) if answers else to_csv(questions, titles)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return json(
        {
            "days": days,
            "since": conv_svc.iso(since),
            # Older conversations are deleted (`hub purge`): the list cannot go further back.
            "retention_days": hub.settings.retention_days,
            "questions": [q.as_json(titles) for q in questions],
            "answers": votes_json(votes, titles),
        }
    )
