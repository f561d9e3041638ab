"""Helpers for tests against a running hub (tests/stack.py starts it): accounts made
with the CLI, a visitor over HTTP, an advisor's login, WebSocket frames."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from typing import Any

import httpx

from tests.stack import HUB_VENV, REPO

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
    def __init__(self, base: str, page: str = "/dagpenger", timeout: float = 5) -> None:
        self.base = base
        # The welcome is Rasa's first answer: allow for a slow one where Rasa runs.
        r = httpx.post(f"{base}/api/conversations", json={"page": page}, timeout=timeout)
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
