"""The action server, reachable only by Rasa: `python -m bot.runtime.action_server`.

    ACTION_SERVER_TOKEN=... python -m bot.runtime.action_server [--port 5055] [--host 127.0.0.1]

rasa_sdk's action server (what `rasa run actions` runs) with three changes, because it
holds the hub's bot secret (HUB_BOT_SECRET, for the handoff) and sees every tracker:

- it listens on 127.0.0.1 by default, and only on a loopback or private address
  (`rasa run actions` listens on 0.0.0.0);
- every request but `GET /health` must carry `Authorization: Bearer <ACTION_SERVER_TOKEN>`,
  which Rasa sends from endpoints.yml (`action_endpoint.headers`); it does not start
  without a token;
- an action that fails answers with the error's type only: rasa_sdk's own answer
  echoes the whole request (the tracker, with the visitor's messages) to Rasa;
- an idle connection from Rasa stays open longer than Rasa keeps it (KEEP_ALIVE_SECONDS).
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys
from typing import Any

TOKEN_ENV = "ACTION_SERVER_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
MIN_TOKEN_CHARS = 16
OPEN_PATHS = frozenset({"/health"})
# Rasa's aiohttp client keeps an idle connection for 15 s and then reuses it: the server
# must keep it longer, or a reuse races the server's close and the action call fails
# (Sanic's default is 5 s). nginx's and aiohttp's servers keep 75 s.
KEEP_ALIVE_SECONDS = 75

logger = logging.getLogger(__name__)


def check_host(host: str) -> str:
    """The address to listen on: loopback or private, never every interface."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"--host must be an IP address, not {host!r}") from None
    if address.is_unspecified or not (address.is_loopback or address.is_private):
        raise ValueError(f"--host {host} is reachable from outside: use 127.0.0.1 or a private address")
    return host


def check_token(token: str | None) -> str:
    if not token or len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"{TOKEN_ENV} must be set to a random string of {MIN_TOKEN_CHARS}+ characters")
    return token


def authorised(header: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    return hmac.compare_digest((header or "").encode(), f"Bearer {token}".encode())


def create_app(token: str, actions: str = "actions") -> Any:
    """rasa_sdk's app with the token check and a quiet error answer."""
    from rasa_sdk.endpoint import create_app as sdk_app
    from rasa_sdk.plugin import plugin_manager
    from sanic import response
    from sanic.request import Request

    app = sdk_app(actions, cors_origins=None)
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_SECONDS

    @app.middleware("request")
    async def require_token(request: Request) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if not authorised(request.headers.get("authorization"), token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> Any:
        # The type is enough to find the error in this server's own log.
        logger.error("action failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": type(exception).__name__}, status=500)

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The bot's action server, for Rasa only.")
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--loglevel", default="INFO")
    args = parser.parse_args(argv)
    try:
        host = check_host(args.host)
        token = check_token(os.environ.get(TOKEN_ENV))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    from rasa_sdk import utils

    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    app = create_app(token, args.actions)
    logger.info("action server on http://%s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
