"""Reading and setting a message's intent from a rule, the one way every rule component does it."""

from __future__ import annotations

from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


def set_intent(message: Message, name: str) -> None:
    """Puts `name` first, sure, before the rest of the classifiers' ranking (kept for the
    actions that read it, such as the topic of a handoff)."""
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)


def classified_text(message: Message) -> tuple[str, str] | None:
    """The text and the chosen intent of a message a rule may look at; None for a message with
    no text or no intent yet, and for a button's payload ("/request_human"), which the visitor
    chose and no rule may change."""
    text = message.get(TEXT)
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if not text or not intent or text.startswith("/"):
        return None
    return str(text), str(intent)
