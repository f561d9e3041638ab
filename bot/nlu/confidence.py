"""When is the bot unsure? Plain decision rules over NLU scores, no Rasa.

Rasa's FallbackClassifier looks only at the intent's confidence. For an FAQ the
intent is just "faq"; which answer to give is the FAQ selector's choice, and
that choice can be unsure while the intent is certain (RasaHQ/rasa #9723).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class UnsureReason(str, Enum):
    """Why the bot is unsure: shown in the logs and the evaluation report."""

    INTENT_LOW = "intent_low"
    FAQ_LOW = "faq_low"
    FAQ_AMBIGUOUS = "faq_ambiguous"
    VAGUE = "vague"  # a short message that fits many answers (bot.nlu.vagueness)


@dataclass(frozen=True)
class Thresholds:
    """The three numbers that decide "unsure". Chosen in docs/thresholds.md."""

    intent: float
    faq: float
    faq_margin: float


def unsure_reason(
    thresholds: Thresholds,
    intent_name: str,
    intent_confidence: float,
    faq_confidences: list[float],
    faq_intent: str = "faq",
) -> UnsureReason | None:
    """The reason to fall back, or None when the bot may answer.

    `faq_confidences` is the FAQ selector's ranking, best first (empty when
    the intent is not the FAQ intent or the selector gave nothing).
    """
    if intent_confidence < thresholds.intent:
        return UnsureReason.INTENT_LOW
    if intent_name != faq_intent or not faq_confidences:
        return None
    if faq_confidences[0] < thresholds.faq:
        return UnsureReason.FAQ_LOW
    runner_up = faq_confidences[1] if len(faq_confidences) > 1 else 0.0
    if faq_confidences[0] - runner_up < thresholds.faq_margin:
        return UnsureReason.FAQ_AMBIGUOUS
    return None


def urgent_possible(urgent_confidence: float, hint: float) -> bool:
    """Whether an unsure turn may be acute need: the emergency numbers go with it.

    Acute need costs far more to miss than to mention needlessly, so a confidence
    well below the intent threshold is enough. Asked only of unsure turns: a sure
    answer is not second-guessed.
    """
    return urgent_confidence >= hint
