"""Scores over several training seeds: `python bench/seeds.py --label NAME`.

A difference of one or two cases in 300 is within what a new seed moves, so the
project reports the median (and the spread) over seeds. For each seed this trains
the project's config.yml with DIET's `random_seed` set (the linear model, which
also chooses the FAQ answer, and the embedding are deterministic), scores every set through
the real dialogue (`bot.evaluate`), and writes one JSON per seed plus a summary:

    .cache/seeds/NAME/seed<N>.tar.gz          the models (trained once per input)
    docs/results/seeds/NAME.json              scores per set and seed, and the medians
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation.scoring import Outcome, load_cases, score  # noqa: E402
from bot.runtime.training import ensure_model  # noqa: E402

SETS = ["../shared/eval/dev.yml", "eval/own.yml", "eval/acute.yml", "eval/blind.yml"]
KEYS = [
    "faq_accuracy",
    "wrong_answers",
    "handoff_recall",
    "out_of_scope_rejection",
    "chitchat_accuracy",
    "unsure_share",
    "emergency_recall",
]


def seeded_config(seed: int, out: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))
    for component in config["pipeline"]:
        if "random_seed" in component:
            component["random_seed"] = seed
    path = out / f"config-seed{seed}.yml"
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.exists() or path.read_text("utf-8") != text:
        path.write_text(text, "utf-8")
    return path


def rescore(stored: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The set's scores from the stored outcomes of the cases the file holds now.

    A case taken out of a set later (see eval/blind.yml's header) then counts no more;
    None when a case of the file has no stored outcome (it must be run).
    """
    outcomes = {o["text"]: o for o in stored.get("outcomes", [])}
    cases = load_cases(str(ROOT / path))
    if any(c.text not in outcomes for c in cases):
        return None
    fields = set(Outcome.__dataclass_fields__)
    return score(
        cases, [Outcome(**{k: v for k, v in outcomes[c.text].items() if k in fields}) for c in cases]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--label", required=True, help="a name for this variant (e.g. baseline, final)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--sets", nargs="+", default=SETS)
    args = parser.parse_args(argv)
    out = ROOT / ".cache" / "seeds" / args.label
    out.mkdir(parents=True, exist_ok=True)
    per_seed: dict[int, dict[str, Any]] = {}
    for seed in args.seeds:
        model = ensure_model(out, f"seed{seed}", seeded_config(seed, out))
        result = out / f"seed{seed}.json"
        report = json.loads(result.read_text("utf-8")) if result.exists() else {}
        # Scores of this very model on these sets are kept: seeds can run in parallel
        # processes (`--seeds 2`, `--seeds 3`) and a last call only summarises.
        fresh = result.exists() and result.stat().st_mtime > model.stat().st_mtime
        stored = report.get("sets", {})
        if not (fresh and all(n in stored and rescore(stored[n], n) for n in args.sets)):
            command = [sys.executable, "-m", "bot.evaluate", "--model", str(model), "--json", str(result)]
            for cases in args.sets:
                command += ["--cases", cases]
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            report = json.loads(result.read_text("utf-8"))
        per_seed[seed] = {}
        for name in args.sets:
            scores = rescore(report["sets"][name], name) or report["sets"][name]
            per_seed[seed][name] = {k: scores.get(k) for k in KEYS} | {"cases": scores["cases"]}
        print(f"seed {seed}: done", flush=True)
    summary: dict[str, Any] = {"label": args.label, "seeds": args.seeds, "sets": {}}
    for name in args.sets:
        rows: dict[str, Any] = {"cases": per_seed[args.seeds[0]][name]["cases"]}
        for key in KEYS:
            values = [per_seed[s][name][key] for s in args.seeds if per_seed[s][name][key] is not None]
            if values:
                rows[key] = {
                    "median": statistics.median(values),
                    "mean": statistics.fmean(values),
                    "values": values,
                }
        summary["sets"][name] = rows
    target = ROOT / "docs" / "results" / "seeds" / f"{args.label}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    for name, rows in summary["sets"].items():
        print(f"\n{name}")
        for key, row in rows.items():
            if key == "cases":
                print(f"  {row} cases")
                continue
            values = " ".join(f"{v * 100:5.1f}" for v in row["values"])
            print(f"  {key:<24} median {row['median'] * 100:5.1f} %   seeds: {values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
