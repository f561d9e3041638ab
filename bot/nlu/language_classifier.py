"""LanguageClassifier: the visitor's language, for the `language` slot.

Put it last in the pipeline. It reads each message with `bot.nlu.language` and
- adds the entity `language` ("nb" or "en") when the message, as a whole, is in one of
  them: the slot of the same name takes it (domain.yml), so the conversation keeps its
  language until a message in the other one comes, and the responses' `condition:` on
  the slot picks the English or the Norwegian text;
- sets the intent `choose_language` (with the entity) when the visitor asks the chat to
  speak English or Norwegian ("Can I speak English with you?", the widget's switch sends
  the intent itself);
- sets the intent `other_language` for a message in another language: the visitor gets
  the bilingual answer with the interpreter and the way to a person, never a guessed FAQ.
  A wish for a person (`request_human`, `request_callback`) keeps its place.
Every parsed message carries `language_detected` ({"language", "guess", "lean"}): for
people to read, and for the slot's custom mapping (actions/language.py), which opens a
conversation in English on a first message that leans English without deciding.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_override import classified_text, set_intent
from bot.nlu.language import OTHER, detect_language, requested_language, warm_up

LANGUAGE_ENTITY = "language"
DETECTED_KEY = "language_detected"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageClassifier(GraphComponent, IntentClassifier):
    """Adds the `language` entity; sets `choose_language` / `other_language` when they apply."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            "choose_intent": "choose_language",
            "other_intent": "other_language",
            # Intents a message in another language keeps: the wish for a person.
            "keep_intents": ["request_human", "request_callback"],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._choose = str(config["choose_intent"])
        self._other = str(config["other_intent"])
        self._keep = frozenset(config["keep_intents"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageClassifier:
        """Creates the classifier (nothing to train), its models loaded."""
        warm_up()
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Marks each message's language; overrides the intent where the language decides."""
        for message in messages:
            classified = classified_text(message)
            if classified is None:
                continue
            text, intent = classified
            asked = requested_language(text)
            if asked is not None:
                self._add_entity(message, asked.value, text)
                set_intent(message, self._choose)
                continue
            detection = detect_language(text)
            message.set(
                DETECTED_KEY,
                {"language": detection.language, "guess": detection.guess, "lean": detection.lean},
                add_to_output=True,
            )
            if detection.language == OTHER:
                if intent not in self._keep:
                    set_intent(message, self._other)
            elif detection.language is not None:
                self._add_entity(message, detection.language, text)
        return messages

    @staticmethod
    def _add_entity(message: Message, language: str, text: str) -> None:
        entities = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != LANGUAGE_ENTITY]
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: language,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                EXTRACTOR: "LanguageClassifier",
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)
