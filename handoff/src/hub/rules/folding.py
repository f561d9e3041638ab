"""Norwegian folding, as the bot does it: æ/ø/å and their ASCII spellings written alike.

Visitors type ``søke``, ``soeke`` and ``soke``; all three become ``soke``. Word by word
the same rule as the bot's ``fold`` (bot/nlu/normalize.py): æ → ae, ø → o, å → a (and
é, è, ü, ö, ä as there), then "aa" → a and "oe" → o; ``aap`` (arbeidsavklaringspenger)
is left alone, or it would match every ``åp…`` word. tests/data/folding-cases.yml holds
cases both sides check, so the two cannot drift apart. On top of that, the hub drops
any other accent (``señor`` → ``senor``), which the bot keeps.
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans(
    {"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ü": "u", "ö": "o", "ä": "ae"}
)
_DIGRAPHS = re.compile(r"aa|oe")
_NOT_FOLDED = frozenset({"aap"})
# A run of letters: the bot folds its tokens, and "aap-søknaden" is "aap" and "søknaden".
_LETTERS = re.compile(r"[^\W\d_]+")


def fold(word: str) -> str:
    """One lower-case word folded (the bot's rule)."""
    if word in _NOT_FOLDED:
        return word
    return _DIGRAPHS.sub(lambda m: m[0][0], word.translate(_FOLD))


def normalise(text: str) -> str:
    """Lower case, every word folded, other accents dropped."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    folded = _LETTERS.sub(lambda m: fold(m[0]), lowered)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
