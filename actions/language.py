"""The language of a conversation that no message has decided yet: a custom slot mapping.

The `language` slot is filled from the `language` entity when a message decides
(bot/nlu/language_classifier.py). A message that does not decide but leans English
("tax card", "opening hours") reaches this action through the slot's second mapping
(`type: custom`, domain.yml): it opens the conversation in English when nothing has
set the language yet, so the first reply is English rather than Norwegian by default.
The rule itself is `bot.nlu.language.opening_language`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog import LANGUAGE_SLOT
from bot.nlu.language import Detection, opening_language

# Where the language classifier puts what it read (bot/nlu/language_classifier.py).
DETECTED_KEY = "language_detected"


def language_was_set(events: Iterable[dict[str, Any]]) -> bool:
    """Has anything set the `language` slot in this session (a deciding message, a choice)?"""
    was_set = False
    for event in events:
        if event.get("event") == "session_started":
            was_set = False
        elif event.get("event") == "slot" and event.get("name") == LANGUAGE_SLOT:
            was_set = True
    return was_set


def detection_of(parse_data: dict[str, Any]) -> Detection:
    """The classifier's reading of a parsed message (no reading: decides nothing)."""
    detected = parse_data.get(DETECTED_KEY) or {}
    return Detection(detected.get("language"), detected.get("guess"), detected.get("lean"))


class ActionOpeningLanguage(Action):
    """Sets `language` to English for a first English-leaning message; otherwise nothing."""

    def name(self) -> str:
        return "action_opening_language"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[dict[str, Any]]:
        """The slot event, or none."""
        language = opening_language(detection_of(tracker.latest_message), language_was_set(tracker.events))
        return [SlotSet(LANGUAGE_SLOT, language.value)] if language else []
