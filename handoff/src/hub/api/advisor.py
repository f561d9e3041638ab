"""The advisor console's HTTP API. Every route but login needs a valid login."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json, text
from sanic_ext import openapi

from hub.api import spec, views
from hub.api.browser import secure_cookies
from hub.api.common import (
    ADVISOR_COOKIE,
    account,
    body,
    client_address,
    hub_of,
    login_token,
    require,
)
from hub.errors import InvalidRequest
from hub.rules.inputs import int_arg
from hub.rules.kinds import Role

bp = Blueprint("advisor", url_prefix="/advisor")


@bp.post("/login")
@openapi.summary("Log in; answers with a token (also set as an HttpOnly cookie)")
@spec.body(spec.LOGIN)
async def login(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    data = body(request)
    token, advisor = await hub.accounts.login(
        data.get("username"), data.get("password"), client_address(request)
    )
    resp = json({"token": token, "advisor": views.advisor_json(advisor)})
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
@require(None)
async def logout(request: Request) -> HTTPResponse:
    await hub_of(request).accounts.logout(account(request), login_token(request) or "")
    resp = empty()
    # With the same Secure flag as it was set: a browser on plain http ignores a Secure one.
    secure = secure_cookies(request, hub_of(request).settings)
    resp.cookies.delete_cookie(ADVISOR_COOKIE, path="/", secure=secure)
    return resp


@bp.get("/me")
@openapi.summary("The logged-in advisor")
@require(None)
async def me(request: Request) -> HTTPResponse:
    return json(views.advisor_json(account(request)))


@bp.put("/status")
@openapi.summary("Set status: available or away")
@spec.body(spec.STATUS)
@require(Role.advisor)
async def status(request: Request) -> HTTPResponse:
    data = body(request)
    advisor = await hub_of(request).accounts.set_status(account(request), data.get("status"))
    return json(views.advisor_json(advisor))


@bp.get("/queues")
@openapi.summary("Every topic queue with who is waiting, how long and why")
@require(Role.advisor)
async def queues(request: Request) -> HTTPResponse:
    return json(views.queues_json(await hub_of(request).advisors.queue_overview()))


@bp.post("/conversations/<conversation_id:str>/claim")
@openapi.summary("Take a waiting conversation (409 already_claimed or too_many_chats)")
@require(Role.advisor)
async def claim(request: Request, conversation_id: str) -> HTTPResponse:
    chat = await hub_of(request).advisors.claim(account(request), conversation_id)
    return json(views.advisor_chat_json(chat))


@bp.get("/conversations")
@openapi.summary("The advisor's open chats")
@require(Role.advisor)
async def my_conversations(request: Request) -> HTTPResponse:
    entries = await hub_of(request).advisors.chats(account(request))
    return json(views.advisor_chats_json(entries))


@bp.get("/conversations/<conversation_id:str>")
@openapi.summary("A waiting conversation or one of the advisor's own, with the whole transcript")
@require(Role.advisor)
async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
    chat = await hub_of(request).advisors.open_chat(account(request), conversation_id)
    return json(views.advisor_chat_json(chat))


@bp.get("/conversations/<conversation_id:str>/suggestions")
@openapi.summary(
    "The bot's FAQ answers for the visitor's latest question in this chat, best first "
    "(503 faq_unavailable while the bot's answers cannot be read)"
)
@require(Role.advisor)
async def suggestions(request: Request, conversation_id: str) -> HTTPResponse:
    found = await hub_of(request).advisors.suggestions(account(request), conversation_id)
    return json(views.suggestions_json(found))


@bp.post("/conversations/<conversation_id:str>/messages")
@openapi.summary("Write to the visitor")
@spec.body(spec.ADVISOR_MESSAGE)
@require(Role.advisor)
async def message(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    msg = await hub_of(request).advisors.message(
        account(request), conversation_id, data.get("text")
    )
    return json({"message": views.message_json(msg)}, status=201)


@bp.post("/conversations/<conversation_id:str>/typing")
@openapi.summary("The advisor is typing (shown to the visitor)")
@spec.body(spec.TYPING)
@require(Role.advisor)
async def typing(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    await hub_of(request).advisors.typing(account(request), conversation_id, data.get("typing"))
    return empty()


@bp.post("/conversations/<conversation_id:str>/transfer")
@openapi.summary("Send the conversation to another topic's queue (keeps its waiting time)")
@spec.body(spec.TRANSFER)
@require(Role.advisor)
async def transfer(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    info = await hub_of(request).advisors.transfer(
        account(request), conversation_id, data.get("topic")
    )
    return json({"owner": "queue", "queue": views.queue_json(info)})


@bp.post("/conversations/<conversation_id:str>/end")
@openapi.summary("End the chat with an outcome: besvart, henvist or ikke_besvart")
@spec.body(spec.END_CHAT)
@require(Role.advisor)
async def end(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    await hub_of(request).advisors.end(account(request), conversation_id, data.get("outcome"))
    return json({"owner": "closed"})


@bp.post("/conversations/<conversation_id:str>/handback")
@openapi.summary("Give the conversation back to the bot, which greets the visitor")
@require(Role.advisor)
async def handback(request: Request, conversation_id: str) -> HTTPResponse:
    await hub_of(request).advisors.handback(account(request), conversation_id)
    return json({"owner": "bot"})


@bp.get("/overview")
@openapi.summary(
    "For supervisors (role leder): per topic and in all, now and since midnight: waiting, "
    "longest wait, chats in progress, handoffs by reason, answered within 3 minutes, ratings; "
    "and the advisors available, away and in a chat with a free seat"
)
@require(Role.leder)
async def overview(request: Request) -> HTTPResponse:
    return json(views.overview_json(await hub_of(request).supervision.overview()))


@bp.get("/faq")
@openapi.summary("Search the bot's FAQ answers, read from Rasa (best first)")
@openapi.parameter(parameter=spec.FAQ_QUERY)
@require(Role.advisor)
async def faq(request: Request) -> HTTPResponse:
    found = await hub_of(request).advisors.search_faq(request.args.get("q", ""))
    return json([e.json() for e in found])


@bp.get("/unanswered")
@openapi.summary(
    "What the bot could not answer, as questions with counts, and the visitors' "
    "«Var svaret nyttig?» per answer (format=json or csv; list=questions or answers for csv)"
)
@openapi.parameter(parameter=spec.DAYS)
@openapi.parameter(parameter=spec.FORMAT)
@require(None)
async def unanswered(request: Request) -> HTTPResponse:
    days = int_arg(request.args.get("days"), 30, 1, 365, "Velg et antall dager fra 1 til 365.")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise InvalidRequest("Formatet må være json eller csv.")
    which = request.args.get("list", "questions")
    if which not in ("questions", "answers"):
        raise InvalidRequest("Lista må være questions eller answers.")
    report = await hub_of(request).advisors.unanswered(days)
    if fmt == "csv":
        name, csv = views.unanswered_csv(report, which == "answers", hub_of(request).tz)
        return text(
            "\ufeff" + csv,  # BOM: Excel then reads UTF-8 (æøå)
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return json(views.unanswered_json(report))
