"""The bot's FAQ answers, for the advisors' search.

The answers are the bot's own: the responses ``utter_faq/<id>`` (with
``metadata: {tema, title}``) of the running Rasa, read from its ``GET /domain``
(adapters/faq_source.py keeps them). :func:`search` ranks them by word overlap
with the title and the answer (folded as the bot folds, rules/folding.py: æ/ø/å and
their ASCII spellings count as the same; a compound or an inflected form matches its
stem).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.rules.folding import normalise

FAQ_PREFIX = "utter_faq/"
_WORD = re.compile(r"[a-z0-9]+")
_ENDINGS = ("ende", "ene", "ane", "er", "en", "et", "ar", "e", "r")
# Words that say nothing about which answer is meant.
_STOPWORDS = frozenset(
    "og i pa er det en et ei av til for med som jeg eg du meg deg min mitt mine kan ma "
    "har hva hvordan hvor hvem hvilke hvilken nar om ikke skal vil den de seg sin sitt "
    "sine fra ved etter nav no www https http".split()
)
TITLE_WEIGHT = 3.0
ANSWER_WEIGHT = 1.0


def stem(word: str) -> str:
    """A light stem: a common Norwegian ending cut off (``dagpenger`` → ``dagpeng``)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def words(text: str) -> set[str]:
    """The stems of the words in ``text`` that say something."""
    return {stem(w) for w in _WORD.findall(normalise(text)) if len(w) > 1 and w not in _STOPWORDS}


def _matches(query: str, word: str) -> bool:
    """Same stem, or the query starts the word (compounds: ``dagpeng`` in
    ``dagpengesoknad``). Not the other way: ``barnetrygd`` is not about ``barn``."""
    return query == word or (len(query) >= 3 and word.startswith(query))


def _starts_query(query: str, word: str) -> bool:
    return len(word) >= 5 and query.startswith(word)


def _hits(
    entries: list[FaqEntry], query: str, match: Callable[[str, str], bool]
) -> list[tuple[bool, bool]]:
    """Per entry: (query word found in the title, found in the answer)."""
    return [
        (
            any(match(query, w) for w in e.title_words),
            any(match(query, w) for w in e.answer_words),
        )
        for e in entries
    ]


@dataclass(frozen=True)
class FaqEntry:
    id: str
    topic: str
    question: str
    answer: str
    title_words: frozenset[str] = field(repr=False, compare=False)
    answer_words: frozenset[str] = field(repr=False, compare=False)

    @classmethod
    def make(cls, id: str, topic: str, question: str, answer: str) -> FaqEntry:
        title = words(f"{question} {id.replace('_', ' ')}")
        return cls(id, topic, question, answer, frozenset(title), frozenset(words(answer)))

    def json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "topic": self.topic,
            "question": self.question,
            "answer": self.answer,
        }


def entries_from_domain(domain: Any) -> list[FaqEntry]:
    """The FAQ answers in a Rasa domain (``GET /domain`` as JSON), in domain order."""
    responses = domain.get("responses") if isinstance(domain, dict) else None
    if not isinstance(responses, dict):
        raise ValueError("the domain has no responses")
    out = []
    for name, variants in responses.items():
        if not name.startswith(FAQ_PREFIX) or not isinstance(variants, list) or not variants:
            continue
        first = variants[0]
        if not isinstance(first, dict) or not isinstance(first.get("text"), str):
            continue
        meta = first.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        faq_id = name.removeprefix(FAQ_PREFIX)
        out.append(
            FaqEntry.make(
                faq_id,
                str(meta.get("tema") or "generell"),
                str(meta.get("title") or faq_id.replace("_", " ")),
                first["text"],
            )
        )
    return out


def search(entries: Iterable[FaqEntry], query: str, limit: int = 10) -> list[FaqEntry]:
    """Best first. Each query word scores its rarity (IDF over the answers) times
    3 if it is in the title, 1 if only in the answer; ties keep domain order."""
    return [e for e, _ in scored(list(entries), words(query))[:limit]]


def scored(entries: list[FaqEntry], wanted: set[str]) -> list[tuple[FaqEntry, float]]:
    """The entries that match any of the ``wanted`` stems, with their scores, best first
    (the ranking of :func:`search`)."""
    if not wanted or not entries:
        return []
    hits = {q: _hits(entries, q, _matches) for q in wanted}
    for q, per_entry in hits.items():
        if not any(t or a for t, a in per_entry):
            # A compound nobody wrote (``dagpengesoknad``): try the words it starts with.
            hits[q] = _hits(entries, q, _starts_query)
    scores = [0.0] * len(entries)
    for per_entry in hits.values():
        found_in = sum(1 for t, a in per_entry if t or a)
        if not found_in:
            continue
        idf = math.log(1 + len(entries) / found_in)
        for i, (in_title, in_answer) in enumerate(per_entry):
            if in_title:
                scores[i] += TITLE_WEIGHT * idf
            elif in_answer:
                scores[i] += ANSWER_WEIGHT * idf
    ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: -scores[i])
    return [(entries[i], scores[i]) for i in ranked]
