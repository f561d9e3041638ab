"""``POST /api/chat/v2``: boost.ai's chat API v2 over the hub's own use cases, so Nav's
widget (``@navikt/nav-chatbot``) runs unchanged against the hub (docs/contracts/boost-v2.md).

The protocol's shapes and checks are in hub/rules/boost.py; this module only dispatches
the commands to the :class:`~hub.core.Hub` and keeps the advisor's typing, which the hub
sends only as a live event, for the widget's polls.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, text
from sanic_ext import openapi

from hub.adapters.broker import Broker
from hub.api import spec, views
from hub.api.common import body, client_address, hub_of
from hub.core import ConversationView, Hub, Message
from hub.errors import ConversationClosed, HubError, InvalidRequest, NotFound, Unauthorized
from hub.rules import boost
from hub.rules.boost import BoostError, Command, Key

bp = Blueprint("boost", url_prefix="/chat/v2")

# How long an advisor's "typing" holds without a newer event, and how long this process
# keeps listening for a conversation nobody polls any more.
TYPING_HOLDS_SECONDS = 8.0
WATCH_IDLE_SECONDS = 60.0


class AdvisorTyping:
    """The advisor's typing per conversation, for the widget's ``human_is_typing``. The
    hub never stores typing (an event on ``conv:<id>`` only); this listens, in this
    process, to the conversations in an advisor chat that were polled lately."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._until: dict[str, float] = {}
        self._polled: dict[str, float] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def typing(self, conversation_id: str) -> bool:
        until = self._until.get(conversation_id)
        return until is not None and until > time.monotonic()

    def clear(self, conversation_id: str) -> None:
        """The advisor's message arrived: they stopped typing (its event may still be on
        its way to the listener)."""
        self._until.pop(conversation_id, None)

    def watch(self, conversation_id: str) -> None:
        self._polled[conversation_id] = time.monotonic()
        if conversation_id not in self._tasks:
            task = asyncio.create_task(self._listen(conversation_id), name="boost-typing")
            self._tasks[conversation_id] = task
            task.add_done_callback(lambda _: self._forget(conversation_id))

    def _forget(self, conversation_id: str) -> None:
        self._tasks.pop(conversation_id, None)
        self._polled.pop(conversation_id, None)
        self._until.pop(conversation_id, None)

    async def _listen(self, conversation_id: str) -> None:
        with self.broker.subscribe(f"conv:{conversation_id}", maxsize=50) as sub:
            while time.monotonic() - self._polled.get(conversation_id, 0) < WATCH_IDLE_SECONDS:
                ev = await sub.get(5.0)
                if ev is None:
                    continue
                data = ev.get("data", {})
                if ev["type"] == "typing" and data.get("sender") == "advisor":
                    if data.get("typing") is True:
                        self._until[conversation_id] = time.monotonic() + TYPING_HOLDS_SECONDS
                    else:
                        self._until.pop(conversation_id, None)
                elif ev["type"] == "message":
                    self._until.pop(conversation_id, None)

    def stop(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()


def _typing_of(request: Request) -> AdvisorTyping:
    found: AdvisorTyping | None = getattr(request.app.ctx, "boost_typing", None)
    if found is None:
        found = AdvisorTyping(hub_of(request).broker)
        request.app.ctx.boost_typing = found
    return found


@bp.before_server_stop
async def stop_listening(app: Any) -> None:
    found: AdvisorTyping | None = getattr(app.ctx, "boost_typing", None)
    if found is not None:
        found.stop()


@bp.on_response
async def not_kept(request: Request, response: HTTPResponse) -> None:
    response.headers["Cache-Control"] = "no-store"


class Adapter:
    """One request's commands, against the hub."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.hub: Hub = hub_of(request)
        self.typing = _typing_of(request)

    def conversation(self, key: Key, owner: str) -> dict[str, Any]:
        typing = False
        if owner == "advisor":
            self.typing.watch(key.conversation_id)
            typing = self.typing.typing(key.conversation_id)
        return boost.conversation_json(
            key,
            owner,
            human_is_typing=typing,
            max_input_chars=self.hub.settings.max_message_chars,
        )

    async def view(self, key: Key, after: int) -> ConversationView:
        """The visitor's poll of the hub (authenticates; marks the visitor present)."""
        return await self.hub.visitors.view(key.conversation_id, key.secret, after)

    async def state(self, key: Key) -> dict[str, Any]:
        view = await self.view(key, boost.MAX_ID)
        return self.conversation(key, view.conversation.owner.value)

    async def start(self) -> HTTPResponse:
        conv, secret, messages = await self.hub.visitors.open(None, client_address(self.request))
        key = Key(conv.id, secret)
        return json(
            {
                "conversation": self.conversation(key, conv.owner.value),
                "response": boost.combined_response(list(messages)),
            }
        )

    async def resume(self, key: Key) -> HTTPResponse:
        view = await self.view(key, 0)
        if view.conversation.owner.value == "closed":
            raise boost.session_ended(404)
        voted = await self.hub.visitors.answer_votes(key.conversation_id)
        return json(
            {
                "conversation": self.conversation(key, view.conversation.owner.value),
                "responses": [boost.response_json(m, vote=voted.get(m.id)) for m in view.messages],
            }
        )

    async def poll(self, key: Key, after: int) -> HTTPResponse:
        view = await self.view(key, after)
        if any(m.sender.value == "advisor" for m in view.messages):
            self.typing.clear(key.conversation_id)
        return json(
            {
                "conversation": self.conversation(key, view.conversation.owner.value),
                "responses": [boost.response_json(m) for m in view.messages],
            }
        )

    async def owner_after(self, key: Key, msg: Message) -> str:
        """Who has the conversation once the visitor's message is stored: a message that
        went to the bot says so itself (no read); otherwise the hub is asked."""
        if msg.awaiting_bot:
            return "bot"
        view = await self.hub.visitors.stream_view(key.conversation_id, msg.id)
        return view.conversation.owner.value

    async def post_text(self, key: Key, value: str) -> HTTPResponse:
        try:
            msg = await self.hub.visitors.message(key.conversation_id, key.secret, value, None)
        except ConversationClosed:
            return await self.restart_with(value)
        # The answer comes by POLL (the widget polls 100 ms later); its pending bubble
        # goes when that poll brings the same text back as a "client" response.
        return json(
            {
                "posted_id": msg.id,
                "conversation": self.conversation(key, await self.owner_after(key, msg)),
            }
        )

    async def restart_with(self, value: str) -> HTTPResponse:
        """The visitor writes after the conversation ended (an advisor closed it): a new
        conversation with that message, under a new id the widget adopts."""
        conv, secret, messages = await self.hub.visitors.open(None, client_address(self.request))
        key = Key(conv.id, secret)
        msg = await self.hub.visitors.message(conv.id, secret, value, None)
        return json(
            {
                "posted_id": msg.id,
                "conversation": self.conversation(key, await self.owner_after(key, msg)),
                "response": boost.combined_response(list(messages)),
            }
        )

    async def post_link(self, key: Key, command: Command) -> HTTPResponse:
        assert command.link is not None
        message_id = command.link[0]
        view = await self.view(key, message_id - 1)
        owner = view.conversation.owner.value
        if command.type == "external_link":
            # A link only opens a page: nothing to store. The widget wants a response
            # back; the message holding the link, unchanged, changes nothing on screen.
            found = [m for m in view.messages if m.id == message_id]
            if not found:
                raise BoostError(404, "unknown link")
            return json(
                {
                    "conversation": self.conversation(key, owner),
                    "response": boost.response_json(found[0]),
                }
            )
        button = boost.button_of(list(view.messages), command.link)
        try:
            msg = await self.hub.visitors.message(
                key.conversation_id, key.secret, button["title"], button["payload"]
            )
        except ConversationClosed:
            raise boost.session_ended(409) from None
        # The click as the visitor's own bubble; the answer comes by POLL.
        return json(
            {
                "conversation": self.conversation(key, await self.owner_after(key, msg)),
                "response": boost.response_json(msg),
            }
        )

    async def thumbs(self, key: Key, command: Command) -> HTTPResponse:
        assert command.thumbs is not None and command.response_id is not None
        vote = boost.thumbs_vote(command.thumbs)
        if vote is not None:
            try:
                await self.hub.visitors.answer_feedback(
                    key.conversation_id, key.secret, command.response_id, vote
                )
            except NotFound:
                raise BoostError(404, "unknown response") from None
            except InvalidRequest:
                raise BoostError(400, "no feedback on this response") from None
        return json({"conversation": await self.state(key)})

    async def typing_cmd(self, key: Key) -> HTTPResponse:
        state = await self.state(key)  # authenticates before the hint is passed on
        await self.hub.visitors.typing(key.conversation_id, key.secret, True)
        return json({"conversation": state})

    async def feedback(self, key: Key, rating: int) -> HTTPResponse:
        await self.hub.visitors.rate(key.conversation_id, key.secret, boost.rating_value(rating))
        return json({"conversation": await self.state(key)})

    async def download(self, key: Key) -> HTTPResponse:
        conv, messages = await self.hub.visitors.transcript(key.conversation_id, key.secret)
        return text(
            views.transcript_text(conv, messages, self.hub.tz),
            content_type="text/plain; charset=utf-8",
        )

    async def stop(self, key: Key) -> HTTPResponse:
        await self.hub.visitors.end(key.conversation_id, key.secret)
        return json({"conversation": self.conversation(key, "closed")})

    async def run(self, command: Command) -> HTTPResponse:
        if command.name == "START":
            return await self.start()
        key = command.key
        assert key is not None
        if command.name == "RESUME":
            return await self.resume(key)
        if command.name == "POLL":
            return await self.poll(key, command.after)
        if command.name == "TYPING":
            return await self.typing_cmd(key)
        if command.name == "FEEDBACK":
            assert command.rating is not None
            return await self.feedback(key, command.rating)
        if command.name == "DOWNLOAD":
            return await self.download(key)
        if command.name == "STOP":
            return await self.stop(key)
        if command.type == "text":
            assert command.text is not None
            return await self.post_text(key, command.text)
        if command.type == "feedback":
            return await self.thumbs(key, command)
        return await self.post_link(key, command)


@bp.post("")
@openapi.summary("boost.ai chat API v2 (Nav's widget): one endpoint, the body's «command» decides")
@spec.body(spec.BOOST_COMMAND)
async def chat_v2(request: Request) -> HTTPResponse:
    try:
        data = body(request)
    except HubError as exc:  # not a JSON object (the hub's checks), too large
        raise BoostError(exc.status, exc.message) from None
    command = boost.parse_command(data)
    try:
        return await Adapter(request).run(command)
    except BoostError:
        raise
    except Unauthorized:
        raise boost.session_ended(401) from None
    except NotFound:
        raise boost.session_ended(404) from None
    except ConversationClosed:
        raise boost.session_ended(409) from None
    except HubError as exc:
        # Too long, too many, already rated…: the hub's status, in boost's shape.
        error = BoostError(exc.status, exc.message)
        raise error from None
