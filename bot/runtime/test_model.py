"""A quickly trained model of the real project, for tests: `python -m bot.runtime.test_model`.

Same data, domain and pipeline as config.yml, with fewer epochs; retrained only
when something changed. Prints the model path (.cache/test-model/test.tar.gz).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.paths import TEST_MODEL_DIR
from bot.runtime.training import capped_config, ensure_model

OUT = TEST_MODEL_DIR
TEST_EPOCHS = 25


def ensure_test_model() -> Path:
    """The test model, trained if missing or out of date."""
    OUT.mkdir(parents=True, exist_ok=True)
    config = OUT / "config.yml"
    text = capped_config(TEST_EPOCHS)
    if not config.exists() or config.read_text("utf-8") != text:
        config.write_text(text, "utf-8")
    return ensure_model(OUT, "test", config)


if __name__ == "__main__":
    print(ensure_test_model())
    sys.exit(0)
