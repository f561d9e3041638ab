"""The training vocabulary and the repairs it allows: plain Python, no Rasa.

Typos, dropped letters, Nynorsk endings and split or joined compounds all produce
words the classifier never saw. Where such a word is close to a word of the
training data, we add that word as an extra token: the classifier then sees a
feature it knows, and keeps the original too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

# Linking letters between the parts of a Norwegian compound
# ("arbeid-s-ledig", "barn-e-hage").
_LINKS = ("", "s", "e")
# Parts shorter than this are too ambiguous to split on.
_MIN_PART = 4


class Vocabulary:
    """Folded word forms seen in training, with the repairs built on them."""

    def __init__(self, words: Iterable[str], min_length: int = 4) -> None:
        self.min_length = min_length
        self.words: frozenset[str] = frozenset(w for w in words if w.isalpha())
        self._candidates: list[str] = sorted(w for w in self.words if len(w) >= min_length)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def correct(self, word: str) -> str | None:
        """The closest training word for an unknown word, or None.

        One edit is allowed for words of 4–7 letters, two from 8 letters on:
        short words have too many neighbours to guess safely.
        """
        if word in self.words or len(word) < self.min_length or not word.isalpha():
            return None
        max_edits = 1 if len(word) < 8 else 2
        match = process.extractOne(
            word,
            self._candidates,
            scorer=Levenshtein.distance,
            score_cutoff=max_edits,
        )
        if match is None:
            return None
        candidate = match[0]
        # Ties are broken by a similarity that rewards a shared beginning.
        return candidate if fuzz.ratio(word[:3], candidate[:3]) >= 60 else None

    def split_compound(self, word: str) -> list[str]:
        """Split an unknown compound into two known words, e.g. "sykepengesoknad"."""
        if word in self.words or len(word) < 2 * _MIN_PART:
            return []
        best: list[str] = []
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self.words:
                continue
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                stem = head[: len(head) - len(link)] if link else head
                if len(stem) >= _MIN_PART and stem in self.words:
                    # Prefer the longest head: "foreldrepenge|soknad" over "foreldre|..."
                    best = [stem, tail]
        return best

    def join_pair(self, first: str, second: str) -> str | None:
        """The known compound two adjacent words make, e.g. "dag penger" → "dagpenger"."""
        if len(first) < 2 or len(second) < 2:
            return None
        for link in _LINKS:
            joined = f"{first}{link}{second}"
            if joined in self.words:
                return joined
        return None


def words_of(tokens: Sequence[str]) -> set[str]:
    """Alphabetic tokens only: numbers and punctuation are not vocabulary."""
    return {t for t in tokens if t.isalpha()}
