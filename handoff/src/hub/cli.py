"""``hub`` command line: migrate, create advisors, purge old conversations, serve.

    hub migrate
    hub advisor create --username kari --name "Kari Nordmann" [--max-chats 3] [--role editor|leder]
        (password from HUB_NEW_PASSWORD, --password-stdin, or a prompt)
    hub purge [--days 30] [--hub-only]
    hub serve [--host 127.0.0.1] [--port 8000]

The database is HUB_DATABASE_URL (default: hub.db in the current folder).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from functools import partial

import httpx

from hub.adapters.broker import Broker
from hub.adapters.rasa import RasaClient
from hub.adapters.trackers import TrackerEraser, tracker_eraser
from hub.clock import SystemClock
from hub.core.retention import Retention, Sweep
from hub.db.engine import create_engine, session_factory
from hub.db.migrate import upgrade
from hub.db.unit import unit_of_work
from hub.errors import HubError
from hub.services import advisors as advisor_svc
from hub.settings import Settings


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url, null_pool=True)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _create_advisor(
    settings: Settings, username: str, name: str, password: str, max_chats: int, role: str
) -> int:
    engine = create_engine(settings.database_url, null_pool=True)
    try:
        await upgrade(engine)
        password_hash = await advisor_svc.hash_password(password)
        async with unit_of_work(session_factory(engine), Broker()) as u:
            advisor = await advisor_svc.create_advisor(
                u, username, name, password_hash, max_chats, SystemClock().now(), role
            )
            return advisor.id
    finally:
        await engine.dispose()


class _HubOnly:
    """``hub purge --hub-only``: Rasa's trackers are left as they are."""

    async def erase(self, sender_ids: Sequence[str]) -> None:
        return None

    async def close(self) -> None:
        return None


async def _purge(settings: Settings, days: int, hub_only: bool) -> Sweep:
    engine = create_engine(settings.database_url, null_pool=True)
    http = httpx.AsyncClient()
    bot = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds, http)
    eraser: TrackerEraser = _HubOnly() if hub_only else tracker_eraser(settings, bot)
    units = partial(unit_of_work, session_factory(engine), Broker())
    try:
        return await Retention(settings, SystemClock(), units, engine, eraser).sweep(days)
    finally:
        await eraser.close()
        await http.aclose()
        await engine.dispose()


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("HUB_NEW_PASSWORD"):
        return os.environ["HUB_NEW_PASSWORD"]
    first = getpass.getpass("Passord: ")
    if getpass.getpass("Gjenta passordet: ") != first:
        raise SystemExit("Passordene er ikke like.")
    return first


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="hub", description="The chat hub's admin commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="upgrade the database to the newest schema")
    adv = sub.add_parser("advisor", help="advisor accounts").add_subparsers(
        dest="action", required=True
    )
    create = adv.add_parser("create", help="create an advisor account")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True, help="the name visitors see")
    create.add_argument("--max-chats", type=int, default=settings.default_max_chats)
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument(
        "--role",
        choices=["advisor", "editor", "leder"],
        default="advisor",
        help="editor: what the bot could not answer and its answers; leder: the overview of "
        "the queues and advisors (/veileder/oversikt); neither takes chats or counts as staff",
    )
    purge = sub.add_parser(
        "purge",
        help="delete conversations older than the retention, and Rasa's trackers for them "
        "(the hub does this itself every HUB_RETENTION_SWEEP_MINUTES)",
    )
    purge.add_argument("--days", type=int, default=settings.retention_days)
    purge.add_argument(
        "--hub-only", action="store_true", help="leave Rasa's trackers (when Rasa is gone)"
    )
    serve = sub.add_parser("serve", help="run the hub (one process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        print("database is up to date")
    elif args.command == "advisor":
        password = _password(args)
        if len(password) < 8:
            raise SystemExit("Passordet må ha minst 8 tegn.")
        try:
            advisor_id = asyncio.run(
                _create_advisor(
                    settings, args.username, args.name, password, args.max_chats, args.role
                )
            )
        except HubError as exc:
            raise SystemExit(exc.message) from None
        print(f"{args.role} {args.username} created (id {advisor_id})")
    elif args.command == "purge":
        if args.days < 0:
            raise SystemExit("--days must be 0 or more")
        result = asyncio.run(_purge(settings, args.days, args.hub_only))
        if not result.ran:
            raise SystemExit("another hub is deleting old conversations right now; try later")
        print(f"deleted {result.deleted} conversations older than {args.days} days")
        if not result.complete:
            raise SystemExit(
                "Rasa did not answer: the remaining old conversations are kept until their "
                "trackers can be erased (run again, or with --hub-only)"
            )
    elif args.command == "serve":
        from hub.server import create_app

        create_app(settings).run(
            host=args.host, port=args.port, single_process=True, access_log=False
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
