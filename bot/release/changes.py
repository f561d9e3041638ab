"""What a publish has to do, decided from what changed since the last one.

Texts only (an answer's wording): the checks on texts, then the live texts are replaced
at once (bot/runtime/live_texts.py): no training, no model load. Anything a model
depends on (examples, intents, rules, response names, config, our NLU code): the full
path, train, measure, load. `bot.runtime.training.model_fingerprint` draws the line.
When only examples changed, the model is fine-tuned from the published one instead of
trained from scratch (`finetunes_next`): the same gate, a fraction of the time.
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


# Fine-tuning trains this fraction of each component's epochs (DIET's; our own
# components train in full, they are quick).
FINETUNE_EPOCH_FRACTION = 0.2
# Fine-tunings in a row before the next model is trained from scratch again: each one
# starts from the last, and a model from scratch keeps them from drifting.
DEFAULT_MAX_FINETUNES = 5


def finetunes_next(published_shape: str, shape: str, finetunes: int, max_finetunes: int) -> int | None:
    """How a model of a content with `shape` is trained, given the published model's shape
    (empty: unknown) and the fine-tunings in a row it came from: the count the new model
    will have when it is fine-tuned from the published one, or None to train from scratch.

    Rasa fine-tunes only a model of the same intents, answers, rules, config and code
    (bot/runtime/training.py `shape_fingerprint`), so only a change to examples qualifies.
    """
    if published_shape and published_shape == shape and finetunes < max_finetunes:
        return finetunes + 1
    return None
