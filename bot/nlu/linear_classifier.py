"""LinearIntentClassifier: a linear intent model beside DIET, blended with it; the FAQ selector.

Place it after DIETClassifier. It reads the sentence features of the named featurizers
(word and character counts, the sentence embedding), fits
`bot.nlu.linear_model.LinearIntentModel`, and at prediction time mixes its
probabilities with the intents DIET has already set: `blend * linear + (1 - blend) *
earlier`. With `sub_intents` on, it learns each FAQ as its own class (a topic's
examples are alike; "any FAQ" is not) and adds their probabilities up to the retrieval
intent ("faq") for the intent ranking. With `retrieval_intent` set it is also the FAQ
selector: it writes Rasa's response-selector output for that intent (the chosen answer,
its confidence and the ranking), blended with a ResponseSelector's ranking if one ran
before it. On our sets a ResponseSelector added nothing to this model's own ranking
(docs/confidence.md), so config.yml has none.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PREDICTION_KEY as PREDICTION_KEY
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.nlu.constants import RESPONSE_SELECTOR_RANKING_KEY as RANKING_KEY
from rasa.nlu.constants import RESPONSE_SELECTOR_RESPONSES_KEY as RESPONSES_KEY
from rasa.nlu.constants import RESPONSE_SELECTOR_RETRIEVAL_INTENTS as RETRIEVAL_INTENTS_KEY
from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION_KEY
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_model import BlockScaler, LinearIntentModel

logger = logging.getLogger(__name__)

_RESPONSES_FILE = "responses.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression on TF-IDF counts and a sentence embedding, blended with DIET."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Aliases of count featurizers (sparse) and embedding featurizers (dense).
            "count_featurizers": [],
            "embedding_featurizers": [],
            # Inverse regularisation strength of the logistic regression.
            "C": 20.0,
            # Learn each retrieval sub-intent ("faq/x") as its own class.
            "sub_intents": True,
            # Share of this model in the final ranking; the rest is the earlier one's.
            "blend": 0.5,
            # Choose the answer of this retrieval intent (needs `sub_intents`), blended
            # with a ResponseSelector's ranking if one ran; null to choose none.
            "retrieval_intent": None,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Packages the component imports."""
        return ["sklearn", "scipy", "numpy"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LinearIntentModel | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self._validate(config)
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._model = model
        # The retrieval responses ("utter_faq/x"), so that the chosen answer carries its
        # texts as a ResponseSelector's choice does.
        self._responses = responses or {}

    @staticmethod
    def _validate(config: dict[str, Any]) -> None:
        if not (config["count_featurizers"] or config["embedding_featurizers"]):
            raise InvalidConfigException("Name at least one featurizer alias for LinearIntentClassifier.")
        if not 0.0 <= float(config["blend"]) <= 1.0:
            raise InvalidConfigException("'blend' must be between 0 and 1.")
        if not float(config["C"]) > 0:
            raise InvalidConfigException("'C' must be positive.")
        if config["retrieval_intent"] and not config["sub_intents"]:
            raise InvalidConfigException("'retrieval_intent' needs 'sub_intents': true.")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Creates an untrained classifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Loads the trained model; without one the classifier leaves messages as they are."""
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearIntentModel.load(directory)
                responses = json.loads((directory / _RESPONSES_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No trained model for %s: it will not classify.", cls.__name__)
            model, responses = None, {}
        return cls(config, model_storage, resource, model, responses)

    def _blocks(
        self, messages: list[Message], widths: list[int] | None = None
    ) -> list[sp.spmatrix | np.ndarray]:
        """One matrix per featurizer, one row per message (zeros where missing).

        `widths` are the trained feature counts; without them (training) they come
        from the messages, and a featurizer that gave no features is a config error.
        """
        aliases = [*self._config["count_featurizers"], *self._config["embedding_featurizers"]]
        sparse = len(self._config["count_featurizers"])
        blocks: list[sp.spmatrix | np.ndarray] = []
        for i, alias in enumerate(aliases):
            if i < sparse:
                found = [m.get_sparse_features(TEXT, [alias])[1] for m in messages]
            else:
                found = [m.get_dense_features(TEXT, [alias])[1] for m in messages]
            width = widths[i] if widths else next((f.features.shape[1] for f in found if f is not None), 0)
            if not width:
                raise InvalidConfigException(
                    f"LinearIntentClassifier found no features from a featurizer with alias '{alias}': "
                    "check the featurizers' `alias` settings."
                )
            if i < sparse:
                rows = [sp.csr_matrix(f.features) if f else sp.csr_matrix((1, width)) for f in found]
                blocks.append(sp.vstack(rows).tocsr())
            else:
                blocks.append(np.vstack([f.features if f else np.zeros((1, width)) for f in found]))
        return blocks

    def _label(self, message: Message) -> str:
        full = message.get(INTENT_RESPONSE_KEY)
        return str(full) if self._config["sub_intents"] and full else str(message.get(INTENT))

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the model on the examples that have an intent and text."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [self._label(m) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier needs two intents or more: not trained.")
            return self._resource
        scalers = [BlockScaler("counts") for _ in self._config["count_featurizers"]] + [
            BlockScaler("embedding") for _ in self._config["embedding_featurizers"]
        ]
        self._model = LinearIntentModel(scalers, float(self._config["C"])).fit(self._blocks(examples), labels)
        intent = self._config["retrieval_intent"]
        prefix = f"{UTTER_PREFIX}{intent}{RESPONSE_IDENTIFIER_DELIMITER}"
        self._responses = (
            {k: v for k, v in training_data.responses.items() if k.startswith(prefix)} if intent else {}
        )
        with self._storage.write_to(self._resource) as directory:
            self._model.save(directory)
            (directory / _RESPONSES_FILE).write_text(json.dumps(self._responses, ensure_ascii=False), "utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Sets the blended intent and ranking on each message."""
        with_text = [m for m in messages if m.get(TEXT) is not None]
        if self._model is None or not with_text:
            return messages
        probabilities = self._model.predict_proba(self._blocks(with_text, self._model.widths()))
        for message, row in zip(with_text, probabilities, strict=True):
            self._set_ranking(message, self._intent_probabilities(row))
            if self._config["retrieval_intent"]:
                self._set_retrieval_ranking(message, row)
        return messages

    def _mix(self, linear: dict[str, float], earlier: dict[str, float]) -> list[tuple[str, float]]:
        """The blended distribution, best first, cut to the ranking length."""
        blend = float(self._config["blend"])
        if earlier and blend < 1.0:
            names = set(linear) | set(earlier)
            mixed = {n: blend * linear.get(n, 0.0) + (1 - blend) * earlier.get(n, 0.0) for n in names}
        else:
            mixed = dict(linear)
        return sorted(mixed.items(), key=lambda item: -item[1])[: int(self._config["ranking_length"])]

    def _intent_probabilities(self, row: np.ndarray) -> dict[str, float]:
        assert self._model is not None
        totals: dict[str, float] = defaultdict(float)
        for name, probability in zip(self._model.classes, row, strict=True):
            totals[name.split(RESPONSE_IDENTIFIER_DELIMITER)[0]] += float(probability)
        return totals

    def _set_ranking(self, message: Message, linear: dict[str, float]) -> None:
        earlier = {
            r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
            for r in message.get(INTENT_RANKING_KEY) or []
        }
        ranking = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in self._mix(linear, earlier)]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _set_retrieval_ranking(self, message: Message, row: np.ndarray) -> None:
        """Sets the chosen answer and the answer ranking of the retrieval intent."""
        assert self._model is not None
        intent = str(self._config["retrieval_intent"])
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        selected = selectors.get(intent) or {}
        prefix = f"{intent}{RESPONSE_IDENTIFIER_DELIMITER}"
        answers = {n: float(p) for n, p in zip(self._model.classes, row, strict=True) if n.startswith(prefix)}
        total = sum(answers.values())
        if total <= 0:
            return
        linear = {n: p / total for n, p in answers.items()}
        earlier = {
            r[INTENT_RESPONSE_KEY]: float(r[PREDICTED_CONFIDENCE_KEY])
            for r in selected.get(RANKING_KEY) or []
        }
        ranking = self._mix(linear, earlier)
        best, confidence = ranking[0]
        before = selected.get(PREDICTION_KEY) or {}
        same = before.get(INTENT_RESPONSE_KEY) == best
        selectors[RETRIEVAL_INTENTS_KEY] = sorted({*(selectors.get(RETRIEVAL_INTENTS_KEY) or []), intent})
        selectors[intent] = {
            PREDICTION_KEY: {
                **before,
                RESPONSES_KEY: before.get(RESPONSES_KEY)
                if same
                else self._responses.get(UTTER_PREFIX + best, []),
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: best,
                UTTER_ACTION_KEY: f"{UTTER_PREFIX}{best}",
            },
            RANKING_KEY: [{PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: n} for n, p in ranking],
        }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
