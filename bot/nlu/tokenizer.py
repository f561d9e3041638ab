"""NorwegianTokenizer: spaCy's Bokmål tokenisation plus spelling normalisation.

Each token's `text` is the folded Bokmål form of what the visitor wrote and its
`lemma` is the folded Snowball stem, so Rasa's CountVectorsFeaturizer sees
"søknaden", "soknaden" and "søknaden" alike (`use_lemma` picks the stem for word
features; the text feeds character n-grams). Words the training data never had
are repaired against its vocabulary: a close known word, the two known parts of a
compound, or the known compound two split words make are added as extra tokens
at the same position.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.focus import with_parts
from bot.nlu.normalize import clean, fold, stem, to_bokmal
from bot.nlu.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

_VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NorwegianTokenizer(Tokenizer):
    """Tokenises Norwegian chat text and normalises its spelling."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config."""
        return {
            # Map Nynorsk/dialect function words to Bokmål ("kva" → "hva").
            "dialect": True,
            # Fold æ/ø/å, ae/oe/aa and a/o onto one spelling.
            "fold": True,
            # Put the Snowball stem in `lemma` (word features use it).
            "stem": True,
            # Add tokens for close training words, compound parts and joins.
            "repair": True,
            # Add one message per sentence of a long message, for FocusCombiner
            # (bot/nlu/focus.py), which must then come later in the pipeline.
            "focus_parts": False,
            # Base Tokenizer options (Rasa's own).
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Norwegian Bokmål (and Nynorsk text through the dialect map)."""
        return ["nb", "no", "nn"]

    @staticmethod
    def required_packages() -> list[str]:
        """Packages the component imports."""
        return ["spacy", "snowballstemmer", "rapidfuzz"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._dialect: bool = config["dialect"]
        self._fold: bool = config["fold"]
        self._stem: bool = config["stem"]
        self._repair: bool = config["repair"]
        self._focus_parts: bool = config["focus_parts"]
        self._vocabulary = vocabulary or Vocabulary([])
        # A blank pipeline is only the rule-based tokenizer: no model to download.
        self._nlp = spacy.blank("nb")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NorwegianTokenizer:
        """Creates an untrained tokenizer."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NorwegianTokenizer:
        """Loads the tokenizer with the vocabulary it was trained on."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / _VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No vocabulary for %s: spelling repair is off.", cls.__name__)
            words = []
        return cls(config, model_storage, resource, Vocabulary(words))

    def process(self, messages: list[Message]) -> list[Message]:
        """Tokenises each message; with `focus_parts`, each sentence of a long one too."""
        return super().process(with_parts(messages) if self._focus_parts else messages)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the vocabulary of the training examples."""
        words: set[str] = set()
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if text:
                words.update(self._normalised_words(text))
        self._vocabulary = Vocabulary(words)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _VOCABULARY_FILE).write_text(json.dumps(sorted(words), ensure_ascii=False), "utf-8")
        return self._resource

    def _normalise(self, word: str) -> list[str]:
        """One raw word → its normalised form(s); a dialect form may be two words."""
        word = clean(word)
        if self._dialect:
            word = to_bokmal(word)
        return [fold(w) if self._fold else w for w in word.split()]

    def _normalised_words(self, text: str) -> list[str]:
        return [
            w
            for t in self._nlp.tokenizer(text)
            if not (t.is_punct or t.is_space)
            for w in self._normalise(t.text)
        ]

    def _token(self, text: str, start: int) -> Token:
        lemma = stem(text) if self._stem else text
        return Token(text, start, lemma=lemma)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenises one attribute of a message (see the module docstring)."""
        text: str = message.get(attribute)
        tokens: list[Token] = []
        for spacy_token in self._nlp.tokenizer(text):
            if spacy_token.is_punct or spacy_token.is_space:
                continue
            for word in self._normalise(spacy_token.text):
                token = self._token(word, spacy_token.idx)
                token.end = spacy_token.idx + len(spacy_token.text)
                tokens.append(token)
        if not tokens:
            # Rasa needs at least one token, e.g. for "???".
            tokens = [Token(text, 0)]
        if self._repair and self._vocabulary.words:
            tokens = self._with_repairs(tokens)
        return self._apply_token_pattern(tokens)

    def _with_repairs(self, tokens: list[Token]) -> list[Token]:
        repaired: list[Token] = []
        for i, token in enumerate(tokens):
            repaired.append(token)
            extra: list[str] = []
            if token.text not in self._vocabulary:
                corrected = self._vocabulary.correct(token.text)
                if corrected:
                    extra.append(corrected)
                else:
                    extra.extend(self._vocabulary.split_compound(token.text))
            if i + 1 < len(tokens):
                # "dag penger": the compound the examples use, beside its halves.
                joined = self._vocabulary.join_pair(token.text, tokens[i + 1].text)
                if joined:
                    extra.append(joined)
            for word in extra:
                added = self._token(word, token.start)
                added.end = token.end
                repaired.append(added)
        return repaired
