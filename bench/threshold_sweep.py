"""Choosing the "unsure" thresholds from measurement (not a test).

Parses every case of an evaluation file once with a trained model, then replays
the dialogue's decision for a grid of NavConfidenceGate thresholds:

    .venv/bot/bin/python bench/threshold_sweep.py --model models/nav.tar.gz \
        [--cases ../shared/eval/dev.yml] [--hint-cases FILE ...] [--out docs/results/thresholds.json]

The replay mirrors data/rules.yml: unsure → suggestions with an advisor button;
faq → that answer (nødhjelp also hands off); request_human and urgent → handoff;
out_of_scope → no answer, advisor button; chit-chat → its answer. The emergency
numbers go with urgent, with nødhjelp, and with an unsure turn whose urgent
confidence reaches `urgent_hint`; that hint is swept on its own, at the thresholds
config.yml runs, over the dev set and our own sets (eval/acute.yml holds acute need).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.evaluation.scoring import CHITCHAT, Case, Outcome, load_cases, score  # noqa: E402
from bot.nlu.confidence import Thresholds, unsure_reason, urgent_possible  # noqa: E402
from bot.paths import PROJECT_ROOT  # noqa: E402
from bot.runtime.processes import quiet_rasa_logs  # noqa: E402

URGENT_FAQS = {"nodhjelp"}
HINTS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1.0]
# (intent, its confidence, FAQ ranking, the urgent intent's confidence, vague), before
# the thresholds; "vague" (bot/nlu/vagueness.py) does not depend on them.
Prediction = tuple[str, float, list[tuple[str, float]], float, bool]


def raw_prediction(parsed: dict[str, Any]) -> Prediction:
    """The intent and FAQ ranking as they were before the gate."""
    ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
    top = ranking[0] if ranking else parsed["intent"]
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    faqs = [
        (r["intent_response_key"].split("/", 1)[1], float(r["confidence"]))
        for r in selector.get("ranking", [])
    ]
    urgent = max((float(r["confidence"]) for r in ranking if r["name"] == "urgent"), default=0.0)
    return top["name"], float(top["confidence"]), faqs, urgent, parsed.get("unsure_reason") == "vague"


def replay(prediction: Prediction, thresholds: Thresholds, urgent_hint: float = 1.0) -> Outcome:
    """What the dialogue does with one first message under `thresholds`."""
    intent, confidence, faqs, urgent, vague = prediction
    outcome = Outcome(intent=intent)
    if vague or unsure_reason(thresholds, intent, confidence, [c for _, c in faqs]) is not None:
        outcome.unsure = outcome.handoff_offered = True
        outcome.emergency = urgent_possible(urgent, urgent_hint)
    elif intent == "faq" and faqs:
        outcome.faq_id = faqs[0][0]
        outcome.handoff_started = outcome.emergency = faqs[0][0] in URGENT_FAQS
    elif intent in ("request_human", "urgent"):
        outcome.handoff_started = True
        outcome.emergency = intent == "urgent"
    elif intent == "request_callback":
        outcome.handoff_offered = True
    elif intent == "out_of_scope":
        outcome.out_of_scope = outcome.handoff_offered = True
    elif intent in CHITCHAT:
        outcome.chitchat = intent
        outcome.handoff_offered = intent == "bot_challenge"
    return outcome


async def parse_all(model: Path, cases: list[Case]) -> list[Prediction]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [raw_prediction(await agent.parse_message(c.text)) for c in cases]


def configured_thresholds() -> Thresholds:
    """The gate's thresholds as config.yml sets them."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text("utf-8"))
    gate = next(c for c in config["pipeline"] if c["name"].endswith("NavConfidenceGate"))
    return Thresholds(
        intent=gate["intent_threshold"], faq=gate["faq_threshold"], faq_margin=gate["faq_margin"]
    )


def hint_sweep(
    cases: list[Case], predictions: list[Prediction], thresholds: Thresholds
) -> list[dict[str, Any]]:
    """Emergency recall and false alarms for each urgent hint, at `thresholds`."""
    rows = []
    for hint in HINTS:
        outcomes = [replay(p, thresholds, hint) for p in predictions]
        scores = score(cases, outcomes)
        rows.append(
            {
                "urgent_hint": hint,
                "emergency_recall": scores["emergency_recall"],
                "emergency_false_alarms": scores["emergency_false_alarms"],
                "unsure_with_emergency": sum(o.unsure and o.emergency for o in outcomes),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=PROJECT_ROOT / "models" / "nav.tar.gz")
    parser.add_argument("--cases", default=str(PROJECT_ROOT.parent / "shared" / "eval" / "dev.yml"))
    parser.add_argument(
        "--hint-cases",
        nargs="*",
        default=[str(PROJECT_ROOT / "eval" / "own.yml"), str(PROJECT_ROOT / "eval" / "acute.yml")],
        help="more case files for the urgent hint, scored with --cases",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "thresholds.json")
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    cases = load_cases(args.cases)
    extra = [case for path in args.hint_cases for case in load_cases(path)]
    every = asyncio.run(parse_all(args.model, cases + extra))
    predictions = every[: len(cases)]
    grid = []
    for intent_t, faq_t, margin in itertools.product(
        [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85], [0.0, 0.2, 0.3, 0.4, 0.5, 0.6], [0.0, 0.05, 0.1, 0.2]
    ):
        thresholds = Thresholds(intent=intent_t, faq=faq_t, faq_margin=margin)
        scores = score(cases, [replay(p, thresholds) for p in predictions])
        grid.append(
            {"intent_threshold": intent_t, "faq_threshold": faq_t, "faq_margin": margin}
            | {k: v for k, v in scores.items() if k not in ("failures", "counts")}
        )
    # The visitor's worst case is a confident wrong answer: within wrong ≤ 3 %,
    # take the most right answers, then the best handoff recall, then the fewest
    # wrong answers, then the fewest unsure turns. The intent
    # threshold stays at 0.5 or more, a guard for text unlike any in the dev set.
    allowed = [g for g in grid if g["wrong_answers"] <= 0.03 and g["intent_threshold"] >= 0.5] or grid
    best = max(
        allowed,
        key=lambda g: (g["faq_accuracy"], g["handoff_recall"], -g["wrong_answers"], -g["unsure_share"]),
    )
    # The hint is chosen for the thresholds that run (config.yml), not the grid's best:
    # the grid's choice moves by a step between trainings and is adopted by hand.
    running = configured_thresholds()
    hints = hint_sweep(cases + extra, every, running)
    # Missing acute need costs far more than a needless mention of the numbers:
    # the best recall, then the fewest false alarms, then the lowest hint.
    best_hint = max(
        hints,
        key=lambda h: (
            h["emergency_recall"] or 0.0,
            -(h["emergency_false_alarms"] or 0.0),
            -h["urgent_hint"],
        ),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "date": date.today().isoformat(),
                "model": str(args.model),
                "best": best,
                "grid": grid,
                "urgent_hint": {
                    "cases": [args.cases, *args.hint_cases],
                    "thresholds": vars(running),
                    "best": best_hint,
                    "grid": hints,
                },
            },
            indent=1,
        ),
        "utf-8",
    )
    print("best:", json.dumps(best))
    print("best urgent hint:", json.dumps(best_hint))
    for h in hints:
        print(
            f"urgent_hint {h['urgent_hint']:.2f}: emergency recall {h['emergency_recall']}, "
            f"false alarms {h['emergency_false_alarms']}, unsure turns with the numbers {h['unsure_with_emergency']}"
        )
    for row in sorted(grid, key=lambda g: -g["faq_accuracy"])[:15]:
        print(
            f"intent {row['intent_threshold']:.2f} faq {row['faq_threshold']:.2f} margin {row['faq_margin']:.2f}: "
            f"faq {row['faq_accuracy']:.3f} wrong {row['wrong_answers']:.3f} handoff {row['handoff_recall']:.3f} "
            f"oos {row['out_of_scope_rejection']:.3f} unsure {row['unsure_share']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
