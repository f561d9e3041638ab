"""WebSockets for visitors and advisors.

Thin: each connection authenticates with its first frame, subscribes to the
broker, and re-reads the database when told something changed (or every
``ws_poll_seconds``). Client frames go to the same use cases as HTTP.

Visitor server frames (``{"type", "data"}``): ``message``, ``state``, ``typing``,
``error``. Advisor server frames: ``queues`` (first), ``presence`` (next: how often
to send a ``heartbeat``), ``message``, ``typing``, ``conversation``, ``chats``,
``error``; advisor client frames: ``heartbeat``, ``message``, ``typing``. A
supervisor's login (role ``leder``) on the advisors' socket gets ``overview`` frames
instead: the whole overview on connecting, after every queue or advisor change, and
every ``ws_poll_seconds`` (each frame is the full state, so a dropped event or a
reconnect only delays the next).

Some work runs on a timer of ``ws_poll_seconds`` (hub clock) whatever the traffic:
marking a connected visitor present, and telling the console each chat's newest
message id. On a busy hub events never leave a connection quiet for that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import json as jsonlib
import logging
from typing import Any

from sanic import Blueprint, Request
from sanic.exceptions import WebsocketClosed
from sanic.server.websockets.impl import WebsocketImplProtocol
from websockets.exceptions import ConnectionClosed

from hub.adapters.broker import Event, Subscription, event
from hub.api import views
from hub.api.common import ADVISOR_COOKIE, hub_of
from hub.core import Advisor, Hub, check_role
from hub.errors import HubError, InternalError, InvalidRequest, NotFound
from hub.rules.inputs import is_id, parse_json
from hub.rules.kinds import Role

bp = Blueprint("ws")
log = logging.getLogger("hub")

AUTH_TIMEOUT = 10.0
_CLOSED: Event = {"type": "_closed", "data": {}}


async def _send(ws: WebsocketImplProtocol, ev: Event) -> None:
    await ws.send(jsonlib.dumps(ev, ensure_ascii=False))


def _error(exc: HubError) -> Event:
    return event("error", **exc.body())


async def _first_frame(ws: WebsocketImplProtocol) -> dict[str, Any]:
    try:
        raw = await asyncio.wait_for(ws.recv(), AUTH_TIMEOUT)
    except TimeoutError:
        raise InvalidRequest("Du må sende «auth» først.") from None
    return _parse(raw)


def _parse(raw: str | bytes | None) -> dict[str, Any]:
    if raw is None:
        raise InvalidRequest("Tom melding.")
    data = parse_json(raw)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise InvalidRequest("Meldingen må være et JSON-objekt med «type».")
    return data


def _failed(where: str) -> Event:
    """A frame that failed on our side: logged, answered with an error frame."""
    log.exception("websocket frame failed", extra={"where": where})
    return _error(InternalError())


async def _refuse(ws: WebsocketImplProtocol, exc: HubError) -> None:
    with contextlib.suppress(ConnectionClosed):
        await _send(ws, _error(exc))
        await ws.close(code=4000 + exc.status if exc.status < 1000 else 4000, reason=exc.code)


async def _stream_failed(ws: WebsocketImplProtocol, path: str) -> None:
    """A read failed on our side (the database's pool busy, the database away): logged, and
    the socket closed with an error frame; the client reconnects with backoff and polls
    meanwhile (web/src/shared/live.ts), and every frame re-reads from the database."""
    log.exception("websocket stream failed", extra={"path": path})
    await _refuse(ws, InternalError())


class VisitorStream:
    def __init__(
        self, hub: Hub, ws: WebsocketImplProtocol, conversation_id: str, secret: str, last: int
    ) -> None:
        self.hub, self.ws, self.cid, self.secret = hub, ws, conversation_id, secret
        self.last_id = last
        self.state: dict[str, Any] | None = None
        # The auth step marked the visitor present just before the stream started.
        self.touched_at = hub.clock.now()

    def _touch_due(self) -> bool:
        elapsed = (self.hub.clock.now() - self.touched_at).total_seconds()
        return elapsed >= self.hub.settings.ws_poll_seconds

    async def sync(self, touch: bool = False) -> None:
        hub = self.hub
        now = hub.clock.now()
        if touch:
            self.touched_at = now
        # A touch marks a queued visitor as present (a write); a wake-up only reads.
        view = await hub.visitors.stream_view(self.cid, self.last_id, touch=touch)
        state = views.state_json(view)
        if self.state is not None and state["language"] != self.state.get("language"):
            # A new language first: the widget draws the messages in it with its texts.
            await _send(self.ws, event("state", **state))
            self.state = state
        for m in view.messages:
            await _send(self.ws, event("message", **views.message_json(m)))
            self.last_id = m.id
        if state != self.state:
            await _send(self.ws, event("state", **state))
            self.state = state

    async def sync_place(self, since: float) -> None:
        """After a queue change: the visitor's new place, from the read this instance's
        queued visitors share (a full re-read if they are no longer waiting)."""
        info = await self.hub.visitors.queue_place(self.cid, since)
        if info is None:
            await self.sync()
            return
        language = (self.state or {}).get("language") or "nb"
        state = views.queued_state_json(info, language)
        if state != self.state:
            await _send(self.ws, event("state", **state))
            self.state = state

    async def receive(self, sub: Subscription) -> None:
        try:
            async for raw in self.ws:
                try:
                    frame = _parse(raw)
                    if frame["type"] == "message":
                        await self.hub.visitors.message(
                            self.cid, self.secret, frame.get("text"), frame.get("payload")
                        )
                    elif frame["type"] == "typing":
                        await self.hub.visitors.typing(self.cid, self.secret, frame.get("typing"))
                    else:
                        raise InvalidRequest("Ukjent meldingstype.")
                except HubError as exc:
                    sub.put(_error(exc))
                except Exception:
                    sub.put(_failed("visitor frame"))
        except ConnectionClosed:
            pass
        finally:
            sub.put(_CLOSED)

    async def run(self) -> None:
        hub = self.hub
        loop = asyncio.get_running_loop()
        with hub.broker.subscribe(f"conv:{self.cid}", "queues") as sub:
            try:
                await self.sync()
            except NotFound as exc:
                await _refuse(self.ws, exc)
                return
            receiver = asyncio.create_task(self.receive(sub), name=f"receiver:{id(self)}")
            try:
                while True:
                    ev = await sub.get(hub.settings.ws_poll_seconds)
                    # When the hint was delivered, not when this task got to run: the
                    # sockets it woke then share one read (uvloop's clock moves on
                    # while they run one after the other).
                    heard = sub.heard_at if ev is not None else loop.time()
                    need_sync = queue_changed = False
                    for item in [ev, *sub.drain()] if ev is not None else []:
                        kind = item["type"]
                        if kind == "_closed":
                            return
                        if kind in ("typing", "error"):
                            await _send(self.ws, item)
                        elif kind == "queues":
                            queue_changed = (self.state or {}).get("owner") == "queue"
                        else:
                            need_sync = True
                    # Presence is on a timer, not on quiet: on a busy hub (a queue event
                    # more often than the poll) a connected visitor must still be marked
                    # present, or the sweep takes them out of the queue.
                    touch = ev is None or self._touch_due()
                    if need_sync or touch or sub.overflowed:
                        sub.overflowed = False
                        await self.sync(touch=touch)
                    elif queue_changed:
                        await self.sync_place(heard)
            except ConnectionClosed:
                return
            except NotFound as exc:
                # The visitor deleted the conversation (another tab): say so, then close.
                await _refuse(self.ws, exc)
                return
            finally:
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await receiver


@bp.websocket("/api/conversations/<conversation_id:str>/ws")
async def visitor_ws(request: Request, ws: WebsocketImplProtocol, conversation_id: str) -> None:
    hub = hub_of(request)
    try:
        first = await _first_frame(ws)
        secret, last = first.get("secret"), first.get("last_seen_id") or 0
        if first["type"] != "auth" or not isinstance(secret, str):
            raise InvalidRequest("Første melding må være «auth» med nøkkelen til samtalen.")
        if not is_id(last):
            raise InvalidRequest("«last_seen_id» må være et heltall (id-en til en melding).")
        await hub.visitors.connect(conversation_id, secret)
    except HubError as exc:
        await _refuse(ws, exc)
        return
    except ConnectionClosed:
        return
    except Exception:
        log.exception("websocket auth failed", extra={"path": request.path})
        await _refuse(ws, InternalError())
        return
    gauge = hub.metrics.ws_connections.labels("visitor")
    gauge.inc()
    try:
        await VisitorStream(hub, ws, conversation_id, secret, last).run()
    except (ConnectionClosed, WebsocketClosed):
        pass  # the other end went away: nothing failed here
    except Exception:
        await _stream_failed(ws, request.path)
    finally:
        gauge.dec()


class AdvisorStream:
    def __init__(self, hub: Hub, ws: WebsocketImplProtocol, advisor: Advisor, token: str) -> None:
        self.hub, self.ws, self.advisor, self.token = hub, ws, advisor, token
        self.last_queues: Any = None
        self.chats_at = hub.clock.now()

    def _chats_due(self) -> bool:
        elapsed = (self.hub.clock.now() - self.chats_at).total_seconds()
        return elapsed >= self.hub.settings.ws_poll_seconds

    async def send_chats(self) -> None:
        """Each open chat's newest message id, so the console can tell that it missed a
        ``message`` event (dropped, or raised on another instance) and read the chat.
        The login is checked here too: an expired one ends the socket."""
        self.chats_at = self.hub.clock.now()
        heads = await self.hub.advisors.chat_heads(self.advisor.id, self.token)
        await _send(self.ws, {"type": "chats", "data": views.chat_heads_json(heads)})

    async def send_queues(self, since: float) -> None:
        """The queues as read at or after ``since`` (loop time), one read for all of this
        instance's advisor sockets."""
        data = views.queues_json(await self.hub.advisors.socket_overview(since))
        await _send(self.ws, {"type": "queues", "data": data})

    async def receive(self, sub: Subscription) -> None:
        hub = self.hub
        try:
            async for raw in self.ws:
                try:
                    frame = _parse(raw)
                    if frame["type"] == "heartbeat":
                        # The console is open: the advisor is at work (settings:
                        # advisor_presence_seconds).
                        await hub.accounts.heartbeat(self.advisor)
                        continue
                    cid = frame.get("conversation_id")
                    if not isinstance(cid, str):
                        raise InvalidRequest("«conversation_id» mangler.")
                    if frame["type"] == "message":
                        await hub.advisors.message(self.advisor, cid, frame.get("text"))
                    elif frame["type"] == "typing":
                        await hub.advisors.typing(self.advisor, cid, frame.get("typing"))
                    else:
                        raise InvalidRequest("Ukjent meldingstype.")
                except HubError as exc:
                    sub.put(_error(exc))
                except Exception:
                    sub.put(_failed("advisor frame"))
        except ConnectionClosed:
            pass
        finally:
            sub.put(_CLOSED)

    async def run(self) -> None:
        hub = self.hub
        loop = asyncio.get_running_loop()
        with hub.broker.subscribe("queues", f"advisor:{self.advisor.id}") as sub:
            # A connected console is a present advisor; it keeps so with heartbeats.
            await hub.accounts.heartbeat(self.advisor)
            await self.send_queues(loop.time())  # first, as always
            every = min(20.0, hub.settings.advisor_presence_seconds / 3)
            await _send(self.ws, event("presence", heartbeat_seconds=every))
            receiver = asyncio.create_task(self.receive(sub), name=f"receiver:{id(self)}")
            try:
                while True:
                    ev = await sub.get(hub.settings.ws_poll_seconds)
                    heard = sub.heard_at if ev is not None else loop.time()  # as above
                    items = [ev, *sub.drain()] if ev is not None else []
                    lost = ev is None or sub.overflowed
                    refresh = lost
                    sub.overflowed = False
                    for item in items:
                        if item["type"] == "_closed":
                            return
                        if item["type"] == "queues":
                            refresh = True
                        elif item["type"] == "sync":  # events may have been missed
                            refresh = lost = True
                        else:
                            await _send(self.ws, item)
                    if refresh:
                        await self.send_queues(heard)
                    # On a timer, not on quiet: a busy hub has queue events all the time.
                    if lost or self._chats_due():
                        await self.send_chats()
            except HubError as exc:  # the login expired
                await _refuse(self.ws, exc)
            except ConnectionClosed:
                return
            except NotFound as exc:
                # The visitor deleted the conversation (another tab): say so, then close.
                await _refuse(self.ws, exc)
                return
            finally:
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await receiver


class OverviewStream:
    """A supervisor's live overview: re-read and sent whenever a queue or an advisor
    changed (the ``queues`` hint), and on the poll timer (today's figures, waits)."""

    def __init__(self, hub: Hub, ws: WebsocketImplProtocol, token: str) -> None:
        self.hub, self.ws, self.token = hub, ws, token

    async def send_overview(self) -> None:
        # The login must still be live: an expired one ends the socket (HubError).
        await self.hub.accounts.account_for(self.token, Role.leder)
        data = views.overview_json(await self.hub.supervision.overview())
        await _send(self.ws, {"type": "overview", "data": data})

    async def receive(self, sub: Subscription) -> None:
        try:
            async for raw in self.ws:
                try:
                    _parse(raw)
                    raise InvalidRequest("Oversikten tar ikke imot meldinger.")
                except HubError as exc:
                    sub.put(_error(exc))
        except ConnectionClosed:
            pass
        finally:
            sub.put(_CLOSED)

    async def run(self) -> None:
        hub = self.hub
        with hub.broker.subscribe("queues") as sub:
            await self.send_overview()
            receiver = asyncio.create_task(self.receive(sub), name=f"receiver:{id(self)}")
            try:
                while True:
                    ev = await sub.get(hub.settings.ws_poll_seconds)
                    items = [ev, *sub.drain()] if ev is not None else []
                    sub.overflowed = False
                    for item in items:
                        if item["type"] == "_closed":
                            return
                        if item["type"] == "error":
                            await _send(self.ws, item)
                    await self.send_overview()
            except HubError as exc:  # the login expired
                await _refuse(self.ws, exc)
            except ConnectionClosed:
                return
            finally:
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await receiver


@bp.websocket("/api/advisor/ws")
async def advisor_ws(request: Request, ws: WebsocketImplProtocol) -> None:
    hub = hub_of(request)
    try:
        first = await _first_frame(ws)
        # The console's login is its HttpOnly cookie, sent with the handshake (whose
        # Origin api/browser.py has checked); a script may send its token instead.
        token = first.get("token", request.cookies.get(ADVISOR_COOKIE))
        if first["type"] != "auth" or not isinstance(token, str):
            raise InvalidRequest("Første melding må være «auth» med innloggingen din.")
        account = await hub.accounts.account_for(token, None)
        if account.role != Role.leder:
            check_role(account, Role.advisor)
    except HubError as exc:
        await _refuse(ws, exc)
        return
    except ConnectionClosed:
        return
    except Exception:
        log.exception("websocket auth failed", extra={"path": request.path})
        await _refuse(ws, InternalError())
        return
    kind = "leder" if account.role == Role.leder else "advisor"
    gauge = hub.metrics.ws_connections.labels(kind)
    gauge.inc()
    try:
        if kind == "leder":
            await OverviewStream(hub, ws, token).run()
        else:
            await AdvisorStream(hub, ws, account, token).run()
    except (ConnectionClosed, WebsocketClosed):
        pass  # the other end went away: nothing failed here
    except Exception:
        await _stream_failed(ws, request.path)
    finally:
        gauge.dec()
