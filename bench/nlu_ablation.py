"""What each part of the NLU pipeline is worth (a measurement, not a test).

Trains each variant of config.yml on the project's data, runs ../shared/eval/dev.yml
through the real dialogue, and records the scores with the training time:

    .venv/bot/bin/python bench/nlu_ablation.py [--only NAME ...] [--out docs/results/ablation]

Results: one JSON per variant, summarised in docs/nlu-pipeline.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.benchmarks.norsid import RASA_DEFAULT_PIPELINE  # noqa: E402
from bot.evaluation.dialogue import run_cases  # noqa: E402
from bot.evaluation.scoring import load_cases, score  # noqa: E402
from bot.paths import PROJECT_ROOT  # noqa: E402
from bot.runtime.processes import action_server, quiet_rasa_logs  # noqa: E402
from bot.runtime.training import ensure_model  # noqa: E402

TOKENIZER = "bot.nlu.tokenizer.NorwegianTokenizer"

# Rasa's default pipeline (what `rasa init` writes), with its ResponseSelector for
# the FAQ retrieval intent, placed before the FallbackClassifier as `rasa init` does.
RASA_DEFAULT = [
    *RASA_DEFAULT_PIPELINE[:-1],
    {"name": "ResponseSelector", "epochs": 100, "retrieval_intent": "faq", "constrain_similarities": True},
    RASA_DEFAULT_PIPELINE[-1],
]


def project_config() -> dict[str, Any]:
    return dict(yaml.safe_load((PROJECT_ROOT / "config.yml").read_text("utf-8")))


def with_component(config: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    """A copy of `config` with the first component called `name` changed."""
    config = copy.deepcopy(config)
    for component in config["pipeline"]:
        if component["name"] == name:
            component.update(changes)
            break
    else:
        raise KeyError(name)
    return config


def variants() -> dict[str, dict[str, Any]]:
    base = project_config()
    rasa_default = {**copy.deepcopy(base), "pipeline": copy.deepcopy(RASA_DEFAULT)}
    no_norm = with_component(base, TOKENIZER, dialect=False, fold=False, stem=False, repair=False)
    return {
        "project": base,
        "rasa_default": rasa_default,
        "with_repair": with_component(base, TOKENIZER, repair=True),
        "no_normalisation": no_norm,
        "no_stem": with_component(base, TOKENIZER, stem=False),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", help="variant names (default: all)")
    parser.add_argument("--cases", default=str(PROJECT_ROOT.parent / "shared" / "eval" / "dev.yml"))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "ablation")
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    chosen = {k: v for k, v in variants().items() if not args.only or k in args.only}
    cases = load_cases(args.cases)
    work = PROJECT_ROOT / ".cache" / "ablation"
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with action_server() as actions:
        for name, config in chosen.items():
            config_path = work / f"{name}.yml"
            config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
            started = time.monotonic()
            model = ensure_model(work, name, config_path)
            seconds = time.monotonic() - started
            outcomes = asyncio.run(run_cases(model, actions.endpoint(), cases))
            scores = score(cases, outcomes)
            result = {
                "variant": name,
                "date": date.today().isoformat(),
                "machine": f"{platform.node()} {platform.processor() or platform.machine()}, 2 cores (shared)",
                "train_seconds": round(seconds, 1),
                "model_mb": round(model.stat().st_size / 1e6, 1),
                "pipeline": config["pipeline"],
                **{k: v for k, v in scores.items() if k != "failures"},
            }
            (args.out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
            print(
                f"{name:<18} faq {scores['faq_accuracy']:.3f} wrong {scores['wrong_answers']:.3f} "
                f"handoff {scores['handoff_recall']:.3f} oos {scores['out_of_scope_rejection']:.3f} "
                f"chat {scores['chitchat_accuracy']:.3f} train {seconds:.0f}s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
