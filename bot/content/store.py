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
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.content import english, rules
from bot.content.english import TRANSLATED_FROM, EnglishState

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
    # The fingerprint of the Norwegian answer the English one was written from (its
    # metadata, else the history: bot.content.english.written_from).
    translated_from: str | None = None

    @property
    def version(self) -> str:
        texts: list[Any] = [self.answer, self.examples]
        if self.answer_en is not None:
            texts.append(self.answer_en)  # an English change is a change too (conflicts, publish)
        digest = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode())
        return digest.hexdigest()[:16]

    @property
    def english(self) -> EnglishState:
        return english.english_state(self.answer, self.answer_en, self.translated_from)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tema": self.tema,
            "title": self.title,
            "examples": len(self.examples),
            "english": self.english.value,
        }

    def as_json(self) -> dict[str, Any]:
        entry = self.catalogue
        return {
            **self.summary(),
            "answer": self.answer,
            "answer_en": self.answer_en,
            "english_text": english.STATE_TEXTS[self.english],
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


def _set_english(variations: list[Any], answer_en: str, translated_from: str, entry: FaqEntry) -> None:
    """Write the English variation's text and what it was written from (made when missing,
    with the Norwegian one's topic and title until an editor names it in English)."""
    found = next((v for v in variations[1:] if _is_english(v)), None)
    if found is None:
        found = CommentedMap()
        found["condition"] = [CommentedMap([("type", "slot"), ("name", "language"), ("value", "en")])]
        found["text"] = ""
        found["metadata"] = CommentedMap(
            [("tema", entry.tema), ("title", DoubleQuotedScalarString(entry.title))]
        )
        variations.append(found)
    found["text"] = DoubleQuotedScalarString(answer_en)
    metadata = found.get("metadata")
    if metadata is None:
        metadata = found["metadata"] = CommentedMap()
    metadata[TRANSLATED_FROM] = translated_from


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

    def _first_answers(self) -> dict[str, str]:
        """FAQ id -> its Norwegian answer before its first change here (the history)."""
        first: dict[str, str] = {}
        if not self.history.exists():
            return first
        for line in self.history.read_text("utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError, KeyError, TypeError):
                record = json.loads(line)
                first.setdefault(str(record["id"]), str(record["before"]["answer"]))
        return first

    def entries(self) -> list[FaqEntry]:
        catalogue = load_catalogue(self.catalogue_path)
        first_answers = self._first_answers()
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
                variation = next((v for v in others if _is_english(v)), None)
                translated = (variation or {}).get("metadata", {}) or {}
                out.append(
                    FaqEntry(
                        id=faq_id,
                        tema=str(metadata.get("tema", path.stem)),
                        title=str(metadata.get("title", "")),
                        answer=str(answer.get("text", "")),
                        examples=_examples(item.get("examples", "")),
                        catalogue=catalogue.get(faq_id),
                        path=path,
                        answer_en=str(variation.get("text", "")) if variation else None,
                        translated_from=english.written_from(
                            str(translated[TRANSLATED_FROM]) if TRANSLATED_FROM in translated else None,
                            first_answers.get(faq_id),
                        ),
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

    def save(
        self,
        faq_id: str,
        answer: str,
        examples: list[str],
        version: str,
        editor: str,
        answer_en: str | None = None,
    ) -> FaqEntry:
        """Writes one entry's answer and examples, and its English answer when `answer_en`
        is given (None: left as it is); raises NotFound, Conflict or Invalid.

        The English text follows the content rules for English answers; saving it records
        that it fits the Norwegian answer saved with it (see bot.content.english)."""
        answer = answer.strip()
        examples = rules.clean_examples(examples)
        answer_en = answer_en.strip() if answer_en is not None else None
        with self._locked():
            before = self.get(faq_id)
            if before.version != version:
                raise Conflict(before)
            found = self.problems(before, answer, examples)
            if answer_en is not None:
                link = before.catalogue.link if before.catalogue else ""
                known = [c.link for c in load_catalogue(self.catalogue_path).values()]
                found += rules.english_answer_problems(answer_en, link, known)
            if found:
                raise Invalid(found)
            # Saving the English text says it fits the Norwegian one saved with it.
            translated_from = english.fingerprint(answer) if answer_en is not None else None
            unchanged_en = answer_en is None or (
                answer_en == before.answer_en and translated_from == before.translated_from
            )
            if answer == before.answer and examples == before.examples and unchanged_en:
                return before
            self._write(before, answer, examples, answer_en, translated_from)
            after = self.get(faq_id)
            self._record(editor, before, after)
            # Read again: the history now holds what an English answer without a record
            # was written from.
            return self.get(faq_id) if before.translated_from is None else after

    def _write(
        self,
        entry: FaqEntry,
        answer: str,
        examples: list[str],
        answer_en: str | None,
        translated_from: str | None,
    ) -> None:
        path, faq_id = entry.path, entry.id
        handler = _yaml()
        data = handler.load(path.read_text("utf-8"))
        [item] = [i for i in data["nlu"] if i.get("intent") == f"faq/{faq_id}"]
        item["examples"] = LiteralScalarString("".join(f"- {e}\n" for e in examples))
        variations = data["responses"][f"utter_faq/{faq_id}"]
        variations[0]["text"] = DoubleQuotedScalarString(answer)
        if answer_en is not None and translated_from is not None:
            _set_english(variations, answer_en, translated_from, entry)
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
            "before": {"answer": before.answer, "examples": before.examples, "answer_en": before.answer_en},
            "after": {"answer": after.answer, "examples": after.examples, "answer_en": after.answer_en},
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
                            # Lines written before English answers were edited here have none.
                            "answer_en_changed": before.get("answer_en") != after.get("answer_en"),
                            "examples_added": len(set(after["examples"]) - set(before["examples"])),
                            "examples_removed": len(set(before["examples"]) - set(after["examples"])),
                            "before": {
                                "answer": before["answer"],
                                "examples": before["examples"],
                                "answer_en": before.get("answer_en"),
                            },
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
