"""Rasa's memory of conversations (its trackers), erased when the hub deletes them:
through Rasa's HTTP API (its in-memory store) or in its SQL tracker store's ``events``
table (``HUB_RASA_TRACKER_DB_URL``). See core/retention.py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from hub.adapters.rasa import BotUnavailable, RasaClient
from hub.db.engine import create_engine
from hub.settings import Settings

PARALLEL_ERASES = 8


class TrackersNotErased(Exception):
    """Rasa's tracker events for a batch could not be deleted."""


class TrackerEraser(Protocol):
    async def erase(self, sender_ids: Sequence[str]) -> None:
        """Delete Rasa's events for these conversations, or raise TrackersNotErased."""

    async def close(self) -> None: ...


class RasaApiEraser:
    """Through Rasa's HTTP API: for its in-memory tracker store."""

    def __init__(self, bot: RasaClient) -> None:
        self.bot = bot

    async def erase(self, sender_ids: Sequence[str]) -> None:
        turns = asyncio.Semaphore(PARALLEL_ERASES)

        async def one(sender: str) -> None:
            async with turns:
                await self.bot.erase_tracker(sender)

        try:
            async with asyncio.TaskGroup() as group:
                for sender in sender_ids:
                    group.create_task(one(sender))
        except* BotUnavailable as failed:
            raise TrackersNotErased(str(failed.exceptions[0])) from None

    async def close(self) -> None:
        return None


class RasaSqlEraser:
    """In Rasa's SQL tracker store (table ``events``, one row per event, ``sender_id``)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, null_pool=True)

    async def erase(self, sender_ids: Sequence[str]) -> None:
        statement = text("DELETE FROM events WHERE sender_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        try:
            async with self.engine.begin() as conn:
                await conn.execute(statement, {"ids": list(sender_ids)})
        except SQLAlchemyError as exc:
            raise TrackersNotErased(type(exc).__name__) from None

    async def close(self) -> None:
        await self.engine.dispose()


def tracker_eraser(settings: Settings, bot: RasaClient) -> TrackerEraser:
    if settings.rasa_tracker_db_url:
        return RasaSqlEraser(settings.rasa_tracker_db_url)
    return RasaApiEraser(bot)
