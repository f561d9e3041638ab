"""The sentences of a long message: plain functions, no Rasa.

Visitors often tell their story first and ask one plain question at the end (or
the start). Read whole, the story's words pull the classifiers towards other
answers and the bot turns unsure; the question alone is often clear. So a long
message is also read sentence by sentence (`bot.nlu.focus`).
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? ; or a line break, followed by white space. An
# ordinal or abbreviation before a lower-case word ("14. dag", "f.eks. å") does not end it.
_BOUNDARY = re.compile(r"(?<=[.!?;])\s+(?=\S)|\s*\n+\s*")
_WORD = re.compile(r"\w+")
# An ordinal ("14.") or a common abbreviation just before a boundary.
_NOT_AN_END = re.compile(
    r"(?:^|\W)(?:\d+|f\.eks|bl\.a|ca|kl|nr|osv|mv|dvs|evt|jf|o\.l|m\.m|pga|iht|ift|mht|ang|tlf|mnd|kr|st)\.$",
    re.IGNORECASE,
)

MIN_WORDS = 12  # shorter messages are read whole only
MIN_PART_WORDS = 3  # a shorter piece is kept with the sentence before it


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, as character offsets into `text`."""
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        after = text[boundary.end() : boundary.end() + 1]
        if after.islower() and _NOT_AN_END.search(text[max(0, boundary.start() - 12) : boundary.start()]):
            continue  # "hver 14. dag", "f.eks. når": not the end of a sentence
        if text[start : boundary.start()].strip():
            spans.append((start, boundary.start()))
        start = boundary.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def message_parts(text: str) -> list[tuple[int, int]]:
    """The sentences of a long message worth reading alone; [] for a short one.

    Pieces of fewer than MIN_PART_WORDS words ("Hei!", "Takk.") join the sentence
    before them (or after, at the start): alone they mean nothing.
    """
    if len(_WORD.findall(text)) < MIN_WORDS:
        return []
    merged: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if (
            merged
            and len(_WORD.findall(text[merged[-1][0] : merged[-1][1]])) < MIN_PART_WORDS
            or merged
            and len(_WORD.findall(text[start:end])) < MIN_PART_WORDS
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged if len(merged) >= 2 else []
