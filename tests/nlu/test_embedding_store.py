"""The training examples' embeddings kept between trainings (bot/nlu/embedding_store.py),
with the real engine: the same vectors come back, and a visitor's message is never kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.embedding_store import STORE_ENV, EmbeddingStore
from bot.nlu.sentence_encoder import DIMENSIONS, SentenceEncoder
from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer


def _featurizer(tmp_path: Path) -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer.create(
        SentenceEmbeddingFeaturizer.get_default_config(),
        LocalModelStorage.create(tmp_path / "model"),
        Resource("embedding"),
        ExecutionContext(graph_schema=None, model_id="1", node_name="embedding"),  # type: ignore[arg-type]
    )


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM vectors").fetchone()[0])


def _sentence(message: Message) -> Any:
    return message.get_dense_features("text")[1].features  # type: ignore[union-attr]


def test_a_stored_vector_is_the_one_the_engine_gave(tmp_path: Path) -> None:
    store = EmbeddingStore(tmp_path / "e.sqlite", DIMENSIONS)
    texts = ["hvordan søker jeg dagpenger", "når kommer barnetrygden"]
    first = SentenceEncoder().embed_many(texts, store)
    assert _rows(store.path) == 2
    kept = store.get_many([*texts, "ikke embeddet"])
    assert set(kept) == set(texts)
    again = SentenceEncoder().embed_many(texts, store)  # a new process's encoder: from the store
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, SentenceEncoder().embed_many(texts), atol=1e-6)


def test_another_engine_version_does_not_read_the_vectors(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite"
    EmbeddingStore(path, DIMENSIONS, engine_id="one").put_many({"sykepenger": np.ones(DIMENSIONS)})
    assert EmbeddingStore(path, DIMENSIONS, engine_id="two").get_many(["sykepenger"]) == {}
    assert set(EmbeddingStore(path, DIMENSIONS, engine_id="one").get_many(["sykepenger"])) == {"sykepenger"}


def test_a_store_that_cannot_be_opened_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    store = EmbeddingStore(blocked / "e.sqlite", DIMENSIONS)
    vectors = SentenceEncoder().embed_many(["arbeidsavklaringspenger"], store)
    assert vectors.shape == (1, DIMENSIONS)
    assert store.get_many(["arbeidsavklaringspenger"]) == {}


def test_training_examples_are_kept_and_a_visitors_message_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.sqlite"
    monkeypatch.setenv(STORE_ENV, str(path))
    examples = [Message(data={"text": t, "intent": "faq"}) for t in ("søke dagpenger", "melde flytting")]
    _featurizer(tmp_path).process_training_data(TrainingData(examples))
    assert _rows(path) == 2

    visitor = Message(data={"text": "jeg heter Kari og trenger hjelp med dagpenger"})
    _featurizer(tmp_path).process([visitor])
    assert _rows(path) == 2
    assert EmbeddingStore(path, DIMENSIONS).get_many([visitor.get("text")]) == {}
    # The stored vectors are the features a training without the store gives.
    monkeypatch.delenv(STORE_ENV)
    fresh = [Message(data={"text": t, "intent": "faq"}) for t in ("søke dagpenger", "melde flytting")]
    _featurizer(tmp_path).process_training_data(TrainingData(fresh))
    for kept, plain in zip(examples, fresh, strict=True):
        np.testing.assert_allclose(_sentence(kept), _sentence(plain), atol=1e-6)


def test_without_a_named_store_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert EmbeddingStore.from_env(DIMENSIONS) is None
    monkeypatch.setenv(STORE_ENV, " ")
    assert EmbeddingStore.from_env(DIMENSIONS) is None
