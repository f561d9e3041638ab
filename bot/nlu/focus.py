"""Reading a long message sentence by sentence: which reading to trust.

The tokenizer adds, for each long message, one extra message per sentence
(`bot.nlu.sentences`), marked as its part; every classifier then reads them as it
reads any message. The `FocusCombiner` (bot/nlu/focus_combiner.py), after the
confidence gate, keeps the whole message's reading unless the bot is unsure of
it and one sentence alone is a sure FAQ; then that sentence's reading is used.
Only unsure turns change, so a clear message is never second-guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.sentences import message_parts

# On a long message: its key. On a sentence of it: the key of the whole.
FOCUS_KEY = "focus_key"
PART_OF_KEY = "part_of"


@dataclass(frozen=True)
class Reading:
    """What the NLU made of one text, as far as choosing goes."""

    intent: str
    faq_confidence: float  # the chosen FAQ answer's confidence (0 when not an FAQ)


def best_part(whole: Reading, parts: Sequence[Reading], fallback: str, faq_intent: str) -> int | None:
    """The index of the sentence to answer from, or None to keep the whole.

    Only when the whole is unsure; then the most confident sentence that the
    gate let through as an FAQ.
    """
    if whole.intent != fallback:
        return None
    sure = [(r.faq_confidence, i) for i, r in enumerate(parts) if r.intent == faq_intent]
    return max(sure)[1] if sure else None


def with_parts(messages: list[Message]) -> list[Message]:
    """The messages, followed by one message per sentence of each long one."""
    extra: list[Message] = []
    for number, message in enumerate(messages):
        text = message.get(TEXT)
        if not isinstance(text, str) or text.startswith("/"):
            continue
        spans = message_parts(text)
        if not spans:
            continue
        key = f"m{number}"
        message.set(FOCUS_KEY, key)
        for start, end in spans:
            part = Message(data={TEXT: text[start:end]})
            part.set(PART_OF_KEY, key)
            extra.append(part)
    return [*messages, *extra]
