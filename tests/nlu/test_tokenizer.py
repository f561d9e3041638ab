from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tokenizer import NorwegianTokenizer


def _tokenizer(tmp_path: Any, **config: Any) -> NorwegianTokenizer:
    storage = LocalModelStorage.create(tmp_path)
    return NorwegianTokenizer.create(
        {**NorwegianTokenizer.get_default_config(), **config},
        storage,
        Resource("tokenizer"),
        ExecutionContext(graph_schema=None, model_id="1"),  # type: ignore[arg-type]
    )


def _texts(tokenizer: NorwegianTokenizer, text: str) -> list[str]:
    return [t.text for t in tokenizer.tokenize(Message(data={"text": text}), "text")]


@pytest.mark.parametrize(
    ("text", "tokens", "offsets"),
    [
        ("Hvordan søker jeg?", ["hvordan", "soker", "jeg"], [(0, 7), (8, 13), (14, 17)]),
        ("kva er dagpengar", ["hva", "er", "dagpenger"], [(0, 3), (4, 6), (7, 16)]),
        ("SØKNAD om AAP", ["soknad", "om", "aap"], [(0, 6), (7, 9), (10, 13)]),
    ],
)
def test_tokens_are_normalised_and_keep_offsets(
    tmp_path: Any, text: str, tokens: list[str], offsets: list[tuple[int, int]]
) -> None:
    result = _tokenizer(tmp_path).tokenize(Message(data={"text": text}), "text")
    assert [t.text for t in result] == tokens
    assert [(t.start, t.end) for t in result] == offsets


def test_lemma_is_the_folded_stem(tmp_path: Any) -> None:
    [token] = _tokenizer(tmp_path).tokenize(Message(data={"text": "søknaden"}), "text")
    assert token.lemma == "soknad"


def test_switches_turn_normalisation_off(tmp_path: Any) -> None:
    plain = _tokenizer(tmp_path, dialect=False, fold=False, stem=False)
    [token] = plain.tokenize(Message(data={"text": "søknaden"}), "text")
    assert (token.text, token.lemma) == ("søknaden", "søknaden")


@pytest.mark.parametrize(
    "text", ["", "???", "😀😀", "\u200b", "a" * 5000, "Robert'); DROP TABLE--", "١٢٣", "\n\t "]
)
def test_naughty_strings_give_at_least_one_token(tmp_path: Any, text: str) -> None:
    assert _tokenizer(tmp_path).tokenize(Message(data={"text": text}), "text")


def test_training_learns_a_vocabulary_that_repairs_and_survives_persist_and_load(tmp_path: Any) -> None:
    storage = LocalModelStorage.create(tmp_path)
    resource = Resource("tokenizer")
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    config = NorwegianTokenizer.get_default_config()
    tokenizer = NorwegianTokenizer.create(config, storage, resource, context)
    tokenizer.train(TrainingData([Message(data={"text": "Hvordan søker jeg om dagpenger", "intent": "faq"})]))

    loaded = NorwegianTokenizer.load(config, storage, resource, context)
    texts = _texts(loaded, "dagpnger soknad")
    assert "dagpenger" in texts  # the typo got the known word as an extra token
    assert "dagpenger" in _texts(loaded, "dag penger")  # the split compound joined


def test_supports_norwegian_only() -> None:
    assert NorwegianTokenizer.supported_languages() == ["nb", "no", "nn"]
