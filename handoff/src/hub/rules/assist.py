"""Less typing for advisors: the catalogue answers to suggest for a chat before the advisor
searches, and a short summary of the bot's part at the top of a claimed chat.

Plain functions over what the hub already has: the messages, the queue entry's topic and
reason, and the bot's FAQ answers (rules/faq.py, read from Rasa by adapters/faq_source.py).
The suggestions use the search's ranking (each word's rarity over the answers, 3 × in the
title, 1 × only in the answer) on the visitor's latest message that says what it is about.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from hub.rules.faq import FaqEntry, scored, words
from hub.rules.kinds import Sender

# Asking for a person says nothing about which answer helps.
REQUEST_WORDS = frozenset(
    words(
        "snakke snakk prate chatte veileder veiledere saksbehandler menneske person ekte "
        "ansatt hjelp hjelpe trenger takk hei hallo ok ja nei få gjerne noen annen andre "
        "men ingen bare også"
    )
)
SUGGESTIONS = 3
# Answers in the chat's own topic count a little more.
TOPIC_BONUS = 1.25
# Below this share of the best score an answer is not worth the advisor's glance.
RELATIVE_FLOOR = 0.5
TITLE_LENGTH = 90


class MessageFact(Protocol):
    """What a stored message has (db.models.Message)."""

    @property
    def id(self) -> int: ...
    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def faq_id(self) -> str | None: ...


M = TypeVar("M", bound=MessageFact)


def content_words(text: str) -> set[str]:
    """The stems that say what a message is about."""
    return words(text) - REQUEST_WORDS


def latest_question(messages: Sequence[M]) -> M | None:
    """The visitor's latest message that says what it is about (not "can I talk to someone")."""
    for m in reversed(messages):
        if m.sender == Sender.visitor and content_words(m.text):
            return m
    return None


def suggest(
    entries: Sequence[FaqEntry], question: str, topic: str | None, limit: int = SUGGESTIONS
) -> list[FaqEntry]:
    """The catalogue answers for ``question``, best first: the search's ranking, answers
    in ``topic`` a little ahead, none far below the best."""
    found = [
        (e, score * (TOPIC_BONUS if topic and e.topic == topic else 1.0))
        for e, score in scored(list(entries), content_words(question))
    ]
    if not found:
        return []
    found.sort(key=lambda pair: -pair[1])
    best = found[0][1]
    return [e for e, score in found[:limit] if score >= RELATIVE_FLOOR * best]


@dataclass(frozen=True)
class BotAnswer:
    faq_id: str
    title: str


@dataclass(frozen=True)
class ChatSummary:
    """What the advisor needs before reading the bot's part: the topic, why the visitor
    was handed over, what they asked first and last, and which answers the bot gave."""

    topic: str
    reason: str
    first_question: str | None
    last_question: str | None
    bot_answers: list[BotAnswer]
    visitor_messages: int


def _short(text: str, limit: int = TITLE_LENGTH) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def summarise(
    topic: str, reason: str, messages: Sequence[MessageFact], titles: Mapping[str, str]
) -> ChatSummary:
    """The summary of the bot's part (the messages before an advisor's first). An answer
    is named by its title in ``titles`` (the bot's FAQ), or by its first words."""
    bot_part: list[MessageFact] = []
    for m in messages:
        if m.sender == Sender.advisor:
            break
        bot_part.append(m)
    answers: dict[str, BotAnswer] = {}
    for m in bot_part:
        if m.sender == Sender.bot and m.faq_id and m.faq_id not in answers:
            answers[m.faq_id] = BotAnswer(m.faq_id, _short(titles.get(m.faq_id) or m.text))
    asked = [m for m in bot_part if m.sender == Sender.visitor and content_words(m.text)]
    first = _short(asked[0].text, 200) if asked else None
    last = _short(asked[-1].text, 200) if len(asked) > 1 else None
    return ChatSummary(
        topic=topic,
        reason=reason,
        first_question=first,
        last_question=last,
        bot_answers=list(answers.values()),
        visitor_messages=sum(1 for m in bot_part if m.sender == Sender.visitor),
    )
