"""PersonRequestClassifier: a wish for a person is heard wherever it stands.

Put it last in the pipeline, after the confidence gate. When the message asks for
a person (`bot.nlu.person_request`), it sets the intent to `request_human`, or to
`request_callback` for a wish to be called, and keeps the FAQ ranking, which the
handoff action reads for the topic's queue. Acute need is left alone: its own
urgent handoff comes first. The other way round, a question whether one talks to a
machine ("snakker jeg med et menneske?") that the classifiers took for a request is
set back to `bot_challenge`: the visitor asked, and gets the answer and the button.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.person_request import PersonRequest, is_machine_question, person_request

# Set on a message whose intent this component chose: "person" or "callback".
PERSON_REQUEST_KEY = "person_request"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequestClassifier(GraphComponent, IntentClassifier):
    """Sets `request_human` / `request_callback` when the message asks for a person."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            "person_intent": "request_human",
            "callback_intent": "request_callback",
            "machine_question_intent": "bot_challenge",
            # Intents that keep their place whatever else the message says.
            "keep_intents": ["urgent"],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._intents = {
            PersonRequest.PERSON: str(config["person_intent"]),
            PersonRequest.CALLBACK: str(config["callback_intent"]),
        }
        self._keep = frozenset(config["keep_intents"])
        self._machine_question = str(config["machine_question_intent"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonRequestClassifier:
        """Creates the classifier (nothing to train)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Overrides the intent of messages that ask for a person."""
        for message in messages:
            text = message.get(TEXT)
            intent = message.get(INTENT) or {}
            if not text or not intent.get(INTENT_NAME_KEY) or text.startswith("/"):
                continue
            if intent.get(INTENT_NAME_KEY) in self._keep:
                continue
            wish = person_request(text)
            if wish is not None:
                self._set(message, self._intents[wish])
                message.set(PERSON_REQUEST_KEY, wish.value, add_to_output=True)
            elif intent.get(INTENT_NAME_KEY) == self._intents[PersonRequest.PERSON] and is_machine_question(
                text
            ):
                self._set(message, self._machine_question)
        return messages

    @staticmethod
    def _set(message: Message, name: str) -> None:
        """Puts `name` first, sure, before the rest of the ranking."""
        chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
