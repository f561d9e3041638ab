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
    """What models/nav.tar.gz was trained from: the content's fingerprint, the model's id, and
    the fingerprint of what the model depends on (`model_fingerprint`: the content without its
    texts; empty in a stamp from before texts were served live, so the next publish trains).
    `shape` (`shape_fingerprint`; empty: unknown) and `finetunes`, the fine-tunings in a row
    that made the model, decide whether the next model may be fine-tuned from this one."""

    fingerprint: str
    model_id: str
    model_inputs: str = ""
    shape: str = ""
    finetunes: int = 0

    @staticmethod
    def path(published: Path) -> Path:
        return published.with_name(published.name.removesuffix(".tar.gz") + ".published.json")

    @classmethod
    def read(cls, published: Path) -> Stamp | None:
        try:
            data = json.loads(cls.path(published).read_text("utf-8"))
            return cls(
                str(data["fingerprint"]),
                str(data["model_id"]),
                str(data.get("model_inputs", "")),
                str(data.get("shape", "")),
                int(data.get("finetunes", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, published: Path) -> None:
        path = self.path(published)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps(
                {
                    "fingerprint": self.fingerprint,
                    "model_id": self.model_id,
                    "model_inputs": self.model_inputs,
                    "shape": self.shape,
                    "finetunes": self.finetunes,
                }
            ),
            "utf-8",
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


def adopt(published: Path, root: Path, config: Path) -> Stamp:
    """Records that `published` was trained from the content at `root` with `config`, and
    makes that content's texts the live ones.

    For a model made so outside a publish: `make run` right after `make train`, and the
    test stacks' copy of the test model. A later text-only publish then needs no training.
    """
    from bot.runtime.live_texts import project_responses, texts_path, write_snapshot
    from bot.runtime.training import content_fingerprint, model_fingerprint, shape_fingerprint

    stamp = Stamp(
        content_fingerprint(root, config),
        model_id(published),
        model_fingerprint(root, config),
        shape_fingerprint(root, config),
    )
    stamp.write(published)
    write_snapshot(texts_path(published), project_responses(root))
    return stamp


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from bot.paths import CONFIG, MODELS, PROJECT_ROOT

    parser = argparse.ArgumentParser(
        description="Record that the published model was trained from the content (after `make train`)."
    )
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--model", type=Path, default=MODELS / "nav.tar.gz")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"no model at {args.model}", file=sys.stderr)
        return 2
    adopt(args.model, args.root.resolve(), args.config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
