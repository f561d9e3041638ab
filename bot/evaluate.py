"""`python -m bot.evaluate`: score an evaluation file against a trained model.

    python -m bot.evaluate --cases ../shared/eval/dev.yml [--model models/x.tar.gz]
        [--json results/dev.json] [--confusion docs/confusion-dev.png] [--language en]

Every case runs through the real dialogue (NLU, rules, custom actions in a real
action server). Prints the scores of shared/eval/README.md and the failures;
writes them as JSON. Exit code 0 whatever the scores: this measures, it does
not judge (the targets are shown beside the scores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.evaluation.dialogue import run_cases
from bot.evaluation.scoring import (
    TARGETS,
    Case,
    Outcome,
    is_correct,
    load_cases,
    outcome_as_dict,
    score,
    target_report,
)
from bot.runtime.models import latest_model
from bot.runtime.processes import action_server, quiet_rasa_logs


def print_report(name: str, scores: dict[str, Any], max_failures: int) -> None:
    """The scores, the targets met, and the first failures."""
    met = target_report(scores)
    print(f"\n{name}: {scores['cases']} cases {scores['counts']}")
    for key in (
        "faq_accuracy",
        "wrong_answers",
        "handoff_recall",
        "handoff_recall_started",
        "out_of_scope_rejection",
        "chitchat_accuracy",
        "unsure_share",
        "emergency_recall",
        "emergency_false_alarms",
        "language_right",
        "faq_accuracy_in_language",
        "handoff_recall_in_language",
    ):
        value = scores.get(key)
        shown = "   n/a" if value is None else f"{value * 100:6.1f} %"
        target = ""
        if key in TARGETS and value is not None:  # no cases of that kind: nothing to meet
            op, bound = TARGETS[key]
            target = f"  target {op} {bound * 100:.0f} %  {'met' if met[key] else 'NOT MET'}"
        print(f"  {key:<26}{shown}{target}")
    print(f"  {'norwegian_answered_in_english':<26}{scores['norwegian_answered_in_english']:6d}")
    failures = scores["failures"]
    print(
        f"\n  {len(failures)} failures" + (f" (first {max_failures})" if len(failures) > max_failures else "")
    )
    for failure in failures[:max_failures]:
        got = f"{failure['got']} ({failure['language'] or '-'})"
        print(f"  - expect {failure['expect']:<34} got {got:<40} {failure['text'][:70]}")


def confusion_plot(cases: list[Case], outcomes: list[Outcome], path: Path) -> None:
    """A confusion matrix of expected vs. what happened, FAQ ids grouped by label."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    labels = sorted({c.expect for c in cases} | {o.label for o in outcomes})
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for case, outcome in zip(cases, outcomes, strict=True):
        matrix[index[case.expect], index[outcome.label]] += 1
    size = max(8, len(labels) * 0.22)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
    ax.set_yticks(range(len(labels)), labels, fontsize=6)
    for (i, j), count in np.ndenumerate(matrix):
        if count and i != j:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=5, color="red")
    ax.set_xlabel("what the assistant did")
    ax.set_ylabel("expected")
    ax.set_title(f"{len(cases)} cases; off-diagonal counts in red")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cases", required=True, action="append", help="an evaluation YAML file (repeatable)"
    )
    parser.add_argument("--model", type=Path, help="a trained model (default: the newest in models/)")
    parser.add_argument("--json", type=Path, help="write scores, failures and outcomes here")
    parser.add_argument("--confusion", type=Path, help="write a confusion plot (PNG) here")
    parser.add_argument("--max-failures", type=int, default=40)
    parser.add_argument(
        "--language",
        default="nb",
        choices=["nb", "en"],
        help="the reply language of the cases that do not name their own (default nb)",
    )
    args = parser.parse_args(argv)
    quiet_rasa_logs()

    model = args.model or latest_model()
    if model is None or not model.exists():
        print("No trained model: run `make train` or pass --model.", file=sys.stderr)
        return 2
    try:
        sets = {path: load_cases(path, args.language) for path in args.cases}
    except (OSError, ValueError) as error:
        print(f"Cannot read the cases: {error}", file=sys.stderr)
        return 2

    report: dict[str, Any] = {"model": str(model), "sets": {}}
    with action_server() as actions:
        for path, cases in sets.items():
            outcomes = asyncio.run(run_cases(model, actions.endpoint(), cases))
            scores = score(cases, outcomes)
            print_report(path, scores, args.max_failures)
            report["sets"][path] = scores | {
                "targets_met": target_report(scores),
                "outcomes": [
                    {"text": c.text, "expect": c.expect, "correct": is_correct(c, o)} | outcome_as_dict(o)
                    for c, o in zip(cases, outcomes, strict=True)
                ],
            }
            if args.confusion:
                confusion_plot(cases, outcomes, args.confusion)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
        print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
