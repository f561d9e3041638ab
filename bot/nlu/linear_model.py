"""A linear intent model over normalised feature blocks: plain code, no Rasa.

Why: with a few hundred training sentences, a regularised linear model on
TF-IDF-weighted n-grams generalises to new sentences better than a neural
classifier does (docs/nlu-pipeline.md, NorSID cross-validation), and a
pretrained sentence embedding joined to those n-grams adds what the n-grams
cannot know. Each block is normalised on its own so that no block drowns the
others: count blocks get sublinear TF-IDF and unit length, embedding blocks are
centred on the training mean and given unit length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

# One message's features: one row per block, in the model's block order.
Row = list[sp.spmatrix | np.ndarray]


@dataclass
class BlockScaler:
    """Turns one block of raw features into unit-length rows."""

    kind: str  # "counts" or "embedding"
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def fit(self, rows: sp.spmatrix | np.ndarray) -> BlockScaler:
        if self.kind == "counts":
            counts = sp.csr_matrix(rows)
            documents = counts.shape[0]
            frequency = np.bincount(counts.indices, minlength=counts.shape[1])
            self.idf = np.log((1 + documents) / (1 + frequency)) + 1.0
        else:
            self.mean = np.asarray(rows, dtype=np.float64).mean(axis=0)
        return self

    def transform(self, rows: sp.spmatrix | np.ndarray) -> sp.csr_matrix:
        if self.kind == "counts":
            weighted, norms = self._tfidf(rows)
            return sp.csr_matrix(sp.diags(1.0 / norms) @ weighted)
        return sp.csr_matrix(self._unit_embeddings(rows))

    def scaled_dot(self, rows: sp.spmatrix | np.ndarray, weights: np.ndarray) -> np.ndarray:
        """`transform(rows) @ weights`, without building the scaled matrix."""
        if self.kind != "counts":
            return self._unit_embeddings(rows) @ weights
        weighted, norms = self._tfidf(rows)
        return np.asarray(weighted @ weights) / norms[:, None]

    def _tfidf(self, rows: sp.spmatrix | np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sublinear TF-IDF rows and their lengths (at least 1e-12: an empty row stays zero)."""
        counts = sp.csr_matrix(rows, dtype=np.float64)
        values = np.log1p(counts.data) * self.idf[counts.indices]
        row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=counts.shape[0]))
        weighted = sp.csr_matrix((values, counts.indices, counts.indptr), shape=counts.shape)
        return weighted, np.maximum(norms, 1e-12)

    def _unit_embeddings(self, rows: sp.spmatrix | np.ndarray) -> np.ndarray:
        dense = sp.csr_matrix(rows).toarray() if sp.issparse(rows) else rows
        centred = np.asarray(dense, dtype=np.float64) - self.mean
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        return np.asarray(centred / np.maximum(norms, 1e-12))


def _rows(blocks: list[sp.spmatrix | np.ndarray]) -> int:
    return int(blocks[0].shape[0]) if blocks else 0


class LinearIntentModel:
    """Multinomial logistic regression over normalised feature blocks."""

    def __init__(self, scalers: list[BlockScaler], c: float = 20.0) -> None:
        self.scalers = scalers
        self.c = c
        self.classes: list[str] = []
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)
        self._weights: list[np.ndarray] = []

    def widths(self) -> list[int]:
        """The number of features each block was trained on."""
        return [len(s.idf) if s.kind == "counts" else len(s.mean) for s in self.scalers]

    def _matrix(self, blocks: list[sp.spmatrix | np.ndarray]) -> sp.csr_matrix:
        return sp.hstack([s.transform(b) for s, b in zip(self.scalers, blocks, strict=True)]).tocsr()

    def fit(self, blocks: list[sp.spmatrix | np.ndarray], labels: list[str]) -> LinearIntentModel:
        """Fits on one matrix per block (rows = examples) and their labels."""
        if len(set(labels)) < 2:
            raise ValueError("A linear intent model needs at least two intents.")
        for scaler, block in zip(self.scalers, blocks, strict=True):
            scaler.fit(block)
        # lbfgs is deterministic: the same data gives the same model.
        model = LogisticRegression(C=self.c, max_iter=5000)
        model.fit(self._matrix(blocks), labels)
        self.classes = [str(c) for c in model.classes_]
        self.coef = model.coef_.astype(np.float32)
        self.intercept = model.intercept_.astype(np.float32)
        self._split_weights()
        return self

    def _split_weights(self) -> None:
        """Each block's slice of the weights, transposed and contiguous, for predict_proba."""
        bounds = np.cumsum([0, *self.widths()])
        self._weights = [
            np.ascontiguousarray(self.coef[:, a:b].T, dtype=np.float64)
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]

    def predict_proba(self, blocks: list[sp.spmatrix | np.ndarray]) -> np.ndarray:
        """Class probabilities, one row per example, columns in `classes` order."""
        # Block by block: the same sums as `_matrix(blocks) @ coef.T`, without building the
        # joined sparse matrix and a diagonal IDF matrix on every parse (6.8 ms of a parse
        # before, docs/confidence.md).
        scores = np.tile(self.intercept.astype(np.float64), (_rows(blocks), 1))
        for scaler, block, weights in zip(self.scalers, blocks, self._weights, strict=True):
            scores += scaler.scaled_dot(block, weights)
        if len(self.classes) == 2:
            # sklearn's binary model has one weight row for the second class.
            scores = np.hstack([np.zeros_like(scores), scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def save(self, directory: Path) -> None:
        """Writes plain arrays and JSON (no pickle)."""
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        for i, scaler in enumerate(self.scalers):
            arrays[f"idf{i}"] = scaler.idf
            arrays[f"mean{i}"] = scaler.mean
        np.savez_compressed(directory / "linear_model.npz", **arrays)
        meta = {
            "classes": self.classes,
            "c": self.c,
            "blocks": [s.kind for s in self.scalers],
        }
        (directory / "linear_model.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> LinearIntentModel:
        """Reads what `save` wrote."""
        meta = json.loads((directory / "linear_model.json").read_text("utf-8"))
        with np.load(directory / "linear_model.npz") as arrays:
            scalers = [
                BlockScaler(kind, arrays[f"idf{i}"], arrays[f"mean{i}"])
                for i, kind in enumerate(meta["blocks"])
            ]
            model = cls(scalers, meta["c"])
            model.coef = arrays["coef"]
            model.intercept = arrays["intercept"]
            model._split_weights()
        model.classes = list(meta["classes"])
        return model
