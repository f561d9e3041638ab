"""The published answer texts: a snapshot file the NLG server reads on every request.

    python -m bot.runtime.live_texts --root . --out models/nav.texts.json

The bot's texts (domain.yml's responses and the `utter_faq/<id>` answers in data/) are
written to one JSON file when content is published; the NLG server
(bot/runtime/nlg_server.py) renders every bot message from it. Saved-but-unpublished
edits never reach visitors: only a publish (or `make run`, which starts from the project's
content) writes the file. The file is replaced atomically (`os.replace`), so a reader sees
the old snapshot or the new one, never half of one; several servers (one per Rasa
instance) can read the same file: each checks its `stat` per request and re-reads only
when it changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import yaml

Responses = dict[str, list[dict[str, Any]]]
# A response variation's keys that a model does not depend on: what an editor may change
# without training. `metadata` (topic, title) stays with the model: the actions read it
# from the domain Rasa sends them (actions/catalog.py).
TEXT_KEYS = frozenset({"text", "buttons", "image", "custom", "attachment", "elements", "quick_replies"})
# Metadata for the editors' page alone (bot/content/english.py: which Norwegian text an
# English answer was written from): no model reads it, so it is no part of the fingerprint.
EDITOR_METADATA = frozenset({"translated_from"})
SNAPSHOT_VERSION = 1


def texts_path(published_model: Path) -> Path:
    """Where the live texts of a published model lie: models/nav.tar.gz -> models/nav.texts.json."""
    return published_model.with_name(published_model.name.removesuffix(".tar.gz") + ".texts.json")


def _content_files(root: Path) -> list[Path]:
    return [root / "domain.yml", *sorted(p for p in (root / "data").rglob("*.yml") if p.is_file())]


def project_responses(root: Path) -> Responses:
    """Every response of the project at `root`: domain.yml's, then those in data/ (the FAQ
    answers), as Rasa merges them into the model's domain."""
    out: Responses = {}
    for path in _content_files(root):
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for name, variations in (data.get("responses") or {}).items():
            out[str(name)] = [dict(v) for v in variations or []]
    return out


def without_texts(responses: Responses) -> dict[str, list[dict[str, Any]]]:
    """The responses as a model sees them: names and metadata, no texts (for the fingerprint)."""
    return {
        name: [_for_model(variation) for variation in variations]
        for name, variations in sorted(responses.items())
    }


def _for_model(variation: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in variation.items() if k not in TEXT_KEYS}
    metadata = out.get("metadata")
    if isinstance(metadata, dict) and EDITOR_METADATA & metadata.keys():
        out["metadata"] = {k: v for k, v in metadata.items() if k not in EDITOR_METADATA}
    return out


def texts_digest(responses: Responses) -> str:
    """A hash of the texts: equal digests, equal snapshots."""
    encoded = json.dumps(responses, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def write_snapshot(path: Path, responses: Responses) -> None:
    """Writes the live texts atomically: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": SNAPSHOT_VERSION, "digest": texts_digest(responses), "responses": responses}
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as tmp:
        json.dump(body, tmp, ensure_ascii=False)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.chmod(tmp.name, 0o644)  # readable by every instance's NLG server, like a model file
    os.replace(tmp.name, path)


def read_snapshot(path: Path) -> Responses:
    data = json.loads(path.read_text("utf-8"))
    responses = data["responses"]
    if not isinstance(responses, dict):
        raise ValueError(f"{path}: responses must be a mapping")
    return responses


def snapshot_digest(path: Path) -> str | None:
    """The digest of the live texts at `path`; None when there are none."""
    try:
        return str(json.loads(path.read_text("utf-8"))["digest"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class LiveTexts:
    """The snapshot at `path`, re-read only when its `stat` changes (one syscall a request).

    A snapshot that cannot be read (being replaced by hand, broken) leaves the last good
    texts in use; a server starts only with a readable one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._responses: Responses = read_snapshot(path)
        self._key = self._stat()

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def responses(self) -> Responses:
        key = self._stat()
        if key is None or key == self._key:
            return self._responses
        with self._lock:
            if key != self._key:
                try:
                    self._responses = read_snapshot(self.path)
                    self._key = key
                except (OSError, ValueError, KeyError, TypeError):
                    pass  # keep serving the last good texts
            return self._responses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the live texts of the project's content.")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    responses = project_responses(args.root)
    write_snapshot(args.out, responses)
    print(f"{len(responses)} responses -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
