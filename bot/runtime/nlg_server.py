"""The NLG server: every bot message is rendered from the published texts, reachable only by Rasa.

    NLG_SERVER_TOKEN=... python -m bot.runtime.nlg_server --texts models/nav.texts.json [--port 5057]

Rasa calls it for every response (`nlg:` in endpoints.yml; `utter_*` of rules and stories,
and the `utter_faq/<id>` an action sends): it POSTs {"response", "arguments", "tracker",
"channel"} and expects {"text", "buttons", ...}. The texts come from the snapshot a
publish writes (bot/runtime/live_texts.py), not from the model: a text change is live on
the next message, with no training and no model load. Variations, conditions, channels
and slot filling are Rasa's own (TemplatedNaturalLanguageGenerator).

Like the action server (bot/runtime/action_server.py) it listens on a loopback or
private address only and answers only requests with its token (Rasa sends it from
endpoints.yml): it sees every tracker. It never logs a tracker.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from actions.signals import language_mark
from bot.runtime.action_server import authorised, check_host, check_token
from bot.runtime.live_texts import LiveTexts, Responses

TOKEN_ENV = "NLG_SERVER_TOKEN"
DEFAULT_PORT = 5057
TEXTS = web.AppKey("texts", LiveTexts)
TOKEN = web.AppKey("token", str)
MAX_BODY_BYTES = 4 * 1024 * 1024  # a long conversation's tracker

logger = logging.getLogger(__name__)


def render(
    responses: Responses,
    name: str,
    slots: dict[str, Any] | None = None,
    channel: str | None = None,
    arguments: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The message for response `name`, as Rasa's own templated generator makes it; {} when
    there is no such response (Rasa then sends nothing, as it does without an NLG server)."""
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator

    generator = TemplatedNaturalLanguageGenerator(responses)
    message = generator.generate_from_slots(name, slots or {}, channel or "", **(arguments or {}))
    return dict(message) if message else {}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def nlg(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "invalid_request"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("response"), str):
        return web.json_response({"error": "invalid_request"}, status=400)
    tracker, channel, arguments = (_mapping(body.get(key)) for key in ("tracker", "channel", "arguments"))
    slots = _mapping(tracker.get("slots"))
    responses = request.app[TEXTS].responses()
    message = render(responses, body["response"], slots, channel.get("name"), arguments)
    if not message:
        logger.warning("no published text for %s", body["response"])
        return web.json_response(message)
    return web.json_response(with_language(message, slots))


def with_language(message: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    """The message with the language it was rendered in (the `language` slot picks the
    variation: English, else Norwegian) among its custom fields, for the hub."""
    language = "en" if slots.get("language") == "en" else "nb"
    custom = _mapping(message.get("custom"))
    return {**message, "custom": {**custom, **language_mark(language)}}


@web.middleware
async def _auth(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path == "/health" or authorised(request.headers.get("Authorization"), request.app[TOKEN]):
        return await handler(request)  # type: ignore[no-any-return]
    return web.json_response({"error": "unauthorized"}, status=401)


def create_app(texts: Path, token: str) -> web.Application:
    app = web.Application(middlewares=[_auth], client_max_size=MAX_BODY_BYTES)
    app[TEXTS] = LiveTexts(texts)
    app[TOKEN] = check_token(token)
    app.router.add_get("/health", health)
    app.router.add_post("/nlg", nlg)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The bot's NLG server (published texts), for Rasa only.")
    parser.add_argument("--host", default=os.environ.get("NLG_SERVER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--texts", type=Path, required=True, help="the live texts (models/nav.texts.json)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        host = check_host(args.host)
        app = create_app(args.texts, os.environ.get(TOKEN_ENV, ""))
    except ValueError as error:
        print(str(error).replace("ACTION_SERVER_TOKEN", TOKEN_ENV), file=sys.stderr)
        return 2
    except (OSError, KeyError) as error:
        print(f"no readable texts at {args.texts}: {error}", file=sys.stderr)
        return 2
    logger.info("NLG server on http://%s:%s (token required)", host, args.port)
    web.run_app(app, host=host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
