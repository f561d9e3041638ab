"""A hub that speaks only the handoff contract (docs/contracts/handoff.md).

It answers what the test tells it to and records what the bot sent, so the
bot's side of the contract is tested on its own; the hub's side is tested in
handoff/tests against the real hub.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.runtime.processes import free_port


@dataclass
class ContractHub:
    """Configurable answer, recorded requests.

    `answer` may be any JSON (a hub breaking the contract); `late` holds, per request
    in turn, seconds to wait before answering one that is already recorded (a hub that
    queued the visitor but answers slowly).
    """

    secret: str = "test-secret"
    answer: Any = field(
        default_factory=lambda: {
            "status": "queued",
            "queue": "generell",
            "position": 2,
            "estimated_wait_minutes": 4,
        }
    )
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)
    late: list[float] = field(default_factory=list)
    url: str = ""
    in_flight: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.secret}":
            return web.json_response({"error": "unauthorized"}, status=401)
        self.received.append(await request.json())
        self.in_flight += 1
        try:
            if self.late:
                await asyncio.sleep(self.late.pop(0))
            return web.json_response(self.answer, status=self.status)
        finally:
            self.in_flight -= 1


@contextmanager
def contract_hub() -> Iterator[ContractHub]:
    """Serves a ContractHub on a free loopback port in a background thread."""
    hub = ContractHub()
    port = free_port()
    hub.url = f"http://127.0.0.1:{port}"
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/internal/handoff", hub.handle)
    runner = web.AppRunner(app)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield hub
    finally:
        # A late answer still on its way would be cut off mid-task by the loop stopping.
        deadline = time.monotonic() + 10
        while hub.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
