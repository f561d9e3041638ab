"""The visitors' "Var svaret nyttig?" under the bot's FAQ answers, counted per answer for
content editors: plain code, no database.

A "Nei" also lands on the editors' list of unanswered questions (hub.unanswered, kind
``wrong_answer``) with the question the answer replied to, so a confidently wrong answer
reaches the editors as surely as an unsure one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.errors import InvalidRequest
from hub.rules.kinds import Helpful
from hub.rules.unanswered import text_cell


def check_vote(value: Any) -> Helpful:
    try:
        return Helpful(value)
    except ValueError:
        raise InvalidRequest("Svaret må være «ja» eller «nei».") from None


@dataclass(frozen=True)
class AnswerVotes:
    """How many said an FAQ answer helped (``yes``) and did not (``no``)."""

    faq_id: str
    yes: int = 0
    no: int = 0


def tally(rows: Iterable[tuple[str, Helpful | str, int]]) -> list[AnswerVotes]:
    """``(faq_id, value, count)`` rows as one line per answer: the most "Nei" first, then
    the most answered, then by id (a stable order for the same counts)."""
    counts: dict[str, dict[str, int]] = {}
    for faq_id, value, n in rows:
        counts.setdefault(faq_id, {"ja": 0, "nei": 0})[str(value)] += n
    votes = [AnswerVotes(f, c["ja"], c["nei"]) for f, c in counts.items()]
    return sorted(votes, key=lambda v: (-v.no, -(v.yes + v.no), v.faq_id))


def votes_json(votes: Iterable[AnswerVotes], titles: Mapping[str, str]) -> list[dict[str, object]]:
    return [
        {"id": v.faq_id, "title": titles.get(v.faq_id, v.faq_id), "yes": v.yes, "no": v.no}
        for v in votes
    ]


CSV_COLUMNS = ["svar", "id", "nyttig (ja)", "ikke nyttig (nei)"]


def votes_csv(votes: Iterable[AnswerVotes], titles: Mapping[str, str]) -> str:
    """The counts as CSV for a spreadsheet (semicolons, like the list of questions)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for v in votes:
        writer.writerow(
            [text_cell(titles.get(v.faq_id, v.faq_id)), text_cell(v.faq_id), v.yes, v.no]
        )
    return out.getvalue()
