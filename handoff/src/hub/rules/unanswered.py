"""What the bot could not answer, grouped for content editors: plain code, no database.

The bot marks the replies where it did not answer (docs/contracts/handoff.md, "Bot
signals"): it was unsure and offered suggestions, unsure again, the question was
outside what it knows, or it did not understand. Each such turn is one `Unanswered`
case: the visitor's text, what the bot offered, and what the visitor did next
(chose one of the offered answers, asked for a person, or nothing). A visitor's
"Nei" to "Var svaret nyttig?" under an FAQ answer is a case too (``wrong_answer``):
the question that answer replied to, and the answer (hub.feedback). Editors act on
questions, not turns, so cases with the same text are grouped and counted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hub.rules import texts

# The signals the bot sends, and what an editor reads for each.
KINDS: dict[str, str] = {
    "unsure": "Usikker, foreslo svar",
    "unsure_again": "Usikker for andre gang",
    "out_of_scope": "Utenfor det boten kan",
    "not_covered": "Nav-spørsmål uten svar hos boten",
    "not_helped": "Svaret hjalp ikke",
    "not_understood": "Forstod ikke",
    "wrong_answer": "Svaret var feil eller hjalp ikke",
}
# The visitor said "Nei" to "Var svaret nyttig?" under the bot's answer.
WRONG_ANSWER = "wrong_answer"
PERSON = "veileder"
# Signals about the visitor's previous question, not the message that carried them:
# "dette hjelper ikke" says the answer to the question before did not help.
ABOUT_PREVIOUS_QUESTION = frozenset({"not_helped"})
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = re.compile(r"^[\s.,!?;:\"'«»()-]+|[\s.,!?;:\"'«»()-]+$")


def question_key(text: str) -> str:
    """The form under which the same question, typed again, is counted once."""
    return _EDGE_PUNCTUATION.sub("", _SPACES.sub(" ", text.lower())).strip()


def next_step(payload: str | None) -> str | None:
    """What a button press after the unanswered turn means.

    ``faq:<id>`` for one of the offered answers, ``veileder`` for a person,
    None for anything else (or no press).
    """
    if not payload:
        return None
    if payload.startswith("/faq{"):
        try:
            faq_id = json.loads(payload[len("/faq") :]).get("faq_id")
        except (ValueError, AttributeError):
            return None
        return f"faq:{faq_id}" if isinstance(faq_id, str) and faq_id else None
    if payload in (texts.BOT_REQUEST_HUMAN_PAYLOAD, "/affirm"):
        return PERSON
    return None


@dataclass(frozen=True)
class Unanswered:
    """One turn where the bot did not answer."""

    text: str
    kind: str
    at: datetime
    topic: str | None = None
    suggestions: tuple[str, ...] = ()
    next_step: str | None = None
    # The FAQ the bot answered with (a "Nei" to that answer, or "dette hjelper ikke").
    answered: str | None = None
    # The visitor's message it is about: several cases about one message (a "Nei" and
    # "dette hjelper ikke", or two signals) are one question asked once.
    message_id: int | None = None


@dataclass
class Question:
    """One question (all its cases), as an editor sees it."""

    text: str
    count: int = 0
    last_at: datetime | None = None
    kinds: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    suggestions: list[str] = field(default_factory=list)
    chosen: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)

    def as_json(self, titles: Mapping[str, str]) -> dict[str, object]:
        """The question for the console; ``titles`` names the FAQ ids it knows."""
        return {
            "text": self.text,
            "count": self.count,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "kinds": [
                {"kind": k, "label": KINDS.get(k, k), "count": n}
                for k, n in self.kinds.most_common()
            ],
            "topics": [t for t, _ in self.topics.most_common()],
            "suggestions": [{"id": f, "title": titles.get(f, f)} for f in self.suggestions],
            "chosen": [
                {"step": step, "label": step_label(step, titles), "count": n}
                for step, n in self.chosen.most_common()
            ],
            "answered": [
                {"id": f, "title": titles.get(f, f), "count": n}
                for f, n in self.answered.most_common()
            ],
        }


def step_label(step: str, titles: Mapping[str, str]) -> str:
    """An editor's words for what the visitor did next."""
    if step == PERSON:
        return "Ba om veileder"
    faq_id = step.removeprefix("faq:")
    return f"Valgte «{titles.get(faq_id, faq_id)}»"


CSV_COLUMNS = [
    "spørsmål",
    "antall",
    "sist",
    "hva boten gjorde",
    "tema",
    "foreslått",
    "besøkende valgte",
    "svaret den fikk",
]


# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    """A spreadsheet cell that stays text: visitors write what they like, and a
    question like ``=HYPERLINK(...)`` must not run when an editor opens the file.
    OWASP's advice: a leading apostrophe, which makes the cell plain text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_time(at: datetime, tz: ZoneInfo) -> str:
    """A time for the CSV: ISO 8601 in ``tz`` with its offset (``2026-11-24T10:00+01:00``),
    so a spreadsheet or a script reads the same moment whatever the reader's time zone.
    A time without a zone is UTC (as the database stores it)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(tz).isoformat(timespec="minutes")


OSLO = ZoneInfo("Europe/Oslo")


def to_csv(questions: Iterable[Question], titles: Mapping[str, str], tz: ZoneInfo = OSLO) -> str:
    """The list as CSV for a spreadsheet (semicolons: Norwegian Excel's default); times in
    ``tz`` with their offset (:func:`csv_time`).

    Every text cell goes through :func:`text_cell`.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for q in questions:
        row: list[object] = [
            q.text,
            q.count,
            csv_time(q.last_at, tz) if q.last_at else "",
            ", ".join(f"{KINDS.get(k, k)} ({n})" for k, n in q.kinds.most_common()),
            ", ".join(t for t, _ in q.topics.most_common()),
            ", ".join(titles.get(f, f) for f in q.suggestions),
            ", ".join(f"{step_label(s, titles)} ({n})" for s, n in q.chosen.most_common()),
            ", ".join(f"{titles.get(f, f)} ({n})" for f, n in q.answered.most_common()),
        ]
        writer.writerow([text_cell(c) if isinstance(c, str) else c for c in row])
    return out.getvalue()


def group(cases: Iterable[Unanswered]) -> list[Question]:
    """Questions, most often unanswered first, then the most recent.

    A question's text and suggestions are those of its latest case. ``count`` is how often
    it was asked: cases about the same visitor message count once (and an answer the same
    message got is counted once), whatever the bot and the visitor said about it.
    """
    questions: dict[str, Question] = {}
    seen: set[tuple[str, int, str | None]] = set()
    for case in sorted(cases, key=lambda c: c.at):
        key = question_key(case.text)
        if not key:
            continue
        q = questions.setdefault(key, Question(case.text))
        asked_before = case.message_id is not None and (key, case.message_id, None) in seen
        if case.message_id is not None:
            seen.add((key, case.message_id, None))
        if not asked_before:
            q.count += 1
        q.last_at = case.at
        q.text = case.text
        q.kinds[case.kind] += 1
        if case.topic:
            q.topics[case.topic] += 1
        if case.suggestions:
            q.suggestions = list(case.suggestions)
        if case.next_step:
            q.chosen[case.next_step] += 1
        if case.answered and (key, case.message_id or -1, case.answered) not in seen:
            q.answered[case.answered] += 1
            if case.message_id is not None:
                seen.add((key, case.message_id, case.answered))
    return sorted(
        questions.values(),
        key=lambda q: (-q.count, -(q.last_at.timestamp() if q.last_at else 0.0)),
    )
