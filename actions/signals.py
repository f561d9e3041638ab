"""The bot's signals to the hub: what it could not answer, for content editors."""

from __future__ import annotations

from typing import Any


def hub_signal(kind: str, suggestions: list[str]) -> dict[str, Any]:
    """The custom message that tells the hub a question went unanswered (or unhelped).

    Rasa's REST channel sends it as its own `{"custom": ...}` item; the hub keeps
    it for content editors and does not show it (docs/contracts/handoff.md).
    """
    return {"nav_signal": kind, "suggestions": suggestions}


def faq_mark(faq_id: str, language: str) -> dict[str, Any]:
    """The custom message that tells the hub the reply before it is the answer `faq_id`,
    in the conversation's `language` ("nb" or "en").

    The hub stores it with the answer, and the widget asks "Var svaret nyttig?" under it
    (docs/contracts/handoff.md, "Bot signals"); the language is the conversation's from
    then on for the hub and the widget's own texts (docs/english.md).
    """
    return {"nav_faq": faq_id, **language_mark(language)}


def language_mark(language: str) -> dict[str, Any]:
    """The custom field that tells the hub the language a bot message was written in
    ("nb" or "en"). The NLG server adds it to every message it renders, so a
    conversation that is English from a greeting or small talk on is English for the
    hub and the widget's own texts too, not only after an FAQ answer."""
    return {"nav_language": language}
