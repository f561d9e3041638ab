"""The quality gate on publishing: may a newly trained model replace the one visitors get?

Plain Python, no Rasa. A model passes when each of the project's targets
(`scoring.TARGETS`) is met on the held-out dev set, or, where the model running now
misses a target too, when the new model is no worse there: an editor's change may not
make a missed target worse, and a target missed before does not block every change.

What editors read is in Norwegian and names scores and answers only, never the test
questions: the dev set's sentences must not end up as training examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.evaluation.scoring import FAQ_PREFIX, HANDOFF, TARGETS

# The scores editors see, in this order, named in plain Norwegian.
NAMES = {
    "faq_accuracy": "Riktig svar på spørsmål boten skal kunne svare på",
    "wrong_answers": "Feil svar (et annet svar enn det som passer)",
    "handoff_recall": "Ønsker om å snakke med en veileder som blir fanget opp",
    "out_of_scope_rejection": "Spørsmål boten ikke skal svare på, som den lar være",
    "chitchat_accuracy": "Hilsener og småprat som blir besvart riktig",
}


@dataclass(frozen=True)
class Measurement:
    """A model's scores on one evaluation set, and what it did with each case.

    `cases` holds (expected, what happened, right) in the set's order, not the
    sentences: a measurement can be stored and compared without the test text.
    """

    scores: dict[str, float | None]
    cases: list[tuple[str, str, bool]]

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> Measurement:
        """From one set's part of `python -m bot.evaluate --json`."""
        return cls(
            scores={key: report.get(key) for key in NAMES},
            cases=[(str(o["expect"]), str(o["label"]), bool(o["correct"])) for o in report["outcomes"]],
        )

    def as_json(self) -> dict[str, Any]:
        return {"scores": self.scores, "cases": [list(pair) for pair in self.cases]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Measurement:
        cases = [(str(expect), str(got), bool(right)) for expect, got, right in data["cases"]]
        return cls(scores=dict(data["scores"]), cases=cases)


@dataclass(frozen=True)
class Row:
    """One score of the new model beside the running model's."""

    key: str
    name: str
    now: float | None
    before: float | None
    target: str
    passed: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "now": self.now,
            "before": self.before,
            "target": self.target,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Verdict:
    passed: bool
    rows: list[Row]
    worse: list[str]  # answers that lost test questions, in Norwegian

    def report(self) -> str:
        """The measurement as editors read it."""
        compared = any(row.before is not None for row in self.rows)
        lines = [
            "Målt på spørsmål fra utviklingssettet, med den nye modellen"
            + (" (før: modellen boten bruker nå):" if compared else ":")
        ]
        for row in self.rows:
            before = "" if row.before is None else f" (før {percent(row.before)})"
            mark = "" if row.passed else "  ← for dårlig"
            lines.append(f"- {row.name}: {percent(row.now)}{before}, mål {row.target}{mark}")
        if self.worse:
            lines += ["", "Dette ble dårligere:", *(f"- {line}" for line in self.worse)]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "rows": [r.as_json() for r in self.rows], "worse": self.worse}


def percent(value: float | None) -> str:
    """0.968 → '96,8 %' (Norwegian decimal comma); None → 'ikke målt'."""
    if value is None:
        return "ikke målt"
    return f"{value * 100:.1f} %".replace(".", ",")


def _worse(value: float, than: float, op: str) -> bool:
    return value < than if op == ">=" else value > than


def judge(new: Measurement, before: Measurement | None, titles: Mapping[str, str] | None = None) -> Verdict:
    """Passes `new` if every target is met, or not made worse where `before` missed it too."""
    rows = []
    for key, name in NAMES.items():
        op, bound = TARGETS[key]
        now, then = new.scores.get(key), before.scores.get(key) if before else None
        met = now is None or not _worse(now, bound, op)
        no_worse = now is not None and then is not None and not _worse(now, then, op)
        sign = "minst" if op == ">=" else "høyst"
        rows.append(Row(key, name, now, then, f"{sign} {percent(bound)}", met or no_worse))
    worse = lost_answers(new, before, titles or {}) if before else []
    return Verdict(all(r.passed for r in rows), rows, worse)


def lost_answers(new: Measurement, before: Measurement, titles: Mapping[str, str]) -> list[str]:
    """Which answers (and handoffs) got fewer test questions right, and what they got instead.

    Compared case by case, so only when both measurements are of the same set.
    """
    if [case[0] for case in new.cases] != [case[0] for case in before.cases]:
        return []

    def name(label: str) -> str:
        if label.startswith(FAQ_PREFIX):
            faq_id = label[len(FAQ_PREFIX) :]
            return f"«{titles.get(faq_id, faq_id)}»"
        return OTHER_LABELS.get(label, label)

    lost: dict[str, Counter[str]] = {}
    gained: Counter[str] = Counter()
    for (expect, got, right_now), (_, _, right_before) in zip(new.cases, before.cases, strict=True):
        if right_before and not right_now:
            lost.setdefault(expect, Counter())[got] += 1
        elif right_now and not right_before:
            gained[expect] += 1
    lines = []
    for expect, instead in sorted(lost.items(), key=lambda item: -sum(item[1].values())):
        count = sum(instead.values())
        if count <= gained[expect]:
            continue  # as many of its questions won as lost: not worse
        what = ", ".join(f"{name(got)} ({n})" for got, n in instead.most_common())
        line = f"{name(expect)}: {count} testspørsmål som var {_right(count)}, er nå feil"
        if gained[expect]:
            line += f" ({gained[expect]} som var feil, er nå {_right(gained[expect])})"
        lines.append(f"{line}. De fikk i stedet: {what}")
    return lines


def _right(n: int) -> str:
    return "riktig" if n == 1 else "riktige"  # the adjective agrees with the number


# The other labels of an outcome (scoring.Outcome.label), as editors read them.
OTHER_LABELS = {
    HANDOFF: "Ønske om veileder",
    "out_of_scope": "Spørsmål utenfor det boten svarer på",
    "unsure": "«Mente du …?» (boten var usikker)",
    "greet": "Hilsen",
    "goodbye": "Avskjed",
    "thanks": "Takk",
    "bot_challenge": "«Er du en robot?»",
    "other": "et annet svar",
}
