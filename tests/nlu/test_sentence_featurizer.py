from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalize import bokmal_text
from bot.nlu.sentence_encoder import DIMENSIONS, SentenceEncoder
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer


def _featurizer(tmp_path: Any, **config: Any) -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer.create(
        {**SentenceEmbeddingFeaturizer.get_default_config(), **config},
        LocalModelStorage.create(tmp_path),
        Resource("embedding"),
        ExecutionContext(graph_schema=None, model_id="1", node_name="embedding"),  # type: ignore[arg-type]
    )


def test_bokmal_text_maps_dialect_words_and_keeps_the_rest() -> None:
    assert bokmal_text("Kor mykje får eg i dagpengar?") == "hvor mye får jeg i dagpenger?"
    assert bokmal_text("Søknad om AAP") == "søknad om aap"


def test_embeddings_put_paraphrases_closer_than_other_topics() -> None:
    encoder = SentenceEncoder()
    question, paraphrase, other = encoder.embed_many(
        ["hvordan søker jeg dagpenger", "søknad om penger når jeg er arbeidsledig", "når kommer barnetrygden"]
    )
    assert question.shape == (DIMENSIONS,)
    assert float(np.linalg.norm(question)) == pytest.approx(1.0, abs=1e-3)
    assert float(question @ paraphrase) > float(question @ other)


def test_the_same_text_is_embedded_once() -> None:
    encoder = SentenceEncoder(cache_size=2)
    first = encoder.embed("sykepenger")
    assert encoder.embed("sykepenger") is first
    encoder.embed_many(["a", "b"])
    assert encoder.embed("sykepenger") is not first  # evicted, embedded again


def test_each_message_gets_one_sentence_feature(tmp_path: Any) -> None:
    featurizer = _featurizer(tmp_path)
    messages = [Message(data={"text": "kva er dagpengar"}), Message(data={"text": "  "})]
    featurizer.process(messages)
    for message in messages:
        sequence, sentence = message.get_dense_features("text")
        assert sequence is None
        assert sentence is not None and sentence.features.shape == (1, DIMENSIONS)
    spoken, empty = (m.get_dense_features("text")[1].features for m in messages)  # type: ignore[union-attr]
    assert float(np.linalg.norm(spoken)) == pytest.approx(1.0, abs=1e-2)
    assert not empty.any()


def test_dialect_is_read_as_bokmal(tmp_path: Any) -> None:
    bokmal, dialect = Message(data={"text": "hva er dagpenger"}), Message(data={"text": "kva er dagpengar"})
    _featurizer(tmp_path, text="bokmal").process([bokmal, dialect])
    a, b = (m.get_dense_features("text")[1].features for m in (bokmal, dialect))  # type: ignore[union-attr]
    np.testing.assert_allclose(a, b)


def test_training_examples_are_featurized(tmp_path: Any) -> None:
    data = TrainingData([Message(data={"text": "meld fra om endring", "intent": "faq"})])
    _featurizer(tmp_path).process_training_data(data)
    assert data.training_examples[0].get_dense_features("text")[1] is not None


@pytest.mark.parametrize("config", [{"text": "nynorsk"}, {"text": None}])
def test_bad_config_is_refused(tmp_path: Any, config: dict[str, Any]) -> None:
    with pytest.raises(InvalidConfigException):
        _featurizer(tmp_path, **config)
