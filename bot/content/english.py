"""Whether an FAQ's English answer keeps up with the Norwegian one.

The English answer (the response variation with `condition: language = en`) records in
its metadata which Norwegian text it was written from when an editor saves it:
`translated_from`, a fingerprint of that text. When the Norwegian answer changes
afterwards, the fingerprints differ and the editors' page says the English answer is
older. Saving the Norwegian text alone leaves the English variation untouched (an undo
gives the file byte for byte). Plain functions, no files.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

# The English variation's metadata key that holds the fingerprint.
TRANSLATED_FROM = "translated_from"


class EnglishState(StrEnum):
    current = "current"
    missing = "missing"
    stale = "stale"


# What the editors' page says about each state (Norwegian: editors read it).
STATE_TEXTS: dict[EnglishState, str] = {
    EnglishState.current: "Engelsk svar er oppdatert",
    EnglishState.missing: "Engelsk svar mangler",
    EnglishState.stale: "Engelsk svar er eldre enn det norske",
}


def fingerprint(answer: str) -> str:
    """A short fingerprint of a Norwegian answer (spaces at the ends do not count)."""
    return hashlib.sha256(answer.strip().encode()).hexdigest()[:16]


def english_state(answer: str, answer_en: str | None, translated_from: str | None) -> EnglishState:
    """Missing (no English text), stale (written from another Norwegian text than `answer`),
    or current. An English answer that does not say what it was written from (written in
    the files by hand) counts as current: nothing says otherwise."""
    if answer_en is None or not answer_en.strip():
        return EnglishState.missing
    if translated_from is not None and translated_from != fingerprint(answer):
        return EnglishState.stale
    return EnglishState.current


def written_from(recorded: str | None, first_answer: str | None) -> str | None:
    """The fingerprint of the Norwegian text an English answer was written from.

    `recorded`: what its metadata says (saved on the editors' page). An English answer
    without one was written in the files beside the Norwegian text they had: the text
    before the entry's first change on the editors' page (`first_answer`, from the
    history), or the current one when it was never changed there (None: nothing to compare).
    """
    if recorded is not None:
        return recorded
    return fingerprint(first_answer) if first_answer is not None else None
