"""SmallTalkClassifier: a message made only of small talk is `greet`, `thanks` or `goodbye`.

Put it after the confidence gate. The rule is `bot.nlu.small_talk.small_talk_intent`; it
overrides whatever the classifiers chose, sure or not, because such a message asks
nothing: an FAQ answer or the unsure turn to it is always wrong. Acute need, a yes and a no
keep their place.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_override import classified_text, set_intent
from bot.nlu.small_talk import small_talk_intent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SmallTalkClassifier(GraphComponent, IntentClassifier):
    """Sets the small-talk intent of a message that is only small talk."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        # Acute need keeps its emergency numbers; a yes or a no answers the bot's question.
        return {"keep_intents": ["urgent", "affirm", "deny"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self._keep = frozenset(config["keep_intents"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SmallTalkClassifier:
        """Creates the classifier (nothing to train)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets greet, thanks or goodbye on each message made only of small talk."""
        for message in messages:
            classified = classified_text(message)
            if classified is None or classified[1] in self._keep:
                continue
            intent = small_talk_intent(classified[0])
            if intent is not None:
                set_intent(message, intent)
        return messages
