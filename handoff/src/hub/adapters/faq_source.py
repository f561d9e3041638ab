"""The bot's FAQ answers, read from the running Rasa (``GET /domain``) for the advisors'
search and the unanswered list; ranking and parsing are in rules/faq.py."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from hub.adapters.rasa import BotUnavailable, RasaClient
from hub.errors import FaqUnavailable
from hub.rules.faq import FaqEntry, entries_from_domain

log = logging.getLogger("hub")


class FaqSource:
    """The bot's FAQ answers, fetched from Rasa at most every ``ttl`` seconds.

    Refreshed lazily on use. If Rasa does not answer, the last good copy is
    served; with no copy yet, :class:`FaqUnavailable` (503). After a failure
    Rasa is not asked again for ``retry_seconds``.
    """

    def __init__(
        self,
        bot: RasaClient,
        ttl: float = 300.0,
        retry_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot, self.ttl, self.retry_seconds, self._now = bot, ttl, retry_seconds, monotonic
        self._entries: list[FaqEntry] | None = None
        self._next_fetch = 0.0
        self._lock = asyncio.Lock()

    async def entries(self) -> list[FaqEntry]:
        if self._now() < self._next_fetch and self._entries is not None:
            return self._entries
        async with self._lock:
            if self._now() >= self._next_fetch:
                await self._refresh()
        if self._entries is None:
            raise FaqUnavailable()
        return self._entries

    def cached_titles(self) -> dict[str, str]:
        """FAQ id → title from the copy at hand, without asking Rasa ({} before the first)."""
        return {e.id: e.question for e in self._entries or ()}

    async def _refresh(self) -> None:
        try:
            entries = entries_from_domain(await self.bot.domain())
        except (BotUnavailable, ValueError) as exc:
            self._next_fetch = self._now() + self.retry_seconds
            log.warning(
                "faq answers not refreshed from rasa",
                extra={"error": str(exc), "stale_copy": self._entries is not None},
            )
            return
        self._entries = entries
        self._next_fetch = self._now() + self.ttl
