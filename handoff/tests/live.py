"""Helpers for tests against a running hub (tests/stack.py starts it): accounts made
with the CLI, a visitor over HTTP, an advisor's login, WebSocket frames."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.stack import HUB_VENV, REPO, wait_http

HUB_ENV = {"HUB_ALWAYS_OPEN": "true", "HUB_RASA_TIMEOUT_SECONDS": "2"}
PASSWORD = "veileder-passord"


def create_advisor(
    database_url: str, username: str, max_chats: int = 2, role: str = "advisor"
) -> None:
    subprocess.run(
        [str(HUB_VENV / "bin" / "hub"), "advisor", "create", "--username", username,
         "--name", username.title(), "--max-chats", str(max_chats), "--password-stdin",
         "--role", role],
        input=PASSWORD + "\n", text=True, check=True, cwd=REPO, capture_output=True,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
    )  # fmt: skip


class Visitor:
    def __init__(self, base: str, page: str = "/dagpenger") -> None:
        self.base = base
        r = httpx.post(f"{base}/api/conversations", json={"page": page})
        assert r.status_code == 201, r.text
        body = r.json()
        self.id, self.secret, self.first = body["id"], body["secret"], body["messages"]
        self.headers = {"Authorization": f"Bearer {self.secret}"}

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.post(
            f"{self.base}/api/conversations/{self.id}{path}", headers=self.headers, **kw
        )

    def ws_url(self) -> str:
        return self.base.replace("http", "ws") + f"/api/conversations/{self.id}/ws"


def login(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/advisor/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return str(r.json()["token"])


async def next_frame(ws: Any, kind: str, timeout: float = 10, **match: Any) -> Any:
    """The next frame of ``kind`` whose data has the given values (others are skipped)."""

    async def find() -> Any:
        while True:
            frame = json.loads(await ws.recv())
            data = frame["data"]
            if frame["type"] != kind:
                continue
            if not match or all(data.get(k) == v for k, v in match.items()):
                return data

    return await asyncio.wait_for(find(), timeout)


class SlowRasa:
    """A real HTTP server on loopback standing in for a slow Rasa: it greets
    ``/start`` at once and takes its time with everything else.

    ``silent``: reads the request and says nothing. ``trickle``: sends the
    status and headers at once, then one byte of the body every 0.1 s (each
    read is quick; only a deadline on the whole answer stops the wait).
    """

    WELCOME = "Hei! Jeg er Navs chatbot."

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.stopping = threading.Event()
        self.held = threading.Event()  # a request is being held back
        self.received: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(b"{}")

            def do_PUT(self) -> None:  # a tracker erased (a visitor deletes the conversation)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(b'{"events": []}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message = json.loads(body or b"{}").get("message", "")
                outer.received.append(message)
                if message == "/start":
                    self._answer(json.dumps([{"text": outer.WELCOME}]).encode())
                    return
                outer.held.set()
                if outer.mode == "trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    try:
                        while not outer.stopping.wait(0.1):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                    except OSError:
                        pass  # the hub gave up and closed the connection
                else:
                    outer.stopping.wait(60)

            def _answer(self, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlowRasa:
        self.thread.start()
        wait_http(self.url + "/status", 5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
