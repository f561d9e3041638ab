"""SmallTalkClassifier: a message that is only a greeting and the writer's name is `greet`.

Put it after the confidence gate. The rule is `bot.nlu.small_talk.is_self_introduction`;
it overrides whatever the classifiers chose, sure or not, because such a message asks
nothing: an FAQ answer to it is always wrong. Acute need keeps its place.
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
from bot.nlu.small_talk import is_self_introduction


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SmallTalkClassifier(GraphComponent, IntentClassifier):
    """Sets `greet` on a greeting that only names the writer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {"greet_intent": "greet", "keep_intents": ["urgent"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self._greet = str(config["greet_intent"])
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
        """Sets `greet` on each message that is only a greeting and a name."""
        for message in messages:
            classified = classified_text(message)
            if (
                classified is not None
                and classified[1] not in self._keep
                and is_self_introduction(classified[0])
            ):
                set_intent(message, self._greet)
        return messages
