"""Reading the NLU result of the visitor's latest message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.catalog import faq_id_of

FAQ_SELECTOR = "faq"


def faq_ranking(tracker: Tracker) -> list[tuple[str, float]]:
    """The FAQ ranking (bot/nlu/linear_classifier.py), best first, as (faq id, confidence)."""
    selector: dict[str, Any] = (tracker.latest_message.get("response_selector") or {}).get(FAQ_SELECTOR) or {}
    return [
        (faq_id_of(r["intent_response_key"]), float(r.get("confidence", 0.0)))
        for r in selector.get("ranking", [])
        if r.get("intent_response_key")
    ]


def clicked_faq(tracker: Tracker) -> str | None:
    """The FAQ the visitor chose by button (`/faq{"faq_id": ...}`), if they did."""
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "faq_id" and entity.get("value"):
            return str(entity["value"])
    return None


def chosen_faq(tracker: Tracker) -> str | None:
    """The FAQ the visitor chose by button, else the selector's best guess."""
    clicked = clicked_faq(tracker)
    if clicked:
        return clicked
    ranking = faq_ranking(tracker)
    return ranking[0][0] if ranking else None


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the intent of the latest message."""
    intent = tracker.latest_message.get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None
