"""The bridge to Rasa's HTTP API (REST channel and the conversations API)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx


class BotUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    # The FAQ this reply answers with (``{"custom": {"nav_faq": id}}`` right after it).
    faq_id: str | None = None


@dataclass(frozen=True)
class BotSignal:
    """The bot did not answer: ``{"custom": {"nav_signal": ...}}`` in its replies.

    Not shown to the visitor (docs/contracts/handoff.md, "Bot signals").
    """

    kind: str
    suggestions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BotTurn:
    """What Rasa answered to one message: the replies to show, and any signal."""

    replies: list[BotReply]
    signal: BotSignal | None = None
    # The conversation's language as the bot's last message gave it ("nb"/"en"), if any.
    language: str | None = None


def _faq_mark(item: dict[str, Any]) -> str | None:
    custom = item.get("custom")
    faq_id = custom.get("nav_faq") if isinstance(custom, dict) else None
    return faq_id if isinstance(faq_id, str) and 0 < len(faq_id) <= 100 else None


def _replies(items: Any) -> list[BotReply]:
    out: list[BotReply] = []
    if not isinstance(items, list):
        raise BotUnavailable("unexpected answer from Rasa")
    for item in items:
        if not isinstance(item, dict):
            continue
        faq_id = _faq_mark(item)
        if faq_id is not None:
            # Rasa sends a reply's text first and its custom item after it.
            if out and out[-1].text and out[-1].faq_id is None:
                out[-1] = replace(out[-1], faq_id=faq_id)
            continue
        text = item.get("text")
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        if isinstance(text, str) and text.strip():
            out.append(BotReply(text, buttons))
        elif buttons:
            out.append(BotReply("", buttons))
    return out


def language_of(items: list[Any]) -> str | None:
    """The language of the bot's last message in this turn that names one (``{"custom":
    {…, "nav_language": "en"}}``: every message the NLG server renders, and every FAQ
    answer's mark), or None when none did: the conversation's from then on."""
    found = None
    for item in items:
        custom = item.get("custom") if isinstance(item, dict) else None
        if isinstance(custom, dict) and custom.get("nav_language") in ("nb", "en"):
            found = str(custom["nav_language"])
    return found


def signal_of(items: list[Any]) -> BotSignal | None:
    for item in items:
        custom = item.get("custom") if isinstance(item, dict) else None
        if not isinstance(custom, dict):
            continue
        kind = custom.get("nav_signal")
        if isinstance(kind, str) and kind:
            suggestions = custom.get("suggestions")
            names = [str(s) for s in suggestions] if isinstance(suggestions, list) else []
            return BotSignal(kind, names)
    return None


class RasaClient:
    def __init__(self, base_url: str, timeout: float, client: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.client = client
        self.last_latency: float | None = None

    async def _post(self, path: str, json: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            # httpx's timeout is per read; the deadline is for the whole answer
            # (a Rasa that trickles bytes must not hold the visitor either).
            async with asyncio.timeout(self.timeout):
                resp = await self.client.post(self.base_url + path, json=json, timeout=self.timeout)
                resp.raise_for_status()
                return resp.json()
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            raise BotUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self.last_latency = time.perf_counter() - started

    async def send(self, sender: str, message: str) -> BotTurn:
        """Send a visitor message (or button payload) through the REST channel."""
        data = await self._post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        replies = _replies(data)
        return BotTurn(replies, signal_of(data), language_of(data))

    async def resume(self, sender: str) -> None:
        """Unpause the tracker (after a handoff ends)."""
        await self._post(f"/conversations/{quote(sender)}/tracker/events", {"event": "resume"})

    async def erase_tracker(self, sender: str) -> None:
        """Replace the conversation's tracker with an empty one, for the retention.

        Rasa's tracker stores that keep one serialised tracker (in memory, the default
        here) drop the old events; an SQL store only appends, so adapters/trackers.py deletes
        its rows itself (``HUB_RASA_TRACKER_DB_URL``).
        """
        try:
            async with asyncio.timeout(self.timeout):
                resp = await self.client.put(
                    f"{self.base_url}/conversations/{quote(sender)}/tracker/events",
                    json=[],
                    timeout=self.timeout,
                )
                resp.raise_for_status()
        except (httpx.HTTPError, TimeoutError) as exc:
            raise BotUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def domain(self) -> Any:
        """The bot's domain (``GET /domain`` as JSON: intents, responses, ...)."""
        try:
            async with asyncio.timeout(self.timeout):
                resp = await self.client.get(
                    self.base_url + "/domain",
                    headers={"Accept": "application/json"},
                    timeout=self.timeout,
                )
                resp.raise_for_status()
                return resp.json()
        except (httpx.HTTPError, ValueError, TimeoutError) as exc:
            raise BotUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def ready(self) -> bool:
        try:
            resp = await self.client.get(self.base_url + "/status", timeout=2.0)
            return resp.status_code == 200
        except httpx.HTTPError:
            return False
