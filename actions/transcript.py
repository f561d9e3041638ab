"""The conversation so far, as the handoff contract carries it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def transcript(tracker: Tracker) -> list[dict[str, Any]]:
    """Visitor and bot texts of the tracker, oldest first.

    Payloads ("/start", button intents) are not what the visitor wrote: left out.
    """
    lines: list[dict[str, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if not text or kind not in ("user", "bot"):
            continue
        if kind == "user" and text.startswith("/"):
            continue
        lines.append(
            {
                "sender": "visitor" if kind == "user" else "bot",
                "text": text,
                "timestamp": event.get("timestamp"),
            }
        )
    return lines
