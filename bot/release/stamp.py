"""The published model on disk (models/nav.tar.gz) and what it was trained from.

Rasa builds a new tracker store when it loads a model: with the default in-memory
store, conversations going on lose what the bot remembered (unsure count, last topic).
So a release with nothing changed must not load a model again. Rasa gives every
training a new model id, so "changed" is decided by a fingerprint of what the model is
trained from, kept beside the published model.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.release.rasa_api import model_id


@dataclass(frozen=True)
class Stamp:
    """What models/nav.tar.gz was trained from: the content's fingerprint and the model's id."""

    fingerprint: str
    model_id: str

    @staticmethod
    def path(published: Path) -> Path:
        return published.with_name(published.name.removesuffix(".tar.gz") + ".published.json")

    @classmethod
    def read(cls, published: Path) -> Stamp | None:
        try:
            data = json.loads(cls.path(published).read_text("utf-8"))
            return cls(str(data["fingerprint"]), str(data["model_id"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, published: Path) -> None:
        path = self.path(published)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"fingerprint": self.fingerprint, "model_id": self.model_id}), "utf-8"
        )
        os.replace(temporary, path)


def is_model(path: Path, expected_id: str) -> bool:
    """Whether `path` is still the model with `expected_id` (`make train` or a hand copy may
    have replaced it since)."""
    try:
        return path.exists() and model_id(path) == expected_id
    except Exception:  # noqa: BLE001 - an unreadable archive is simply not that model
        return False


def keep(candidate: Path, published: Path, stamp: Stamp) -> None:
    """Makes `candidate` the published model, with what it was trained from."""
    os.replace(candidate, published)
    code_stamp = candidate.with_name(candidate.name.removesuffix(".tar.gz") + ".nlu-code.sha256")
    if code_stamp.exists():
        shutil.copy(
            code_stamp, published.with_name(published.name.removesuffix(".tar.gz") + ".nlu-code.sha256")
        )
    stamp.write(published)
