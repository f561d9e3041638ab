"""The bot's side of the handoff contract (docs/contracts/handoff.md)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0


class HandoffReason(str, Enum):
    """Why a person should take over."""

    ASKED_FOR_PERSON = "asked_for_person"
    UNSURE = "unsure"
    URGENT = "urgent"


class Refusal(str, Enum):
    """Why the hub could not queue the visitor."""

    CLOSED = "closed"
    QUEUE_FULL = "queue_full"
    NO_ADVISORS = "no_advisors"
    UNAVAILABLE = "unavailable"  # the hub did not answer, or answered with an error


@dataclass(frozen=True)
class HandoffRequest:
    """What the bot tells the hub."""

    conversation_id: str
    reason: HandoffReason
    topic: str
    faq_id: str | None
    transcript: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "reason": self.reason.value,
            "topic": self.topic,
            "faq_id": self.faq_id,
            "transcript": self.transcript,
        }


@dataclass(frozen=True)
class HandoffOutcome:
    """The hub's answer: queued (with position and wait) or refused (with why)."""

    queued: bool
    position: int | None = None
    estimated_wait_minutes: int | None = None
    refusal: Refusal | None = None
    next_open: str | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> HandoffOutcome:
        if body.get("status") == "queued":
            return cls(
                queued=True,
                position=int(body.get("position") or 1),
                estimated_wait_minutes=int(body.get("estimated_wait_minutes") or 0),
            )
        try:
            refusal = Refusal(body.get("reason"))
        except ValueError:
            refusal = Refusal.UNAVAILABLE
        return cls(queued=False, refusal=refusal, next_open=body.get("next_open"))


UNAVAILABLE = HandoffOutcome(queued=False, refusal=Refusal.UNAVAILABLE)


@dataclass(frozen=True)
class HubSettings:
    """Where the hub is; read when an action runs, never at import."""

    url: str | None
    secret: str

    @classmethod
    def from_env(cls) -> HubSettings:
        return cls(url=os.environ.get("HUB_URL") or None, secret=os.environ.get("HUB_BOT_SECRET", ""))


async def request_handoff(settings: HubSettings, request: HandoffRequest) -> HandoffOutcome:
    """Asks the hub to queue the visitor; any failure is a refusal, never an exception."""
    if not settings.url:
        logger.warning("HUB_URL is not set: handoff of %s refused.", request.conversation_id)
        return UNAVAILABLE
    url = settings.url.rstrip("/") + "/internal/handoff"
    headers = {"Authorization": f"Bearer {settings.secret}"}
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(url, json=request.as_json(), headers=headers) as response,
        ):
            if response.status != 200:
                logger.error("Hub answered %s to handoff of %s", response.status, request.conversation_id)
                return UNAVAILABLE
            return HandoffOutcome.from_json(await response.json())
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.error("Hub unreachable for handoff of %s: %s", request.conversation_id, error)
        return UNAVAILABLE
