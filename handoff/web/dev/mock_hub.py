"""A throwaway, in-memory imitation of the hub's browser API (docs/contracts/hub-api.md).

For front-end development only, when the real hub or Rasa is not at hand:

    .venv/hub/bin/python handoff/web/dev/mock_hub.py  # serves handoff/web/dist on :8099

The "bot" is a few canned answers. Advisor login: any username, any password of 8+ characters.
The end-to-end tests never use this; they run the real stack.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanic import Request, Sanic, Websocket
from sanic.response import HTTPResponse, empty, file, json as js, text

DIST = Path(__file__).resolve().parents[1] / "dist"
app = Sanic("mock_hub")
app.config.WEBSOCKET_PING_INTERVAL = None

convs: dict[str, dict[str, Any]] = {}
visitor_socks: dict[str, set[Websocket]] = {}
advisor_socks: set[Websocket] = set()
tokens: dict[str, dict[str, Any]] = {}
ids = itertools.count(1)
FAQ = [
    {"id": "dagpenger_soke", "topic": "arbeid", "question": "Hvordan søker jeg dagpenger?",
     "answer": "Registrer deg som arbeidssøker, og søk om dagpenger på nav.no."},
    {"id": "meldekort", "topic": "arbeid", "question": "Når skal jeg sende meldekort?",
     "answer": "Du sender meldekort hver 14. dag."},
]


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


async def send_all(socks: set[Websocket], frame: dict[str, Any]) -> None:
    for ws in list(socks):
        try:
            await ws.send(json.dumps(frame))
        except Exception:
            socks.discard(ws)


def queues() -> list[dict[str, Any]]:
    out = []
    for topic in ("arbeid", "helse", "familie", "generell"):
        waiting = [
            {"conversation_id": c["id"], "reason": "asked_for_person", "urgent": False,
             "waiting_seconds": 75, "first_lines": [m["text"] for m in c["messages"] if m["sender"] == "visitor"][:2]}
            for c in convs.values() if c["owner"] == "queue" and c["topic"] == topic
        ]
        out.append({"topic": topic, "waiting": waiting})
    return out


async def add(c: dict[str, Any], sender: str, text_: str, buttons=None, advisor=None) -> dict[str, Any]:
    m = {"id": next(ids), "sender": sender, "text": text_, "buttons": buttons or [], "created_at": now(),
         "advisor_name": advisor}
    c["messages"].append(m)
    await send_all(visitor_socks.get(c["id"], set()), {"type": "message", "data": m})
    if c["owner"] in ("advisor", "queue"):
        await send_all(advisor_socks, {"type": "message", "data": {"conversation_id": c["id"], "message": m}})
    return m


async def set_owner(c: dict[str, Any], owner: str) -> None:
    c["owner"] = owner
    q = {"topic": c["topic"], "position": 1, "estimated_wait_minutes": 3, "urgent": False} if owner == "queue" else None
    await send_all(visitor_socks.get(c["id"], set()), {"type": "state", "data": {"owner": owner, "queue": q}})
    await send_all(advisor_socks, {"type": "conversation", "data": {"conversation_id": c["id"], "owner": owner}})
    await send_all(advisor_socks, {"type": "queues", "data": queues()})


async def bot(c: dict[str, Any], text_: str, payload: str | None) -> None:
    await send_all(visitor_socks.get(c["id"], set()), {"type": "typing", "data": {"sender": "bot", "typing": True}})
    await asyncio.sleep(0.6)
    if payload == "/hub_request_advisor" or "veileder" in text_.lower() or "menneske" in text_.lower():
        c["topic"] = "arbeid"
        await set_owner(c, "queue")
        await add(c, "system", "Du er satt i kø for å snakke med en veileder. Du er nestemann i køen.")
    elif "dagpenger" in text_.lower():
        await add(c, "bot", FAQ[0]["answer"] + " Les mer på https://www.nav.no/dagpenger.",
                  [{"title": "Snakk med en veileder", "payload": "/hub_request_advisor"}])
    else:
        await add(c, "bot", "Jeg er usikker på hva du mener. Velg et tema:",
                  [{"title": "Dagpenger", "payload": '/faq{"faq_id":"dagpenger_soke"}'},
                   {"title": "Snakk med en veileder", "payload": "/hub_request_advisor"}])


def conv_of(request: Request, cid: str) -> dict[str, Any] | None:
    c = convs.get(cid)
    auth = request.headers.get("authorization", "")
    return c if c and auth == f"Bearer {c['secret']}" else None


@app.post("/api/conversations")
async def create(request: Request) -> HTTPResponse:
    cid = "c_" + secrets.token_urlsafe(8)
    c = {"id": cid, "secret": secrets.token_urlsafe(16), "owner": "bot", "topic": "generell", "messages": [],
         "rating": None}
    convs[cid] = c
    await add(c, "bot", "Hei! Jeg er Navs chatbot. Jeg er ikke et menneske. Hva lurer du på?",
              [{"title": "Dagpenger", "payload": '/faq{"faq_id":"dagpenger_soke"}'}])
    return js({"id": cid, "secret": c["secret"], "owner": "bot", "messages": c["messages"]}, status=201)


@app.get("/api/conversations/<cid:str>")
async def get_conv(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if not c:
        return js({"error": "not_found", "message": "Fant ikke samtalen."}, status=404)
    after = int(request.args.get("after", 0))
    q = {"topic": c["topic"], "position": 1, "estimated_wait_minutes": 3, "urgent": False} if c["owner"] == "queue" else None
    return js({"id": cid, "owner": c["owner"], "queue": q, "rating": c["rating"],
               "messages": [m for m in c["messages"] if m["id"] > after]})


@app.post("/api/conversations/<cid:str>/messages")
async def post_msg(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if not c:
        return js({"error": "not_found"}, status=404)
    if c["owner"] == "closed":
        return js({"error": "conversation_closed", "message": "Samtalen er avsluttet."}, status=409)
    body = request.json or {}
    t = str(body.get("text", ""))
    if len(t) > 1000:
        return js({"error": "message_too_long", "message": "For lang.", "limit": 1000}, status=400)
    m = await add(c, "visitor", t)
    if c["owner"] == "bot":
        asyncio.create_task(bot(c, t, body.get("payload")))
    return js({"message": m}, status=201)


@app.post("/api/conversations/<cid:str>/typing")
async def v_typing(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if c:
        await send_all(advisor_socks, {"type": "typing", "data": {"conversation_id": cid, "typing": bool((request.json or {}).get("typing"))}})
    return empty()


@app.delete("/api/conversations/<cid:str>/queue")
async def leave_queue(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if c:
        await set_owner(c, "bot")
    return js({})


@app.post("/api/conversations/<cid:str>/end")
async def v_end(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if c:
        await set_owner(c, "closed")
    return js({})


@app.post("/api/conversations/<cid:str>/rating")
async def rate(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if c:
        c["rating"] = (request.json or {}).get("value")
    return js({})


@app.get("/api/conversations/<cid:str>/transcript")
async def transcript(request: Request, cid: str) -> HTTPResponse:
    c = conv_of(request, cid)
    if not c:
        return js({"error": "not_found"}, status=404)
    body = "\n".join(f"{m['created_at']} {m['sender']}: {m['text']}" for m in c["messages"])
    return text(body, headers={"Content-Disposition": f'attachment; filename="samtale-{cid}.txt"'})


@app.websocket("/api/conversations/<cid:str>/ws")
async def v_ws(request: Request, ws: Websocket, cid: str) -> None:
    auth = json.loads(await ws.recv())
    c = convs.get(cid)
    if not c or auth.get("secret") != c["secret"]:
        await ws.send(json.dumps({"type": "error", "data": {"error": "unauthorized"}}))
        return
    for m in c["messages"]:
        if m["id"] > int(auth.get("last_seen_id") or 0):
            await ws.send(json.dumps({"type": "message", "data": m}))
    visitor_socks.setdefault(cid, set()).add(ws)
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "typing":
                await send_all(advisor_socks, {"type": "typing", "data": {"conversation_id": cid, "typing": frame.get("typing")}})
    finally:
        visitor_socks[cid].discard(ws)


# ---- advisor ----

def advisor_of(request: Request) -> dict[str, Any] | None:
    return tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))


@app.post("/api/advisor/login")
async def login(request: Request) -> HTTPResponse:
    body = request.json or {}
    if len(str(body.get("password", ""))) < 8:
        return js({"error": "unauthorized", "message": "Feil brukernavn eller passord."}, status=401)
    tok = secrets.token_urlsafe(16)
    tokens[tok] = {"id": 1, "name": str(body.get("username", "Kari")).capitalize(), "status": "available", "max_chats": 3}
    return js({"token": tok, "advisor": tokens[tok]})


@app.get("/api/advisor/me")
async def me(request: Request) -> HTTPResponse:
    a = advisor_of(request)
    return js(a) if a else js({"error": "unauthorized"}, status=401)


@app.put("/api/advisor/status")
async def status(request: Request) -> HTTPResponse:
    a = advisor_of(request) or {}
    a["status"] = (request.json or {}).get("status")
    return js(a)


@app.get("/api/advisor/queues")
async def get_queues(request: Request) -> HTTPResponse:
    return js(queues())


def detail(c: dict[str, Any]) -> dict[str, Any]:
    return {"id": c["id"], "owner": c["owner"], "topic": c["topic"], "reason": "asked_for_person", "messages": c["messages"]}


@app.post("/api/advisor/conversations/<cid:str>/claim")
async def claim(request: Request, cid: str) -> HTTPResponse:
    c = convs[cid]
    if c["owner"] != "queue":
        return js({"error": "already_claimed", "message": "Allerede tatt."}, status=409)
    c["advisor"] = advisor_of(request)
    await set_owner(c, "advisor")
    await add(c, "system", f"{c['advisor']['name']} fra Nav har kommet inn i chatten.")
    return js(detail(c))


@app.get("/api/advisor/conversations")
async def my_convs(request: Request) -> HTTPResponse:
    return js([detail(c) for c in convs.values() if c["owner"] == "advisor"])


@app.get("/api/advisor/conversations/<cid:str>")
async def a_conv(request: Request, cid: str) -> HTTPResponse:
    return js(detail(convs[cid]))


@app.post("/api/advisor/conversations/<cid:str>/messages")
async def a_msg(request: Request, cid: str) -> HTTPResponse:
    c = convs[cid]
    m = await add(c, "advisor", str((request.json or {}).get("text")), advisor=(advisor_of(request) or {}).get("name"))
    return js({"message": m}, status=201)


@app.post("/api/advisor/conversations/<cid:str>/typing")
async def a_typing(request: Request, cid: str) -> HTTPResponse:
    await send_all(visitor_socks.get(cid, set()), {"type": "typing", "data": {"sender": "advisor", "typing": True}})
    return empty()


@app.post("/api/advisor/conversations/<cid:str>/end")
async def a_end(request: Request, cid: str) -> HTTPResponse:
    await add(convs[cid], "system", "Veilederen har avsluttet chatten.")
    await set_owner(convs[cid], "closed")
    return js({})


@app.post("/api/advisor/conversations/<cid:str>/transfer")
async def a_transfer(request: Request, cid: str) -> HTTPResponse:
    convs[cid]["topic"] = (request.json or {}).get("topic", "generell")
    await set_owner(convs[cid], "queue")
    return js({})


@app.post("/api/advisor/conversations/<cid:str>/handback")
async def a_handback(request: Request, cid: str) -> HTTPResponse:
    await set_owner(convs[cid], "bot")
    await add(convs[cid], "bot", "Du snakker nå med chatboten igjen.")
    return js({})


@app.get("/api/advisor/faq")
async def faq(request: Request) -> HTTPResponse:
    q = request.args.get("q", "").lower()
    return js([f for f in FAQ if any(w in (f["question"] + f["answer"]).lower() for w in q.split())])


@app.websocket("/api/advisor/ws")
async def a_ws(request: Request, ws: Websocket) -> None:
    await ws.recv()
    advisor_socks.add(ws)
    await ws.send(json.dumps({"type": "queues", "data": queues()}))
    try:
        async for _ in ws:
            pass
    finally:
        advisor_socks.discard(ws)


# ---- pages ----

@app.get("/")
async def demo(request: Request) -> HTTPResponse:
    return await file(DIST / "demo.html")


@app.get("/veileder")
async def console(request: Request) -> HTTPResponse:
    return await file(DIST / "veileder.html")


@app.get("/widget.js")
async def widget(request: Request) -> HTTPResponse:
    return await file(DIST / "widget.js")


app.static("/static", DIST / "static", name="static_files")

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8099, single_process=True, access_log=False)
