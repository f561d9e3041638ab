"""The FAQ answers and examples in data/faq/<tema>.yml, read and changed one entry at a time.

The topic files stay the source of truth that `rasa train` reads and git versions. A
change rewrites only its own entry: ruamel's round trip keeps every comment, order and
quoting of the rest, and the file is replaced atomically. Every change is appended to a
history file with the text before and after, so nothing an editor wrote is ever lost.
Each entry has a version (a hash of its text): a save based on an older version is refused
instead of overwriting what another editor saved in between.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.content import rules

FAQ_DIR = Path("data") / "faq"


class NotFound(Exception):
    """No FAQ with that id."""


class Conflict(Exception):
    """The entry changed since the editor opened it."""

    def __init__(self, current: FaqEntry) -> None:
        super().__init__(current.id)
        self.current = current


class Invalid(Exception):
    """The change breaks the content rules; nothing was written."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    tema: str
    question: str
    facts: str
    link: str


def _is_english(variation: dict[str, Any]) -> bool:
    """Whether a response variation is the one for English conversations."""
    return any(
        c.get("name") == "language" and c.get("value") == "en" for c in variation.get("condition") or []
    )


@dataclass(frozen=True)
class FaqEntry:
    id: str
    tema: str
    title: str
    answer: str
    examples: list[str]
    catalogue: CatalogueEntry | None
    path: Path  # its topic file
    # The English answer (the variation with `condition: language = en`); None when missing.
    answer_en: str | None = None

    @property
    def version(self) -> str:
        digest = hashlib.sha256(json.dumps([self.answer, self.examples], ensure_ascii=False).encode())
        return digest.hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "tema": self.tema, "title": self.title, "examples": len(self.examples)}

    def as_json(self) -> dict[str, Any]:
        entry = self.catalogue
        return {
            **self.summary(),
            "answer": self.answer,
            "examples": self.examples,
            "version": self.version,
            "link": entry.link if entry else "",
            "facts": entry.facts if entry else "",
        }


def load_catalogue(path: Path) -> dict[str, CatalogueEntry]:
    items = yaml.safe_load(path.read_text("utf-8")) or []
    return {
        str(i["id"]): CatalogueEntry(
            str(i["id"]), str(i["tema"]), str(i.get("spørsmål", "")), str(i.get("fakta", "")), str(i["lenke"])
        )
        for i in items
    }


def _yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.width = 100_000  # type: ignore[assignment]  # never fold a long answer over lines
    handler.preserve_quotes = True  # type: ignore[assignment]
    handler.indent(mapping=2, sequence=2, offset=0)
    return handler


def _examples(block: str) -> list[str]:
    return rules.clean_examples(line for line in str(block).splitlines() if line.strip().startswith("- "))


class FaqStore:
    """The topic files under `root`/data/faq, with the catalogue for links and facts."""

    def __init__(self, root: Path, catalogue: Path, history: Path, evaluation: frozenset[str] = frozenset()):
        self.root = root
        self.catalogue_path = catalogue
        self.history = history
        self.evaluation = evaluation
        self.published_file = history.parent / "published.json"

    @classmethod
    def for_project(cls, root: Path, shared: Path, evaluation: frozenset[str] = frozenset()) -> FaqStore:
        """The store of a project checkout: its history and publish record under .cache/content/."""
        return cls(
            root, shared / "faq-catalog.yml", root / ".cache" / "content" / "history.jsonl", evaluation
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # One writer at a time, across processes too (two services on one checkout).
        self.history.parent.mkdir(parents=True, exist_ok=True)
        with open(self.history.parent / ".content.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _files(self) -> list[Path]:
        return sorted((self.root / FAQ_DIR).glob("*.yml"))

    def entries(self) -> list[FaqEntry]:
        catalogue = load_catalogue(self.catalogue_path)
        out = []
        for path in self._files():
            data = yaml.safe_load(path.read_text("utf-8")) or {}
            responses = data.get("responses") or {}
            for item in data.get("nlu") or []:
                intent = str(item.get("intent", ""))
                if not intent.startswith("faq/"):
                    continue
                faq_id = intent.removeprefix("faq/")
                [answer, *others] = responses.get(f"utter_faq/{faq_id}") or [{}]
                metadata = answer.get("metadata") or {}
                english = next((v for v in others if _is_english(v)), None)
                out.append(
                    FaqEntry(
                        id=faq_id,
                        tema=str(metadata.get("tema", path.stem)),
                        title=str(metadata.get("title", "")),
                        answer=str(answer.get("text", "")),
                        examples=_examples(item.get("examples", "")),
                        catalogue=catalogue.get(faq_id),
                        path=path,
                        answer_en=str(english.get("text", "")) if english else None,
                    )
                )
        return out

    def get(self, faq_id: str) -> FaqEntry:
        for entry in self.entries():
            if entry.id == faq_id:
                return entry
        raise NotFound(faq_id)

    def example_owners(self) -> dict[str, list[str]]:
        """Every training example of the project: example key -> the intents that have it."""
        out: dict[str, list[str]] = {}
        for path in sorted((self.root / "data").rglob("*.yml")):
            data = yaml.safe_load(path.read_text("utf-8")) or {}
            for item in data.get("nlu") or []:
                intent = str(item.get("intent", ""))
                for example in _examples(item.get("examples", "")):
                    owners = out.setdefault(rules.example_key(example), [])
                    if intent not in owners:
                        owners.append(intent)
        return out

    def problems(
        self,
        entry: FaqEntry,
        answer: str,
        examples: list[str],
        owners: dict[str, list[str]] | None = None,
        known: list[str] | None = None,
    ) -> list[rules.Problem]:
        owners = self.example_owners() if owners is None else owners
        own = f"faq/{entry.id}"
        elsewhere = {k: next(i for i in v if i != own) for k, v in owners.items() if any(i != own for i in v)}
        link = entry.catalogue.link if entry.catalogue else ""
        # Another catalogue page may be named too; any other address is flagged.
        if known is None:
            known = [c.link for c in load_catalogue(self.catalogue_path).values()]
        return rules.answer_problems(answer, link, known) + rules.example_problems(
            examples, elsewhere, self.evaluation
        )

    def save(self, faq_id: str, answer: str, examples: list[str], version: str, editor: str) -> FaqEntry:
        """Writes one entry's answer and examples; raises NotFound, Conflict or Invalid."""
        answer = answer.strip()
        examples = rules.clean_examples(examples)
        with self._locked():
            before = self.get(faq_id)
            if before.version != version:
                raise Conflict(before)
            found = self.problems(before, answer, examples)
            if found:
                raise Invalid(found)
            if answer == before.answer and examples == before.examples:
                return before
            self._write(before.path, faq_id, answer, examples)
            after = self.get(faq_id)
            self._record(editor, before, after)
            return after

    def _write(self, path: Path, faq_id: str, answer: str, examples: list[str]) -> None:
        handler = _yaml()
        data = handler.load(path.read_text("utf-8"))
        [item] = [i for i in data["nlu"] if i.get("intent") == f"faq/{faq_id}"]
        item["examples"] = LiteralScalarString("".join(f"- {e}\n" for e in examples))
        data["responses"][f"utter_faq/{faq_id}"][0]["text"] = DoubleQuotedScalarString(answer)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
            handler.dump(data, tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)

    def _record(self, editor: str, before: FaqEntry, after: FaqEntry) -> None:
        line = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "editor": editor,
            "id": after.id,
            "before": {"answer": before.answer, "examples": before.examples},
            "after": {"answer": after.answer, "examples": after.examples},
        }
        with open(self.history, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def changes(self, faq_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The latest recorded changes of one entry, newest first, each with the text it replaced.

        The text before a change is what an editor restores to undo it: the page puts
        it back in the form and saves it like any other change, with the same checks.
        """
        if not self.history.exists():
            return []
        found = []
        for line in self.history.read_text("utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError, KeyError, TypeError):
                record = json.loads(line)
                if record.get("id") == faq_id:
                    before, after = record["before"], record["after"]
                    found.append(
                        {
                            "at": record["at"],
                            "editor": record["editor"],
                            "answer_changed": before["answer"] != after["answer"],
                            "examples_added": len(set(after["examples"]) - set(before["examples"])),
                            "examples_removed": len(set(before["examples"]) - set(after["examples"])),
                            "before": {"answer": before["answer"], "examples": before["examples"]},
                        }
                    )
        return found[::-1][:limit]

    def versions(self) -> dict[str, str]:
        return {e.id: e.version for e in self.entries()}

    def titles(self) -> dict[str, str]:
        """FAQ id -> the title editors know it by (a release names the answers that got worse)."""
        return {e.id: e.title for e in self.entries()}

    def published_versions(self) -> dict[str, str]:
        """FAQ id -> the version the bot last published; the current content when nothing is recorded."""
        if self.published_file.exists():
            return dict(json.loads(self.published_file.read_text("utf-8")))
        versions = self.versions()
        self.record_published(versions)
        return versions

    def record_published(self, versions: dict[str, str]) -> None:
        self.published_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.published_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(versions, indent=0, sort_keys=True), "utf-8")
        tmp.replace(self.published_file)

    def unpublished(self) -> list[str]:
        """The ids of entries saved since the last publish."""
        published = self.published_versions()
        return [e.id for e in self.entries() if published.get(e.id) != e.version]


def evaluation_keys(shared: Path, root: Path | None = None) -> frozenset[str]:
    """The leak keys of every evaluation and benchmark sentence (for comparison only).

    Those under `shared`, and the project's own held-out questions in `root`/eval.
    """
    keys: set[str] = set()
    own = sorted((root / "eval").glob("*.yml")) if root else []
    for path in sorted((shared / "eval").glob("*.yml")) + own:
        for line in path.read_text("utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- text:"):
                keys.add(rules.leak_key(stripped.removeprefix("- text:").strip().strip("\"'")))
    for path in sorted((shared / "benchmarks").rglob("*.conll")):
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("# text ="):
                keys.add(rules.leak_key(line.split("=", 1)[1]))
    return frozenset(k for k in keys if len(k.split()) >= rules.LEAK_MIN_WORDS)
