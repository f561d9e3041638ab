"""PersonRequestClassifier: a wish for a person is heard wherever it stands.

Put it last in the pipeline, after the confidence gate. When the message asks for
a person (`bot.nlu.person_request`), it sets the intent to `request_human`, or to
`request_callback` for a wish to be called, and keeps the FAQ ranking, which the
handoff action reads for the topic's queue. Acute need is left alone: its own
urgent handoff comes first. The other way round, a question whether one talks to a
machine ("snakker jeg med et menneske?") that the classifiers took for a request is
set back to `bot_challenge`: the visitor asked, and gets the answer and the button.
So is an unsure or out-of-scope message that asks just that, or what or who the chat is ("hva er du
for noe", "er du levende"): short questions with few words the classifiers can hold on
to, where "unsure" would leave the visitor's question unanswered.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_override import classified_text, set_intent
from bot.nlu.person_request import PersonRequest, is_identity_question, is_machine_question, person_request

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
            # Intents that give the visitor no answer: a question about the chat itself
            # that the classifiers gave one of them (or left unsure) gets bot_challenge.
            "not_answered_intents": ["out_of_scope"],
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
        self._not_answered = frozenset({DEFAULT_NLU_FALLBACK_INTENT_NAME, *config["not_answered_intents"]})

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
            classified = classified_text(message)
            if classified is None or classified[1] in self._keep:
                continue
            text, intent = classified
            wish = person_request(text)
            if wish is not None:
                set_intent(message, self._intents[wish])
                message.set(PERSON_REQUEST_KEY, wish.value, add_to_output=True)
            elif self._asks_what_the_chat_is(intent, text):
                set_intent(message, self._machine_question)
        return messages

    def _asks_what_the_chat_is(self, intent: str, text: str) -> bool:
        """A machine question taken for a request, or an unsure one about the chat itself."""
        if intent == self._intents[PersonRequest.PERSON]:
            return is_machine_question(text)
        if intent in self._not_answered:
            return is_machine_question(text) or is_identity_question(text)
        return False
