"""The content service: the hub's way to read and change FAQ content and to publish it.

`python -m bot.content.service` runs it on 127.0.0.1 beside Rasa. Only the hub calls it
(with the shared token), on behalf of a logged-in editor whose user name it passes in
`X-Nav-Editor`; browsers never reach it (../shared/notes/architecture.md). The contract
is docs/contracts/content-api.md. Handlers stay thin: the rules are in bot.content.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from bot.content.publishing import AlreadyRunning, NotKept, Publisher
from bot.content.store import Conflict, FaqStore, Invalid, NotFound, evaluation_keys
from bot.paths import PROJECT_ROOT, SHARED
from bot.release import history
from bot.release.changes import DEFAULT_MAX_FINETUNES

STORE = web.AppKey("store", FaqStore)
PUBLISHER = web.AppKey("publisher", Publisher)
TOKEN = web.AppKey("token", str)
MAX_BODY_BYTES = 256 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    """The hub's error shape (docs/contracts/hub-api.md): a stable code and a Norwegian message."""
    return web.json_response({"error": code, "message": message, **extra}, status=status)


@web.middleware
async def _auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/health":
        return await handler(request)
    expected = f"Bearer {request.app[TOKEN]}"
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode()):
        return _error(401, "unauthorized", "Mangler gyldig nøkkel.")
    return await handler(request)


def _editor(request: web.Request) -> str:
    # The hub percent-encodes names that are not plain ASCII (HTTP headers are ASCII).
    return unquote(request.headers.get("X-Nav-Editor", "")).strip()[:100] or "ukjent"


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def list_faqs(request: web.Request) -> web.Response:
    store = request.app[STORE]
    entries = await asyncio.to_thread(store.entries)
    unpublished = set(await asyncio.to_thread(store.unpublished))
    return web.json_response([{**e.summary(), "unpublished": e.id in unpublished} for e in entries])


async def _entry_json(request: web.Request, faq_id: str) -> dict[str, Any]:
    store = request.app[STORE]
    entry = await asyncio.to_thread(store.get, faq_id)
    unpublished = faq_id in await asyncio.to_thread(store.unpublished)
    changes = await asyncio.to_thread(store.changes, faq_id)
    return {**entry.as_json(), "unpublished": unpublished, "changes": changes}


async def get_faq(request: web.Request) -> web.Response:
    try:
        return web.json_response(await _entry_json(request, request.match_info["faq_id"]))
    except NotFound:
        return _error(404, "not_found", "Fant ikke dette svaret.")


async def put_faq(request: web.Request) -> web.Response:
    faq_id = request.match_info["faq_id"]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "invalid_request", "Forespørselen må være JSON.")
    answer, examples, version = (
        body.get(k) if isinstance(body, dict) else None for k in ("answer", "examples", "version")
    )
    if not isinstance(answer, str) or not isinstance(version, str):
        return _error(400, "invalid_request", "Svar og versjon må være tekst.")
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        return _error(400, "invalid_request", "Eksemplene må være en liste med tekster.")
    # The English answer: left out (or null) leaves it as it is.
    answer_en = body.get("answer_en") if isinstance(body, dict) else None
    if answer_en is not None and not isinstance(answer_en, str):
        return _error(400, "invalid_request", "Det engelske svaret må være tekst.")
    store = request.app[STORE]
    try:
        await asyncio.to_thread(store.save, faq_id, answer, examples, version, _editor(request), answer_en)
    except NotFound:
        return _error(404, "not_found", "Fant ikke dette svaret.")
    except Conflict as exc:
        return _error(
            409,
            "version_conflict",
            "Noen andre har endret svaret etter at du åpnet det. Se den nye teksten og gjør endringen din på nytt.",
            current=exc.current.as_json(),
        )
    except Invalid as exc:
        return _error(
            422,
            "invalid_content",
            "Endringen ble ikke lagret. Rett dette først:",
            problems=[p.as_json() for p in exc.problems],
        )
    return web.json_response(await _entry_json(request, faq_id))


async def get_publish(request: web.Request) -> web.Response:
    store, publisher = request.app[STORE], request.app[PUBLISHER]
    # The status first: a job records what it published before it says so, so a
    # "succeeded" read here never comes with the list from before the job.
    status = publisher.status
    unpublished = await asyncio.to_thread(store.unpublished)
    return web.json_response({**status.as_json(), "unpublished": unpublished})


async def start_publish(request: web.Request) -> web.Response:
    publisher = request.app[PUBLISHER]
    try:
        status = publisher.start(_editor(request))
    except AlreadyRunning:
        return _error(409, "publish_running", "En publisering pågår allerede. Vent til den er ferdig.")
    return web.json_response(status.as_json(), status=202)


async def list_publications(request: web.Request) -> web.Response:
    publisher = request.app[PUBLISHER]
    return web.json_response(await asyncio.to_thread(publisher.publications))


async def restore_publication(request: web.Request) -> web.Response:
    publisher = request.app[PUBLISHER]
    raw = request.match_info["publication_id"]
    if not raw.isdigit() or len(raw) > 9:
        return _error(404, "not_found", "Fant ikke denne publiseringen.")
    try:
        status = await asyncio.to_thread(publisher.start_restore, _editor(request), int(raw))
    except NotKept:
        return _error(
            404, "not_kept", "Denne publiseringen kan ikke tas i bruk igjen: modellfilen er slettet."
        )
    except AlreadyRunning:
        return _error(409, "publish_running", "En publisering pågår allerede. Vent til den er ferdig.")
    return web.json_response(status.as_json(), status=202)


def _whole_number(name: str, default: int, minimum: int) -> int:
    """The environment setting `name`: a whole number, at least `minimum`; `default` when unset."""
    raw = os.environ.get(name, "")
    try:
        return max(minimum, int(raw)) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"error: {name} must be a whole number, not {raw!r}") from None


def create_app(publisher: Publisher, token: str) -> web.Application:
    if not token:
        raise ValueError("the content service needs a token (NAV_CONTENT_TOKEN)")
    app = web.Application(middlewares=[_auth], client_max_size=MAX_BODY_BYTES)
    app[STORE] = publisher.store
    app[PUBLISHER] = publisher
    app[TOKEN] = token
    app.router.add_get("/health", health)
    app.router.add_get("/faqs", list_faqs)
    app.router.add_get("/faqs/{faq_id}", get_faq)
    app.router.add_put("/faqs/{faq_id}", put_faq)
    app.router.add_get("/publish", get_publish)
    app.router.add_post("/publish", start_publish)
    app.router.add_get("/publications", list_publications)
    app.router.add_post("/publications/{publication_id}/restore", restore_publication)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The content service (FAQ editing and publishing) for the hub."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5056)
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the project whose data/ is edited")
    parser.add_argument("--config", type=Path, help="training config (default: ROOT/config.yml)")
    parser.add_argument("--models", type=Path, help="where models go (default: ROOT/models)")
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("RASA_URLS") or os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
        help="the running Rasa, or several separated by commas: a publish loads each in turn",
    )
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument(
        "--keep-models",
        type=int,
        default=_whole_number("NAV_MODELS_KEPT", history.DEFAULT_KEEP_MODELS, 1),
        help="how many published models the history keeps for 'Ta i bruk igjen' (default 5)",
    )
    parser.add_argument(
        "--max-finetunes",
        type=int,
        default=_whole_number("NAV_FINETUNE_MAX", DEFAULT_MAX_FINETUNES, 0),
        help="fine-tune a model at most this many times in a row when only examples changed "
        f"(0: always train from scratch; default {DEFAULT_MAX_FINETUNES})",
    )
    parser.add_argument(
        "--no-measure-at-start", action="store_true",
        help="do not measure the published model for the gate at start (tests that never train)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    root = args.root.resolve()
    store = FaqStore.for_project(root, args.shared, evaluation_keys(args.shared, root))
    publisher = Publisher(
        store, args.config or root / "config.yml", args.rasa_url, args.models or root / "models", args.shared,
        max(1, args.keep_models), max(0, args.max_finetunes),
    )  # fmt: skip
    # The content at start counts as published: the history's first line (or a new one when
    # the bot starts with a model or texts no publish made).
    history.record_start(publisher.published, store.published_versions(), publisher.keep_models)
    if not args.no_measure_at_start:
        publisher.measure_published()
    token = os.environ.get("NAV_CONTENT_TOKEN", "")
    try:
        app = create_app(publisher, token)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    web.run_app(app, host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
