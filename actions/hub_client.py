"""The bot's side of the handoff contract (docs/contracts/handoff.md).

The action runs inside Rasa's answer to the hub, and the hub gives that whole answer
`HUB_RASA_TIMEOUT_SECONDS` (10 s by default; handoff/README.md) before it tells the
visitor the bot is not answering. Rasa's own limit for an action (300 s) is far
longer, so the hub's 10 s is the bound: the two attempts below take at most
4 + 3 = 7 s, which leaves the rest of the turn (NLU, the other actions) 3 s.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeGuard

import aiohttp

logger = logging.getLogger(__name__)

# One attempt, then one retry; each limit covers connecting, sending and reading. Both stay
# under 5 s, above which aiohttp rounds a deadline up to the next whole second.
ATTEMPT_TIMEOUTS: tuple[float, ...] = (4.0, 3.0)


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


class MalformedReply(ValueError):
    """The hub's 200 answer does not have the contract's shape."""


@dataclass(frozen=True)
class HandoffRequest:
    """What the bot tells the hub."""

    conversation_id: str
    reason: HandoffReason
    topic: str
    faq_id: str | None
    transcript: list[dict[str, Any]]
    # The conversation's language ("nb" or "en"): the advisor sees it, the hub's own
    # texts to the visitor follow it.
    language: str = "nb"

    def as_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "reason": self.reason.value,
            "topic": self.topic,
            "faq_id": self.faq_id,
            "transcript": self.transcript,
            "language": self.language,
        }


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class HandoffOutcome:
    """The hub's answer: queued (with position and wait) or refused (with why)."""

    queued: bool
    position: int | None = None
    estimated_wait_minutes: int | None = None
    refusal: Refusal | None = None
    next_open: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> HandoffOutcome:
        """Reads the contract's answer; raises MalformedReply for any other shape."""
        if not isinstance(body, dict):
            raise MalformedReply(f"not a JSON object: {type(body).__name__}")
        status = body.get("status")
        if status == "queued":
            position, wait = body.get("position"), body.get("estimated_wait_minutes")
            if not _is_int(position) or position < 1:
                raise MalformedReply(f"position is not a whole number from 1: {position!r}")
            # The hub leaves the wait out (null) while no advisor is available.
            if wait is not None and (not _is_int(wait) or wait < 0):
                raise MalformedReply(f"estimated_wait_minutes is not a whole number: {wait!r}")
            return cls(queued=True, position=position, estimated_wait_minutes=wait)
        if status == "refused":
            reason, next_open = body.get("reason"), body.get("next_open")
            if not isinstance(reason, str):
                raise MalformedReply(f"reason is not a string: {reason!r}")
            if next_open is not None and not isinstance(next_open, str):
                raise MalformedReply(f"next_open is not a string: {next_open!r}")
            try:
                refusal = Refusal(reason)
            except ValueError:
                # A reason added to the hub later: still a refusal, told as "unavailable".
                refusal = Refusal.UNAVAILABLE
            return cls(queued=False, refusal=refusal, next_open=next_open)
        raise MalformedReply(f"status is neither queued nor refused: {status!r}")


UNAVAILABLE = HandoffOutcome(queued=False, refusal=Refusal.UNAVAILABLE)


@dataclass(frozen=True)
class HubSettings:
    """Where the hub is; read when an action runs, never at import."""

    url: str | None
    secret: str
    attempt_timeouts: tuple[float, ...] = ATTEMPT_TIMEOUTS

    @classmethod
    def from_env(cls) -> HubSettings:
        return cls(url=os.environ.get("HUB_URL") or None, secret=os.environ.get("HUB_BOT_SECRET", ""))


async def request_handoff(settings: HubSettings, request: HandoffRequest) -> HandoffOutcome:
    """Asks the hub to queue the visitor; any failure is a refusal, never an exception.

    A timeout or a broken connection may come after the hub queued the visitor: the
    hub then stops passing the visitor's messages to the bot, so a bot that said "no"
    would leave the visitor talking to nobody. The request is sent once more, the same:
    the hub answers a repeated request with the open queue entry. An answer (an HTTP
    error, a malformed body) is not retried: it would be the same again.
    """
    if not settings.url:
        logger.warning("HUB_URL is not set: handoff of %s refused.", request.conversation_id)
        return UNAVAILABLE
    url = settings.url.rstrip("/") + "/internal/handoff"
    headers = {"Authorization": f"Bearer {settings.secret}"}
    body = request.as_json()
    attempts = len(settings.attempt_timeouts)
    for attempt, seconds in enumerate(settings.attempt_timeouts, start=1):
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
                session.post(url, json=body, headers=headers) as response,
            ):
                if response.status != 200:
                    logger.error("Hub answered %s to handoff of %s", response.status, request.conversation_id)
                    return UNAVAILABLE
                return HandoffOutcome.from_json(await response.json())
        except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as error:
            logger.warning(
                "Handoff of %s, attempt %d of %d: no answer from the hub (%s)",
                request.conversation_id, attempt, attempts, type(error).__name__,
            )  # fmt: skip
        except (aiohttp.ClientError, ValueError) as error:
            # A body that is no JSON, or not the contract's: the hub is broken, not slow.
            logger.error("Hub's answer to handoff of %s is unreadable: %s", request.conversation_id, error)
            return UNAVAILABLE
    logger.error("Hub unreachable for handoff of %s after %d attempts", request.conversation_id, attempts)
    return UNAVAILABLE
