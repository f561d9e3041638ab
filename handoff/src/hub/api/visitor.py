"""The visitor's HTTP API (see docs/contracts/hub-api.md)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json, text
from sanic_ext import openapi

from hub.api import spec, views
from hub.api.common import bearer, body, client_address, hub_of
from hub.errors import InvalidRequest
from hub.inputs import MAX_ID, int_arg

bp = Blueprint("visitor", url_prefix="/conversations")


@bp.on_response
async def not_kept(request: Request, response: HTTPResponse) -> None:
    """A shared computer: the browser's cache must not keep a conversation either."""
    response.headers["Cache-Control"] = "no-store"


def _after(request: Request) -> int:
    return int_arg(
        request.args.get("after"),
        0,
        0,
        MAX_ID,
        "«after» må være et heltall (id-en til siste melding du har sett).",
    )


@bp.post("")
@openapi.summary("Open a conversation; the answer has its id and secret and the bot's welcome")
@spec.body(spec.OPEN_CONVERSATION)
async def open_conversation(request: Request) -> HTTPResponse:
    data = body(request)
    page = data.get("page")
    if page is not None and (not isinstance(page, str) or len(page) > 300):
        raise InvalidRequest("«page» må være tekst på høyst 300 tegn.")
    conv, secret, messages = await hub_of(request).open_conversation(page, client_address(request))
    return json(views.opened_json(conv, secret, messages), status=201)


@bp.get("/<conversation_id:str>")
@openapi.summary("The conversation's state and its messages after a given id (polling)")
@openapi.parameter(parameter=spec.AFTER)
async def get_conversation(request: Request, conversation_id: str) -> HTTPResponse:
    view = await hub_of(request).conversation_view(
        conversation_id, bearer(request), _after(request)
    )
    return json(views.conversation_json(view))


@bp.post("/<conversation_id:str>/messages")
@openapi.summary("Send a message; it is stored before the answer, replies come as events")
@spec.body(spec.VISITOR_MESSAGE)
async def post_message(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    msg = await hub_of(request).visitor_message(
        conversation_id, bearer(request), data.get("text"), data.get("payload")
    )
    return json({"message": views.message_json(msg)}, status=201)


@bp.post("/<conversation_id:str>/typing")
@openapi.summary("The visitor is typing (shown to the advisor)")
@spec.body(spec.TYPING)
async def typing(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    await hub_of(request).visitor_typing(conversation_id, bearer(request), data.get("typing"))
    return empty()


@bp.post("/<conversation_id:str>/queue")
@openapi.summary("Ask for an advisor (e.g. while the bot is down)")
@spec.body(spec.JOIN_QUEUE)
async def join_queue(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    info = await hub_of(request).request_queue(conversation_id, bearer(request), data.get("topic"))
    return json({"queue": views.queue_json(info)})


@bp.delete("/<conversation_id:str>/queue")
@openapi.summary("Leave the queue; the bot takes over again")
async def leave_queue(request: Request, conversation_id: str) -> HTTPResponse:
    await hub_of(request).leave_queue(conversation_id, bearer(request))
    return json({"owner": "bot"})


@bp.post("/<conversation_id:str>/end")
@openapi.summary("End the conversation")
async def end(request: Request, conversation_id: str) -> HTTPResponse:
    await hub_of(request).visitor_end(conversation_id, bearer(request))
    return json({"owner": "closed"})


@bp.post("/<conversation_id:str>/messages/<message_id:str>/feedback")
@openapi.summary("Answer «Var svaret nyttig?» (ja or nei) for one of the bot's FAQ answers, once")
async def answer_feedback(request: Request, conversation_id: str, message_id: str) -> HTTPResponse:
    data = body(request)
    value = await hub_of(request).answer_feedback(
        conversation_id, bearer(request), message_id, data.get("value")
    )
    return json({"feedback": value.value}, status=201)


@bp.delete("/<conversation_id:str>")
@openapi.summary("Delete the conversation (ended and kept instead if an advisor took part)")
async def delete_conversation(request: Request, conversation_id: str) -> HTTPResponse:
    hub = hub_of(request)
    deleted = await hub.visitor_delete(conversation_id, bearer(request))
    return json(
        {"deleted": deleted, "owner": "closed", "retention_days": hub.settings.retention_days}
    )


@bp.post("/<conversation_id:str>/rating")
@openapi.summary("Answer «Fikk du svar på det du lurte på?» (ja, nei or delvis), once")
@spec.body(spec.RATING)
async def rate(request: Request, conversation_id: str) -> HTTPResponse:
    data = body(request)
    rating = await hub_of(request).rate(conversation_id, bearer(request), data.get("value"))
    return json({"rating": rating})


@bp.get("/<conversation_id:str>/transcript")
@openapi.summary("Download the conversation as plain text")
async def transcript(request: Request, conversation_id: str) -> HTTPResponse:
    hub = hub_of(request)
    conv, messages = await hub.transcript(conversation_id, bearer(request))
    return text(
        views.transcript_text(conv, messages, hub.tz),
        headers={"Content-Disposition": f'attachment; filename="{views.transcript_name(conv)}"'},
    )
