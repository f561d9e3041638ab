"""The publication history: every publication, and putting an earlier one back without training.

Beside the published model, in `models/history/`:

- `publications.jsonl`: one line per publication (who, when, what route, which FAQs, the
  gate's scores, the model id and the files kept), appended under a lock, never rewritten;
- `<model id>.tar.gz`: a copy of each of the last `keep` models published; older files
  are deleted, their lines stay;
- `<n>.texts.json`: the live texts (bot/runtime/live_texts.py) of publication n, kept
  while its model is.

`restore` puts publication n back: Rasa loads its model through the same `PUT /model` as a
publish (`bot/release/rasa_api.py`; no training, and no load at all when that model runs
already), then its texts go live and its model becomes `models/nav.tar.gz` with its stamp.
A restore is a publication too (`kind` "restore", `restored_from` n).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.release.messages import (
    LOAD_REFUSED,
    LOAD_TIMED_OUT,
    RESTORE_GONE,
    RESTORE_NOT_RUNNING,
    RESTORED,
)
from bot.release.rasa_api import LOAD_TIMEOUT_SECONDS, LoadTimedOut, NotRunning, load_model, running_model_id
from bot.release.stamp import Stamp
from bot.runtime.live_texts import read_snapshot, snapshot_digest, texts_path, write_snapshot

DEFAULT_KEEP_MODELS = 5
LOG_NAME = "publications.jsonl"


class Kind(StrEnum):
    """How a publication came about."""

    start = "start"  # the model and texts the bot started with (`make run`, a new content service)
    texts = "texts"  # an editor's publish of texts only
    model = "model"  # an editor's publish with a new model
    restore = "restore"  # an earlier publication put back


@dataclass(frozen=True)
class Publication:
    id: int
    at: str  # ISO 8601 with its offset
    by: str
    kind: Kind
    model_id: str
    fingerprint: str
    model_inputs: str
    texts_digest: str
    # FAQ id -> version published (bot/content/store.py), and the FAQs this one changed
    # (id -> title) against the publication before.
    versions: dict[str, str] = field(default_factory=dict)
    faqs: dict[str, str] = field(default_factory=dict)
    scores: dict[str, Any] | None = None  # the gate's verdict (bot/evaluation/gate.py), scores only
    restored_from: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Publication:
        return cls(
            id=int(data["id"]),
            at=str(data["at"]),
            by=str(data.get("by", "")),
            kind=Kind(data["kind"]),
            model_id=str(data["model_id"]),
            fingerprint=str(data.get("fingerprint", "")),
            model_inputs=str(data.get("model_inputs", "")),
            texts_digest=str(data.get("texts_digest", "")),
            versions={str(k): str(v) for k, v in (data.get("versions") or {}).items()},
            faqs={str(k): str(v) for k, v in (data.get("faqs") or {}).items()},
            scores=data.get("scores"),
            restored_from=None if data.get("restored_from") is None else int(data["restored_from"]),
        )


@dataclass(frozen=True)
class Restored:
    """How a restore ended, in Norwegian for editors."""

    done: bool
    message: str
    details: str = ""
    publication: Publication | None = None


def history_dir(published: Path) -> Path:
    return published.parent / "history"


def model_file(published: Path, model_id: str) -> Path:
    return history_dir(published) / f"{model_id}.tar.gz"


def texts_file(published: Path, publication_id: int) -> Path:
    return history_dir(published) / f"{publication_id}.texts.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def _locked(published: Path) -> Iterator[None]:
    folder = history_dir(published)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def publications(published: Path) -> list[Publication]:
    """Every publication, oldest first (a line that cannot be read is skipped, not fatal)."""
    try:
        lines = (history_dir(published) / LOG_NAME).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return []
    found: list[Publication] = []
    for line in lines:
        try:
            found.append(Publication.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            continue
    return found


def restorable(published: Path, publication: Publication) -> bool:
    """Whether its model file and its texts are still kept."""
    return (
        model_file(published, publication.model_id).exists()
        and texts_file(published, publication.id).exists()
    )


def _copy(source: Path, target: Path) -> None:
    """`target` becomes a copy of `source`, atomically. A copy, not a hard link: whatever
    writes into the published model's file in place (a hand copy, a training) must not
    change the kept one."""
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def record(
    published: Path,
    kind: Kind,
    by: str = "",
    versions: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    scores: Mapping[str, Any] | None = None,
    restored_from: int | None = None,
    keep: int = DEFAULT_KEEP_MODELS,
) -> Publication:
    """Appends the publication now live (`published`, its stamp and its live texts) to the
    history, keeps its model and texts, and deletes the model files beyond the last `keep`."""
    stamp = Stamp.read(published)
    if stamp is None:
        raise ValueError(f"{published} has no stamp: nothing to record")
    with _locked(published):
        earlier = publications(published)
        versions = dict(versions or {})
        before = earlier[-1].versions if earlier else {}
        changed = sorted(k for k in versions.keys() | before.keys() if versions.get(k) != before.get(k))
        if not earlier or kind == Kind.start:
            changed = []
        titles = titles or {}
        publication = Publication(
            id=(earlier[-1].id + 1) if earlier else 1,
            at=_now(),
            by=by,
            kind=kind,
            model_id=stamp.model_id,
            fingerprint=stamp.fingerprint,
            model_inputs=stamp.model_inputs,
            texts_digest=snapshot_digest(texts_path(published)) or "",
            versions=versions,
            faqs={k: titles.get(k, k) for k in changed},
            scores=dict(scores) if scores is not None else None,
            restored_from=restored_from,
        )
        kept = model_file(published, stamp.model_id)
        if not kept.exists():
            _copy(published, kept)
        live = texts_path(published)
        if live.exists():
            _copy(live, texts_file(published, publication.id))
        with open(history_dir(published) / LOG_NAME, "a", encoding="utf-8") as log:
            log.write(json.dumps(publication.as_json(), ensure_ascii=False) + "\n")
            log.flush()
            os.fsync(log.fileno())
        prune(published, [*earlier, publication], keep)
    return publication


def record_start(
    published: Path, versions: Mapping[str, str], keep: int = DEFAULT_KEEP_MODELS
) -> Publication | None:
    """Records what the bot starts with, unless it is the latest publication already
    (the same model and texts): the first line of a history, or a model `make train` made."""
    stamp = Stamp.read(published)
    if stamp is None or not published.exists():
        return None
    latest = publications(published)[-1:]
    digest = snapshot_digest(texts_path(published)) or ""
    if latest and (latest[0].model_id, latest[0].texts_digest) == (stamp.model_id, digest):
        return None
    return record(published, Kind.start, versions=versions, keep=keep)


def kept_models(all_publications: Sequence[Publication], keep: int) -> list[str]:
    """The ids of the last `keep` different models published, newest first."""
    ids: list[str] = []
    for publication in reversed(all_publications):
        if publication.model_id not in ids:
            ids.append(publication.model_id)
    return ids[: max(keep, 1)]


def prune(published: Path, all_publications: Sequence[Publication], keep: int) -> None:
    """Deletes the model files beyond the last `keep` models, and those publications' texts.
    The model the bot runs is the newest, so it is always kept."""
    kept = set(kept_models(all_publications, keep))
    for path in history_dir(published).glob("*.tar.gz"):
        if path.name.removesuffix(".tar.gz") not in kept:
            path.unlink(missing_ok=True)
    for publication in all_publications:
        if publication.model_id not in kept:
            texts_file(published, publication.id).unlink(missing_ok=True)


def find(published: Path, publication_id: int) -> Publication | None:
    return next((p for p in publications(published) if p.id == publication_id), None)


def restore(
    published: Path,
    publication_id: int,
    rasa_url: str,
    by: str = "",
    keep: int = DEFAULT_KEEP_MODELS,
    timeout: float = LOAD_TIMEOUT_SECONDS,
) -> Restored:
    """Puts publication `publication_id` back: its model (loaded by the running Rasa unless it
    runs it already; nothing is trained), its live texts, and its stamp, as a new publication."""
    target = find(published, publication_id)
    if target is None or not restorable(published, target):
        return Restored(False, RESTORE_GONE)
    model = model_file(published, target.model_id)
    # As a publish does: load unless Rasa runs that model already (a busy Rasa that does not
    # answer /status in time is asked to load all the same).
    not_running = False
    if running_model_id(rasa_url) != target.model_id:
        try:
            load_model(rasa_url, model, timeout)
        except NotRunning:
            not_running = True
        except RuntimeError as exc:
            return Restored(False, LOAD_REFUSED, str(exc))
        except LoadTimedOut as exc:
            return Restored(False, LOAD_TIMED_OUT, str(exc))
    # As a publish: the model runs, so its texts go live first, then it becomes the published one.
    write_snapshot(texts_path(published), read_snapshot(texts_file(published, target.id)))
    if Stamp.read(published) != Stamp(target.fingerprint, target.model_id, target.model_inputs):
        _copy(model, published)
        Stamp(target.fingerprint, target.model_id, target.model_inputs).write(published)
    publication = record(
        published, Kind.restore, by, target.versions, _titles(published),
        target.scores, target.id, keep,
    )  # fmt: skip
    return Restored(True, RESTORE_NOT_RUNNING if not_running else RESTORED, publication=publication)


def _titles(published: Path) -> dict[str, str]:
    """The FAQ titles the history knows (a restore names what it changed as the lines did)."""
    titles: dict[str, str] = {}
    for publication in publications(published):
        titles.update(publication.faqs)
    return titles
