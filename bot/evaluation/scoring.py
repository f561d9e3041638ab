"""Scores for evaluation sets in the ../shared/eval format: plain Python, no Rasa.

A case is the first message of a fresh conversation and what should happen
(`faq/<id>`, `handoff`, `out_of_scope`, a chit-chat intent, or, in our own sets,
`urgent`: acute need, which must get the emergency numbers at once), and the
language the replies must be in (`language: en`, or the set's language; Norwegian by
default). An Outcome says
what the assistant actually did with it; `score()` turns both into the numbers
defined in shared/eval/README.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

CHITCHAT = ("greet", "goodbye", "thanks", "bot_challenge")
HANDOFF = "handoff"
OUT_OF_SCOPE = "out_of_scope"
URGENT = "urgent"
FAQ_PREFIX = "faq/"
# The catalogue's acute-need answer: its cases expect the emergency numbers too.
ACUTE_NEED_FAQ = "faq/nodhjelp"


@dataclass(frozen=True)
class Case:
    """One evaluation case."""

    text: str
    expect: str
    language: str = "nb"  # the language the replies must be in: "nb" or "en"


@dataclass
class Outcome:
    """What the assistant did with one first message."""

    faq_id: str | None = None  # the FAQ answered, if any
    handoff_started: bool = False  # the handoff action ran
    handoff_offered: bool = False  # a "talk to an advisor" button was shown
    chitchat: str | None = None  # greet/goodbye/thanks/bot_challenge answered
    unsure: bool = False  # the unsure action ran
    out_of_scope: bool = False  # the out-of-scope answer was given
    emergency: bool = False  # the emergency numbers were given
    intent: str | None = None  # the NLU's intent (after the confidence gate)
    bot_texts: list[str] = field(default_factory=list)
    # The language the replies were in ("nb", "en", "other" for the bilingual answer to
    # another language; None when no message decides), read from the texts themselves.
    reply_language: str | None = None

    @property
    def label(self) -> str:
        """One label for the confusion matrix."""
        if self.faq_id:
            return f"{FAQ_PREFIX}{self.faq_id}"
        if self.handoff_started:
            return HANDOFF
        if self.chitchat:
            return self.chitchat
        if self.unsure:
            return "unsure"
        if self.out_of_scope:
            return OUT_OF_SCOPE
        return "other"


def load_cases(path: str, language: str = "nb") -> list[Case]:
    """Reads a YAML list of {text, expect[, language]}; fails loudly on a malformed case.
    `language`: the reply language of the cases that do not name their own."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a YAML list of cases")
    cases = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("text") or not item.get("expect"):
            raise ValueError(f"{path}: case {index + 1} needs 'text' and 'expect'")
        cases.append(
            Case(
                text=str(item["text"]),
                expect=str(item["expect"]),
                language=str(item.get("language") or language),
            )
        )
    return cases


def is_correct(case: Case, outcome: Outcome, lenient_handoff: bool = True) -> bool:
    """Did the assistant do what the case expects?"""
    if case.expect.startswith(FAQ_PREFIX):
        return outcome.faq_id == case.expect[len(FAQ_PREFIX) :]
    if case.expect == HANDOFF:
        return outcome.handoff_started or (lenient_handoff and outcome.handoff_offered)
    if case.expect == URGENT:
        return outcome.emergency
    if case.expect == OUT_OF_SCOPE:
        return outcome.faq_id is None
    return outcome.chitchat == case.expect


def is_wrong_answer(case: Case, outcome: Outcome) -> bool:
    """An FAQ answer other than the expected one: the worst error."""
    if outcome.faq_id is None:
        return False
    answered = f"{FAQ_PREFIX}{outcome.faq_id}"
    if case.expect == URGENT and answered == ACUTE_NEED_FAQ:
        return False  # the acute-need answer is a right reply to acute need
    return case.expect != answered


def in_language(case: Case, outcome: Outcome) -> bool:
    """Were the replies in the language the case expects? A Norwegian reply is one not
    decided for English (a short reply, "Greit.", decides nothing and stays Norwegian)."""
    if case.language == "en":
        return outcome.reply_language == "en"
    return outcome.reply_language != "en"


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def score(cases: Sequence[Case], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The scores of shared/eval/README.md, plus counts and the failures."""
    if len(cases) != len(outcomes):
        raise ValueError("one outcome per case")
    pairs = list(zip(cases, outcomes, strict=True))
    faq = [(c, o) for c, o in pairs if c.expect.startswith(FAQ_PREFIX)]
    handoff = [(c, o) for c, o in pairs if c.expect == HANDOFF]
    oos = [(c, o) for c, o in pairs if c.expect == OUT_OF_SCOPE]
    chat = [(c, o) for c, o in pairs if c.expect in CHITCHAT]
    acute = [(c, o) for c, o in pairs if c.expect == URGENT]
    # The numbers where nothing suggests acute need: alarming, and they push the answer down.
    calm = [(c, o) for c, o in pairs if c.expect not in (URGENT, ACUTE_NEED_FAQ)]
    failures = [
        {"text": c.text, "expect": c.expect, "got": o.label, "intent": o.intent, "language": o.reply_language}
        for c, o in pairs
        if not is_correct(c, o) or not in_language(c, o)
    ]
    expect_norwegian = [(c, o) for c, o in pairs if c.language != "en"]
    return {
        "cases": len(pairs),
        "faq_accuracy": _share(sum(is_correct(c, o) for c, o in faq), len(faq)),
        "wrong_answers": _share(sum(is_wrong_answer(c, o) for c, o in pairs), len(pairs)),
        "handoff_recall": _share(sum(is_correct(c, o) for c, o in handoff), len(handoff)),
        "handoff_recall_started": _share(sum(o.handoff_started for _, o in handoff), len(handoff)),
        "out_of_scope_rejection": _share(sum(is_correct(c, o) for c, o in oos), len(oos)),
        "chitchat_accuracy": _share(sum(is_correct(c, o) for c, o in chat), len(chat)),
        "unsure_share": _share(sum(o.unsure for _, o in pairs), len(pairs)),
        "emergency_recall": _share(sum(o.emergency for _, o in acute), len(acute)),
        "emergency_false_alarms": _share(sum(o.emergency for _, o in calm), len(calm)),
        # The language: replies in the expected one; the right FAQ in it; English where
        # Norwegian was due (must be none).
        "language_right": _share(sum(in_language(c, o) for c, o in pairs), len(pairs)),
        "faq_accuracy_in_language": _share(
            sum(is_correct(c, o) and in_language(c, o) for c, o in faq), len(faq)
        ),
        "handoff_recall_in_language": _share(
            sum(is_correct(c, o) and in_language(c, o) for c, o in handoff), len(handoff)
        ),
        "norwegian_answered_in_english": sum(o.reply_language == "en" for _, o in expect_norwegian),
        "counts": {
            "faq": len(faq),
            "handoff": len(handoff),
            "out_of_scope": len(oos),
            "chitchat": len(chat),
            "urgent": len(acute),
        },
        "failures": failures,
    }


TARGETS = {
    "faq_accuracy": (">=", 0.92),
    "wrong_answers": ("<=", 0.03),
    "handoff_recall": (">=", 0.95),
    "out_of_scope_rejection": (">=", 0.85),
    "chitchat_accuracy": (">=", 0.95),
}


def target_report(scores: dict[str, Any]) -> dict[str, bool]:
    """Which of the project's targets (issue: dev set) a score dict meets."""
    met = {}
    for key, (op, bound) in TARGETS.items():
        value = scores.get(key)
        met[key] = value is not None and (value >= bound if op == ">=" else value <= bound)
    return met


def outcome_as_dict(outcome: Outcome) -> dict[str, Any]:
    """JSON-ready form of an outcome."""
    return asdict(outcome) | {"label": outcome.label}
