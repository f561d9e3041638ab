"""Where the project's files are, and how a command run elsewhere still finds our code.

The one place that knows the layout on disk: every other module takes its paths from here
(or as arguments), so nothing below imports a package above it just to find a folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The FAQ catalogue, the evaluation sets and the leak check, beside the project.
SHARED = PROJECT_ROOT.parent / "shared"
CONFIG = PROJECT_ROOT / "config.yml"
MODELS = PROJECT_ROOT / "models"
TEST_MODEL_DIR = PROJECT_ROOT / ".cache" / "test-model"
# The `rasa` command of the Python running us (the bot's venv).
RASA = str(Path(sys.executable).with_name("rasa"))


def code_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a Rasa command run in another folder: our code stays importable."""
    base = {**os.environ, **(env or {})}
    # Trainings share the examples' embeddings (bot/nlu/embedding_store.py).
    base.setdefault("NAV_EMBEDDING_STORE", str(PROJECT_ROOT / ".cache" / "embeddings.sqlite"))
    # The int8 sentence encoder, built once (bot/nlu/sentence_encoder.py).
    base.setdefault("NAV_ENCODER_FOLDER", str(PROJECT_ROOT / ".cache" / "encoder"))
    paths = [str(PROJECT_ROOT), *filter(None, base.get("PYTHONPATH", "").split(os.pathsep))]
    return {**base, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}
