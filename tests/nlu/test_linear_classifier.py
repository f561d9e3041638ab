from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_classifier import LinearIntentClassifier
from bot.nlu.linear_model import BlockScaler, LinearIntentModel

# Word counts over a tiny vocabulary: søke, dagpenger, barnetrygd, hei, takk.
EXAMPLES = [
    ([1, 1, 0, 0, 0], "faq/dagpenger_soke"),
    ([0, 1, 0, 0, 0], "faq/dagpenger_soke"),
    ([1, 0, 1, 0, 0], "faq/barnetrygd"),
    ([0, 0, 1, 0, 0], "faq/barnetrygd"),
    ([0, 0, 0, 1, 0], "greet"),
    ([0, 0, 0, 2, 0], "greet"),
    ([0, 0, 0, 0, 1], "thanks"),
]


def _message(counts: list[int], label: str | None = None) -> Message:
    data: dict[str, Any] = {"text": "x"}
    if label:
        data["intent"] = label.split("/")[0]
        if "/" in label:
            data["intent_response_key"] = label
    message = Message(data=data)
    message.add_features(Features(sp.coo_matrix([counts]), "sentence", "text", "words"))
    message.add_features(
        Features(np.array([counts], dtype=np.float32) * 0.1 + 0.5, "sentence", "text", "embedding")
    )
    return message


def _classifier(tmp_path: Path, **config: Any) -> tuple[LinearIntentClassifier, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear")
    full = {
        **LinearIntentClassifier.get_default_config(),
        "count_featurizers": ["words"],
        "embedding_featurizers": ["embedding"],
        **config,
    }
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    return LinearIntentClassifier.create(full, storage, resource, context), storage, resource


def test_counts_become_unit_length_tfidf_rows() -> None:
    scaler = BlockScaler("counts").fit(sp.csr_matrix([[1, 0], [1, 1]]))
    rows = scaler.transform(sp.csr_matrix([[3, 0], [1, 1]])).toarray()
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1.0, 1.0])
    assert rows[1, 1] > rows[1, 0]  # the rarer word weighs more


def test_block_by_block_prediction_equals_the_joined_matrix_product(tmp_path: Path) -> None:
    # predict_proba sums each block's scores instead of joining the scaled blocks: the
    # probabilities must be those of the plain `scaled features @ weights`.
    rng = np.random.default_rng(7)
    counts = sp.random(40, 30, density=0.2, format="csr", random_state=3) * 5
    counts.data = np.ceil(counts.data)
    embeddings = rng.normal(size=(40, 8))
    labels = [f"intent{i % 4}" for i in range(40)]
    model = LinearIntentModel([BlockScaler("counts"), BlockScaler("embedding")]).fit(
        [counts, embeddings], labels
    )
    model.save(tmp_path)
    reloaded = LinearIntentModel.load(tmp_path)
    new_counts = sp.csr_matrix(np.vstack([counts[:5].toarray(), np.zeros((1, 30))]))
    new_embeddings = rng.normal(size=(6, 8))
    # The scaling written out densely: sublinear TF-IDF rows and centred embeddings, each
    # of unit length (an empty row stays zero).
    tfidf = np.log1p(new_counts.toarray()) * model.scalers[0].idf
    tfidf /= np.maximum(np.linalg.norm(tfidf, axis=1, keepdims=True), 1e-12)
    centred = new_embeddings - model.scalers[1].mean
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    scores = np.hstack([tfidf, centred]) @ model.coef.T.astype(np.float64) + model.intercept
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    for predictor in (model, reloaded):
        assert np.allclose(predictor.predict_proba([new_counts, new_embeddings]), expected, atol=1e-6)


def test_a_model_needs_two_intents() -> None:
    with pytest.raises(ValueError):
        LinearIntentModel([BlockScaler("counts")]).fit([sp.csr_matrix([[1]])], ["greet"])


def test_sub_intents_are_summed_and_the_model_survives_a_reload(tmp_path: Path) -> None:
    classifier, storage, resource = _classifier(tmp_path, blend=1.0)
    classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES]))
    loaded = LinearIntentClassifier.load(
        classifier._config,
        storage,
        resource,
        ExecutionContext(graph_schema=None, model_id="1"),  # type: ignore[arg-type]
    )
    for model in (classifier, loaded):
        message = _message([1, 1, 0, 0, 0])
        model.process([message])
        ranking = message.get("intent_ranking")
        assert message.get("intent")["name"] == "faq"
        assert {r["name"] for r in ranking} == {"faq", "greet", "thanks"}
        assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_the_earlier_ranking_is_blended_in(tmp_path: Path) -> None:
    classifier, _, _ = _classifier(tmp_path, blend=0.5)
    classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES]))
    message = _message([0, 0, 0, 0, 1])  # "takk" for the linear model
    diet_says = {"name": "greet", "confidence": 1.0}
    message.set("intent", diet_says)
    message.set("intent_ranking", [diet_says])
    classifier.process([message])
    confidences = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert confidences["greet"] >= 0.5
    assert confidences["thanks"] < 0.5
    assert sum(confidences.values()) == pytest.approx(1.0)


def test_without_a_trained_model_messages_are_left_alone(tmp_path: Path) -> None:
    classifier, storage, resource = _classifier(tmp_path)
    loaded = LinearIntentClassifier.load(
        classifier._config,
        storage,
        resource,
        ExecutionContext(graph_schema=None, model_id="1"),  # type: ignore[arg-type]
    )
    message = _message([1, 0, 0, 0, 0])
    loaded.process([message])
    assert message.get("intent") is None


@pytest.mark.parametrize(
    "config",
    [
        {"count_featurizers": [], "embedding_featurizers": []},
        {"blend": 1.5},
        {"C": 0},
        {"retrieval_intent": "faq", "sub_intents": False},
    ],
)
def test_bad_config_is_refused(tmp_path: Path, config: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigException):
        _classifier(tmp_path, **config)


def test_the_faq_ranking_is_blended_and_a_new_choice_carries_its_texts(tmp_path: Path) -> None:
    classifier, _, _ = _classifier(tmp_path, blend=0.9, retrieval_intent="faq")
    responses = {
        "utter_faq/dagpenger_soke": [{"text": "Søk på nav.no."}],
        "utter_faq/barnetrygd": [{"text": "Barnetrygd."}],
    }
    classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES], responses=responses))
    message = _message([0, 1, 0, 0, 0])  # "dagpenger" for the linear model
    selector_says = {"confidence": 0.9, "intent_response_key": "faq/barnetrygd"}
    message.set(
        "response_selector",
        {
            "faq": {
                "response": {**selector_says, "utter_action": "utter_faq/barnetrygd"},
                "ranking": [selector_says],
            }
        },
    )
    classifier.process([message])
    selected = message.get("response_selector")["faq"]
    assert selected["response"]["intent_response_key"] == "faq/dagpenger_soke"
    assert selected["response"]["utter_action"] == "utter_faq/dagpenger_soke"
    assert selected["response"]["responses"] == [{"text": "Søk på nav.no."}]
    assert [r["intent_response_key"] for r in selected["ranking"]][:2] == [
        "faq/dagpenger_soke",
        "faq/barnetrygd",
    ]


def test_without_a_response_selector_the_classifier_chooses_the_faq_answer_itself(tmp_path: Path) -> None:
    classifier, _, _ = _classifier(tmp_path, blend=0.7, retrieval_intent="faq")
    responses = {"utter_faq/dagpenger_soke": [{"text": "Søk på nav.no."}]}
    classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES], responses=responses))
    message = _message([0, 1, 0, 0, 0])  # "dagpenger" for the linear model
    classifier.process([message])
    selectors = message.get("response_selector")
    assert selectors["all_retrieval_intents"] == ["faq"]  # how Rasa's processor finds the full intent
    chosen = selectors["faq"]["response"]
    assert chosen["intent_response_key"] == "faq/dagpenger_soke"
    assert chosen["utter_action"] == "utter_faq/dagpenger_soke"
    assert chosen["responses"] == [{"text": "Søk på nav.no."}]
    ranking = selectors["faq"]["ranking"]
    assert ranking[0]["confidence"] == chosen["confidence"] > 0.5
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_a_wrong_featurizer_alias_is_a_clear_error(tmp_path: Path) -> None:
    classifier, _, _ = _classifier(tmp_path, count_featurizers=["wrods"])
    with pytest.raises(InvalidConfigException, match="wrods"):
        classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES]))


def test_a_message_without_a_feature_block_is_still_classified(tmp_path: Path) -> None:
    classifier, _, _ = _classifier(tmp_path, blend=1.0)
    classifier.train(TrainingData([_message(c, label) for c, label in EXAMPLES]))
    bare = Message(data={"text": "x"})
    bare.add_features(Features(sp.coo_matrix([[0, 0, 0, 1, 0]]), "sentence", "text", "words"))
    classifier.process([bare])  # no embedding: zeros in its place
    assert bare.get("intent")["name"] == "greet"
