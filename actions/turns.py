"""What the bot did in the turn before the visitor's latest message."""

from __future__ import annotations

from rasa_sdk import Tracker

# Actions that are bookkeeping, not a reply the visitor saw.
_NOT_A_REPLY = frozenset({"action_listen", "action_session_start", "action_unsure_reset"})


def previous_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the latest user message, if any."""
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None  # two user messages with no bot turn between them
            seen_user = True
        elif kind == "action" and seen_user and event.get("name") not in _NOT_A_REPLY:
            name = event.get("name")
            return str(name) if name else None
    return None
