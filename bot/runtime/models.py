"""Where trained models are."""

from __future__ import annotations

from pathlib import Path

from bot.paths import MODELS


def latest_model(directory: Path = MODELS) -> Path | None:
    """The newest model archive in `directory`, as `rasa run` would pick it."""
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None
