"""The bridge to the bot's content service (FAQ editing and publishing), for editors.

The service runs beside Rasa (bot/content/service.py, docs/contracts/content-api.md) and
answers in the hub's own error shape, so its answers pass through as they are. The hub
adds what only it knows: who the editor is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

# Printable ASCII but "%": what an HTTP header carries as it is (see editor_header).
_HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


def editor_header(username: str) -> str:
    """The editor's user name for ``X-Nav-Editor``, percent-encoded where it is not
    printable ASCII ("bjørn" -> "bj%C3%B8rn"; header values are ASCII, and httpx
    refuses anything else). A plain ASCII name goes as it is; the service decodes the
    value with ``urllib.parse.unquote`` (docs/contracts/content-api.md)."""
    return quote(username, safe=_HEADER_SAFE)


class ContentUnavailable(Exception):
    """The content service is not set up, or did not answer."""


@dataclass(frozen=True)
class ContentAnswer:
    status: int
    body: Any


class ContentClient:
    def __init__(self, base_url: str, token: str, client: httpx.AsyncClient, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.client = client
        self.timeout = timeout

    @property
    def configured(self) -> bool:
        return bool(self.base_url and self.token)

    async def call(
        self, method: str, path: str, editor: str, payload: dict[str, Any] | None = None
    ) -> ContentAnswer:
        if not self.configured:
            raise ContentUnavailable("HUB_CONTENT_URL and HUB_CONTENT_TOKEN are not set")
        try:
            response = await self.client.request(
                method,
                f"{self.base_url}{path}",
                json=payload,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "X-Nav-Editor": editor_header(editor),
                },
                timeout=self.timeout,
            )
            return ContentAnswer(response.status_code, response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise ContentUnavailable(str(exc)) from exc

    @staticmethod
    def faq_path(faq_id: str) -> str:
        return f"/faqs/{quote(faq_id, safe='')}"
