"""The FAQ catalogue, for the advisors' search (a small word-overlap ranking)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_WORD = re.compile(r"\w+", re.UNICODE)


def load_catalog(path: str) -> list[dict[str, str]]:
    """Entries as ``{"id", "topic", "question", "answer", "link"}``; [] if there is no file."""
    if not path or not Path(path).is_file():
        return []
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    out = []
    for item in data:
        if not isinstance(item, dict) or "id" not in item:
            continue
        out.append(
            {
                "id": str(item["id"]),
                "topic": str(item.get("tema", "generell")),
                "question": str(item.get("spørsmål", "")),
                "answer": str(item.get("svar") or item.get("fakta") or ""),
                "link": str(item.get("lenke", "")),
            }
        )
    return out


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2}


def search_faq(catalog: list[dict[str, str]], query: str, limit: int = 10) -> list[dict[str, Any]]:
    words = _words(query)
    if not words:
        return []
    scored = []
    for entry in catalog:
        haystack = _words(f"{entry['id'].replace('_', ' ')} {entry['question']} {entry['answer']}")
        # A query word counts when it starts a catalogue word (Norwegian compounds).
        score = sum(
            2 if w in haystack else 1 for w in words if any(h.startswith(w) for h in haystack)
        )
        if score:
            scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    return [entry for _, entry in scored[:limit]]
