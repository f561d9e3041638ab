"""Training a model only when something changed: `python -m bot.runtime.training`.

Rasa's fingerprint covers the data, domain and config, but not the code of our
own components; a hash of bot/nlu/ is kept beside the model for that. A
fingerprint of everything a model is trained from is kept beside it too, so an
unchanged model is not handed to `rasa train` at all.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from bot.paths import CONFIG, MODELS, PROJECT_ROOT, RASA, code_env
from bot.runtime.live_texts import project_responses, without_texts


def nlu_code_hash() -> str:
    """A hash of our NLU components' source."""
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "bot" / "nlu").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_fingerprint(root: Path, config: Path) -> str:
    """A hash of what a model of `root` is trained from.

    data/, domain.yml and the config, our NLU components' code (`nlu_code_hash`, as
    training uses it), and Rasa's version (a model from another version may not load).
    """
    digest = hashlib.sha256()

    def add(name: str, content: bytes) -> None:
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)

    add("config", config.read_bytes())
    add("domain.yml", (root / "domain.yml").read_bytes())
    data = root / "data"
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        add(path.relative_to(root).as_posix(), path.read_bytes())
    add("bot/nlu", nlu_code_hash().encode())
    add("rasa", version("rasa").encode())
    return digest.hexdigest()


def model_fingerprint(root: Path, config: Path) -> str:
    """A hash of what a model of `root` depends on: `content_fingerprint` without the texts.

    The data and the domain are compared parsed, their responses without text, buttons
    and the like (`without_texts`): an answer's wording is served live from the
    published texts (bot/runtime/nlg_server.py), so changing it needs no training.
    Examples, intents, rules, slots, response names and metadata, the config and our
    NLU code do.
    """
    return _model_digest(root, config, examples=True)


def shape_fingerprint(root: Path, config: Path) -> str:
    """A hash of a model's shape: `model_fingerprint` without the NLU examples.

    Two contents with the same shape have the same intents, answers, rules, config and
    code, so a model of one can be fine-tuned on the other's examples (Rasa's
    incremental training needs exactly that; bot/release/changes.py `training_for`).
    """
    return _model_digest(root, config, examples=False)


def _without_examples(data: dict[str, Any]) -> dict[str, Any]:
    nlu = data.get("nlu")
    if not isinstance(nlu, list):
        return data
    items = [
        {k: v for k, v in item.items() if k != "examples"} if isinstance(item, dict) else item for item in nlu
    ]
    return {**data, "nlu": items}


def _model_digest(root: Path, config: Path, examples: bool) -> str:
    digest = hashlib.sha256()

    def add(name: str, content: bytes) -> None:
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)

    add("config", config.read_bytes())
    for path in [root / "domain.yml", *sorted(p for p in (root / "data").rglob("*") if p.is_file())]:
        data = yaml.safe_load(path.read_text("utf-8")) if path.suffix in {".yml", ".yaml"} else None
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "responses"}
            if not examples:
                data = _without_examples(data)
            content = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
        else:
            content = path.read_bytes()
        add(path.relative_to(root).as_posix(), content)
    responses = json.dumps(without_texts(project_responses(root)), sort_keys=True, ensure_ascii=False)
    add("responses", responses.encode())
    add("bot/nlu", nlu_code_hash().encode())
    add("rasa", version("rasa").encode())
    return digest.hexdigest()


def capped_config(max_epochs: int) -> str:
    """config.yml with every `epochs` capped (for quick test models)."""
    config = yaml.safe_load(CONFIG.read_text("utf-8"))
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = min(int(component["epochs"]), max_epochs)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


@dataclass(frozen=True)
class Finetune:
    """Rasa's incremental training: start from `model` (of the same shape, `shape_fingerprint`)
    and train `epoch_fraction` of each component's epochs."""

    model: Path
    epoch_fraction: float


def ensure_model(
    out: Path,
    name: str,
    config: Path,
    quiet: bool = True,
    root: Path = PROJECT_ROOT,
    finetune: Finetune | None = None,
) -> Path:
    """Trains `out/name.tar.gz` from config and `root`'s domain.yml and data/ unless it is
    current; fine-tuned from `finetune.model` when given."""
    out.mkdir(parents=True, exist_ok=True)
    model = out / f"{name}.tar.gz"
    stamp = out / f"{name}.nlu-code.sha256"
    inputs = out / f"{name}.inputs.sha256"
    with open(out / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # both test environments may ask at once
        fingerprint = content_fingerprint(root, config)
        if model.exists() and inputs.exists() and inputs.read_text() == fingerprint:
            # Trained from exactly these inputs. `rasa train` would only retrain: a
            # forced training below leaves Rasa's cache empty.
            return model
        # A content copy elsewhere (editors' tests) still imports our components from here.
        env = code_env({"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"})
        command = [
            RASA, "train", "--config", str(config), "--domain", "domain.yml", "--data", "data",
            "--out", str(out), "--fixed-model-name", name,
        ]  # fmt: skip
        if not stamp.exists() or stamp.read_text() != nlu_code_hash():
            # Rasa's training cache fingerprints a component's config, not its
            # code: after a change to our NLU code, retrain without the cache.
            env["RASA_MAX_CACHE_SIZE"] = "0"
            command.append("--force")
        if finetune is not None:
            command += ["--finetune", str(finetune.model), "--epoch-fraction", str(finetune.epoch_fraction)]
        result = subprocess.run(command, cwd=root, env=env, capture_output=quiet, text=True)
        if result.returncode != 0 or not model.exists():
            detail = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}" if quiet else ""
            raise RuntimeError(f"training {model} failed (exit {result.returncode})\n{detail}")
        stamp.write_text(nlu_code_hash())
        inputs.write_text(fingerprint)
        return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train models/nav.tar.gz if anything changed.")
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--name", default="nav")
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args(argv)
    started = time.monotonic()
    model = ensure_model(args.out, args.name, args.config, quiet=False)
    print(f"model: {model} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
