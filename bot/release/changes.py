"""What a publish has to do, decided from what changed since the last one.

Texts only (an answer's wording): the checks on texts, then the live texts are replaced
at once (bot/runtime/live_texts.py): no training, no model load. Anything a model
depends on (examples, intents, rules, response names, config, our NLU code): the full
path, train, measure, load. `bot.runtime.training.model_fingerprint` draws the line.
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """The path a publish took; the editors' page shows it."""

    unchanged = "unchanged"  # nothing to publish
    texts = "texts"  # only texts changed: live at once
    model = "model"  # the model's inputs changed: trained, measured, loaded


def route(published_inputs: str | None, inputs: str, live_digest: str | None, digest: str) -> Route:
    """The route for content with model `inputs` and texts `digest`, given the published
    model's inputs (None: unknown, so trained) and the live texts' digest (None: none yet)."""
    if published_inputs != inputs:
        return Route.model
    if live_digest != digest:
        return Route.texts
    return Route.unchanged
