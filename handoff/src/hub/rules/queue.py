"""The queue's vocabulary: why a visitor is queued, how an advisor ends a chat, topics."""

from __future__ import annotations

from dataclasses import dataclass
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


def unanswered_ids(messages: list[tuple[int, str]]) -> list[int]:
    """The visitor's messages that nobody has answered yet: those after the last message
    from the bot or an advisor (system notices do not answer). ``messages`` are
    ``(id, sender)`` in order. An advisor who takes a chat sees these marked as new (the
    visitor may have written them while waiting in the queue)."""
    tail: list[int] = []
    for message_id, sender in messages:
        if sender == "visitor":
            tail.append(message_id)
        elif sender in ("bot", "advisor"):
            tail = []
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


@dataclass(frozen=True)
class TopicQueue:
    topic: str
    waiting: list[Waiting]


@dataclass(frozen=True)
class ChatHead:
    """One of an advisor's open chats and the id of its newest message."""

    conversation_id: str
    last_message_id: int
