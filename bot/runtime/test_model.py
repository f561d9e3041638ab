"""A quickly trained model of the real project, for tests: `python -m bot.runtime.test_model`.

Same data, domain and pipeline as config.yml, fewer epochs. Retrained only when
the data, domain, config or our NLU code changed (Rasa's own fingerprint decides
for the data; the code is hashed here). Prints the model path.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.runtime.processes import PROJECT_ROOT, RASA

OUT = PROJECT_ROOT / ".cache" / "test-model"
MODEL = OUT / "test.tar.gz"
TEST_EPOCHS = 25


def _test_config() -> str:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text("utf-8"))
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = min(int(component["epochs"]), TEST_EPOCHS)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "bot" / "nlu").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_test_model() -> Path:
    """Trains the test model unless a current one exists; returns its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # tests of both environments may ask at once
        config_path = OUT / "config.yml"
        config_path.write_text(_test_config(), "utf-8")
        stamp = OUT / "code.sha256"
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
        if not stamp.exists() or stamp.read_text() != _code_hash():
            # Rasa's training cache fingerprints a component's config, not its
            # code: after a change to our NLU code, train without the cache.
            env["RASA_MAX_CACHE_SIZE"] = "0"
        result = subprocess.run(
            [
                RASA, "train", "--config", str(config_path), "--domain", "domain.yml",
                "--data", "data", "--out", str(OUT), "--fixed-model-name", "test",
            ],  # fmt: skip
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or not MODEL.exists():
            raise RuntimeError(f"training the test model failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        stamp.write_text(_code_hash())
        return MODEL


if __name__ == "__main__":
    print(ensure_test_model())
    sys.exit(0)
