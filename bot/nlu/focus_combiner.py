"""FocusCombiner: answers the question inside a long message (`bot.nlu.focus`).

Put it right after the confidence gate. It takes the sentence messages the
tokenizer added out of the list again, and where the bot is unsure of a long
message but sure of one of its sentences, gives the message that sentence's
reading (intent, rankings, FAQ choice). The text stays the whole message.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.confidence_gate import UNSURE_REASON_KEY, URGENT_POSSIBLE_KEY
from bot.nlu.focus import FOCUS_KEY, PART_OF_KEY, Reading, best_part

# What a chosen sentence hands to the whole message.
_READING_KEYS = (INTENT, INTENT_RANKING_KEY, RESPONSE_SELECTOR_PROPERTY_NAME, UNSURE_REASON_KEY)
# Set on a message answered from one of its sentences: that sentence's text.
FOCUS_TEXT_KEY = "focus_text"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FocusCombiner(GraphComponent, IntentClassifier):
    """Picks a long message's sure sentence when the whole is unsure."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {"faq_intent": "faq"}

    def __init__(self, config: dict[str, Any]) -> None:
        self._faq_intent = str(config["faq_intent"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FocusCombiner:
        """Creates the combiner (nothing to train)."""
        return cls(config)

    def _reading(self, message: Message) -> Reading:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(self._faq_intent) or {}
        prediction = selected.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}
        return Reading(str(intent), float(prediction.get(PREDICTED_CONFIDENCE_KEY) or 0.0))

    def process(self, messages: list[Message]) -> list[Message]:
        """Returns the original messages only, each with its best reading."""
        parts: dict[str, list[Message]] = defaultdict(list)
        originals = []
        for message in messages:
            key = message.get(PART_OF_KEY)
            if key:
                parts[str(key)].append(message)
            else:
                originals.append(message)
        for message in originals:
            sentences = parts.get(str(message.get(FOCUS_KEY) or ""), [])
            if not sentences or message.get(URGENT_POSSIBLE_KEY):
                # A whole that may be acute need keeps its emergency numbers.
                continue
            chosen = best_part(
                self._reading(message),
                [self._reading(s) for s in sentences],
                DEFAULT_NLU_FALLBACK_INTENT_NAME,
                self._faq_intent,
            )
            if chosen is None:
                continue
            sentence = sentences[chosen]
            for key in _READING_KEYS:
                message.set(key, sentence.get(key), add_to_output=True)
            message.set(FOCUS_TEXT_KEY, sentence.get("text"), add_to_output=True)
        return originals
