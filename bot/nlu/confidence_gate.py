"""NavConfidenceGate: falls back when the intent *or the chosen FAQ answer* is unsure.

Put it after DIETClassifier and the linear classifier (which chooses the FAQ answer).
On an unsure message it sets the intent to `nlu_fallback` (as Rasa's FallbackClassifier
does) and keeps the FAQ ranking, which the unsure action turns
into suggestions. It learns one thing from the training data: which short
messages are too vague for one answer (`bot.nlu.vagueness`), however confident
the classifiers are about them.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.confidence import Thresholds, UnsureReason, unsure_reason, urgent_possible
from bot.nlu.vagueness import ExampleIndex, VaguenessRule, is_vague

logger = logging.getLogger(__name__)

UNSURE_REASON_KEY = "unsure_reason"
# Set (true) on an unsure message whose acute-need intent is not unlikely.
URGENT_POSSIBLE_KEY = "urgent_possible"


_INDEX_FILE = "examples.json"


def _stems(message: Message) -> list[str]:
    return [str(t.lemma or t.text) for t in message.get(TOKENS_NAMES[TEXT]) or []]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NavConfidenceGate(GraphComponent, IntentClassifier):
    """Predicts `nlu_fallback` when the intent or the FAQ answer is unsure."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (the project sets all in config.yml)."""
        return {
            # Below this intent confidence the bot is unsure.
            "intent_threshold": 0.5,
            # Below this confidence of the chosen FAQ answer the bot is unsure.
            "faq_threshold": 0.5,
            # If the best two FAQ answers are closer than this, the bot is unsure.
            "faq_margin": 0.1,
            # The retrieval intent whose ResponseSelector output is checked.
            "faq_intent": "faq",
            # The acute-need intent, and from which confidence an unsure turn
            # also gives the emergency numbers (1.0: never).
            "urgent_intent": "urgent",
            "urgent_hint": 1.0,
            # A short FAQ message is vague when this many answers or more share
            # the examples with its content words (0: never vague).
            "vague_max_words": VaguenessRule.max_words,
            "vague_min_answers": VaguenessRule.min_answers,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        index: ExampleIndex | None = None,
    ) -> None:
        self._thresholds = Thresholds(
            intent=config["intent_threshold"],
            faq=config["faq_threshold"],
            faq_margin=config["faq_margin"],
        )
        self._faq_intent: str = config["faq_intent"]
        self._urgent_intent: str = config["urgent_intent"]
        self._urgent_hint = float(config["urgent_hint"])
        self._vague = VaguenessRule(
            max_words=int(config["vague_max_words"]), min_answers=int(config["vague_min_answers"])
        )
        self._storage = model_storage
        self._resource = resource
        self._index = index

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NavConfidenceGate:
        """Creates the gate; `train` learns which messages are vague."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NavConfidenceGate:
        """Loads the examples' index; without one no message is judged vague."""
        try:
            with model_storage.read_from(resource) as directory:
                index = ExampleIndex.load(directory / _INDEX_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No example index for %s: no message is judged vague.", cls.__name__)
            index = None
        return cls(config, model_storage, resource, index)

    def train(self, training_data: TrainingData) -> Resource:
        """Indexes the training examples' stems by answer (the FAQ id, or the intent)."""
        examples = [
            (str(m.get(INTENT_RESPONSE_KEY) or m.get(INTENT)), _stems(m))
            for m in training_data.intent_examples
            if m.get(TEXT)
        ]
        self._index = ExampleIndex.build(examples, self._vague)
        assert self._storage is not None and self._resource is not None
        with self._storage.write_to(self._resource) as directory:
            self._index.save(directory / _INDEX_FILE)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets `nlu_fallback` on unsure messages."""
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not name:
                continue
            confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            reason = unsure_reason(
                self._thresholds,
                name,
                confidence,
                self._faq_ranking(message),
                self._faq_intent,
            )
            if reason is None and name == self._faq_intent and self._is_vague(message):
                reason = UnsureReason.VAGUE
            if reason is None:
                continue
            logger.debug("Unsure (%s) about '%s'", reason.value, message.get("text"))
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: confidence,
            }
            message.set(INTENT, fallback, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
            message.set(UNSURE_REASON_KEY, reason.value, add_to_output=True)
            urgent = max(
                (
                    float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                    for r in ranking
                    if r.get(INTENT_NAME_KEY) == self._urgent_intent
                ),
                default=0.0,
            )
            if urgent_possible(urgent, self._urgent_hint):
                message.set(URGENT_POSSIBLE_KEY, True, add_to_output=True)
        return messages

    def _is_vague(self, message: Message) -> bool:
        if self._index is None or self._vague.min_answers <= 0:
            return False
        return is_vague(_stems(message), self._index, self._vague)

    def _faq_ranking(self, message: Message) -> list[float]:
        selector = (message.get("response_selector") or {}).get(self._faq_intent) or {}
        return [float(r.get(PREDICTED_CONFIDENCE_KEY, 0.0)) for r in selector.get("ranking", [])]
