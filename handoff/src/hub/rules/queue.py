"""The queue's vocabulary: why a visitor is queued, how an advisor ends a chat, topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.errors import InvalidRequest
from hub.rules.topics import TOPICS

REASONS = ("asked_for_person", "unsure", "urgent")
OUTCOMES = ("besvart", "henvist", "ikke_besvart")


def check_topic(topic: Any) -> str:
    if topic not in TOPICS:
        raise InvalidRequest(f"Ukjent tema. Gyldige tema er: {', '.join(TOPICS)}.")
    return str(topic)


def check_outcome(outcome: Any) -> str:
    if outcome not in OUTCOMES:
        raise InvalidRequest(f"Utfallet må være ett av: {', '.join(OUTCOMES)}.")
    return str(outcome)


def unanswered_ids(messages: list[tuple[int, str, datetime]], queued_at: datetime) -> list[int]:
    """The visitor's messages no advisor has answered, written since the conversation went
    to the queue (``queued_at``; what the bot was told before is the bot's part): those
    after the last advisor message. ``messages`` are ``(id, sender, created_at)`` in order.
    An advisor who takes a chat sees these marked as new. The bot's own reply to the
    request for a person may come after the first of them, so bot messages do not count."""
    tail: list[int] = []
    for message_id, sender, created_at in messages:
        if sender == "advisor":
            tail = []
        elif sender == "visitor" and created_at >= queued_at:
            tail.append(message_id)
    return tail


@dataclass(frozen=True)
class QueueInfo:
    """A waiting visitor's place. ``estimated_wait_minutes`` is None while no advisor
    is available (``advisors_available`` = 0): the widget says so instead of a number."""

    topic: str
    position: int
    estimated_wait_minutes: int | None
    urgent: bool
    advisors_available: int


@dataclass(frozen=True)
class Waiting:
    """A visitor waiting in a topic queue, as the advisors' overview lists them."""

    conversation_id: str
    reason: str
    urgent: bool
    waiting_seconds: int
    first_lines: list[str]
    language: str = "nb"  # the conversation's language: "nb" or "en"


@dataclass(frozen=True)
class TopicQueue:
    topic: str
    waiting: list[Waiting]


@dataclass(frozen=True)
class ChatHead:
    """One of an advisor's open chats and the id of its newest message."""

    conversation_id: str
    last_message_id: int
