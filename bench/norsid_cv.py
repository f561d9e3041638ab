"""NorSID choices without touching the test set: 5-fold cross-validation on norsid_dev.

Folds are by sentence (id % 5), so no sentence is in training and test in any
version: train on the Bokmål versions of four fifths of the 300 dev sentences,
test on all eleven versions of the rest. This ranks systems as the test set does
(docs/nlu-pipeline.md) and is what pipeline choices are made on; `make norsid`
reports the test set.

    .venv/bot/bin/python bench/norsid_cv.py [--variant NAME ...] [--out docs/results/norsid-cv.json]

Variants are config.yml's NLU pipeline with one change each (VARIANTS below).
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.benchmarks.norsid import (  # noqa: E402
    NORSID,
    RASA_DEFAULT_PIPELINE,
    Utterance,
    accuracy_by_dialect,
    project_pipeline,
    rasa_predictor,
    read_conll,
    svm_predictor,
    train_rasa,
)
from bot.paths import PROJECT_ROOT  # noqa: E402
from bot.runtime.processes import quiet_rasa_logs  # noqa: E402

FOLDS = 5
EMBEDDING = "bot.nlu.sentence_featurizer.SentenceEmbeddingFeaturizer"
LINEAR = "bot.nlu.linear_classifier.LinearIntentClassifier"
Pipeline = list[dict[str, Any]]


def _without(pipeline: Pipeline, name: str) -> Pipeline:
    return [c for c in pipeline if c["name"] != name]


def _first_pipeline(pipeline: Pipeline) -> Pipeline:
    """The pipeline before the sentence embedding and the linear model (DIET 100 epochs)."""
    pipeline = copy.deepcopy(_without(_without(pipeline, EMBEDDING), LINEAR))
    for component in pipeline:
        if component["name"] == "DIETClassifier":
            component.pop("featurizers", None)
            component["epochs"] = 100
    return pipeline


def _embedding_in_diet(pipeline: Pipeline, text: str) -> Pipeline:
    """The first pipeline with the embedding as one more DIET feature."""
    pipeline = _first_pipeline(pipeline)
    at = next(i for i, c in enumerate(pipeline) if c["name"] == "DIETClassifier")
    return [*pipeline[:at], {"name": EMBEDDING, "text": text}, *pipeline[at:]]


def _linear(pipeline: Pipeline, blend: float, diet: bool = True, embedding: bool = True) -> Pipeline:
    """DIET on the counts, then the linear model on counts (+ embedding), blended."""
    pipeline = _without(_without(pipeline, EMBEDDING), LINEAR)
    out: Pipeline = []
    counts = []
    for component in copy.deepcopy(pipeline):
        if component["name"] == "CountVectorsFeaturizer":
            component["alias"] = f"counts{len(counts)}"
            counts.append(component["alias"])
        if component["name"] == "DIETClassifier":
            if embedding:
                out.append({"name": EMBEDDING, "alias": "embedding"})
            if diet:
                out.append({**component, "featurizers": counts})
            out.append(
                {
                    "name": LINEAR,
                    "count_featurizers": counts,
                    "embedding_featurizers": ["embedding"] if embedding else [],
                    "blend": blend,
                }
            )
            continue
        out.append(component)
    return out


VARIANTS: dict[str, Callable[[Pipeline], Pipeline]] = {
    "project": lambda p: p,
    "first_pipeline": _first_pipeline,
    "embedding_in_diet_raw": lambda p: _embedding_in_diet(p, "raw"),
    "embedding_in_diet_bokmal": lambda p: _embedding_in_diet(p, "bokmal"),
    "linear_only": lambda p: _linear(p, 1.0, diet=False),
    "linear_only_no_embedding": lambda p: _linear(p, 1.0, diet=False, embedding=False),
    "blend_07": lambda p: _linear(p, 0.7),
    "rasa_default": lambda p: RASA_DEFAULT_PIPELINE,
}


def folds(dev: list[Utterance]) -> list[tuple[list[Utterance], list[Utterance]]]:
    """(train, test) per fold: Bokmål training versions, every test version."""

    def fold_of(u: Utterance) -> int:
        return int(u.id.split("/")[0]) % FOLDS

    return [
        (
            [u for u in dev if fold_of(u) != k and u.id.endswith("/B")],
            [u for u in dev if fold_of(u) == k],
        )
        for k in range(FOLDS)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--variant",
        nargs="*",
        default=["project", "tfidf_svm"],
        help=f"any of {sorted(VARIANTS)} and tfidf_svm",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "norsid-cv.json")
    args = parser.parse_args(argv)
    quiet_rasa_logs()
    dev = read_conll(NORSID / "norsid_dev.conll")
    results: dict[str, Any] = json.loads(args.out.read_text("utf-8")) if args.out.exists() else {}
    results.setdefault("variants", {})
    results.update(
        date=date.today().isoformat(),
        machine=f"{platform.machine()}, Python {platform.python_version()}",
        protocol=f"{FOLDS}-fold by sentence id on norsid_dev: train Bokmål, test all versions",
    )
    for name in args.variant:
        started = time.monotonic()
        gold: list[Utterance] = []
        predicted: list[str] = []
        for k, (train, test) in enumerate(folds(dev)):
            if name == "tfidf_svm":
                predict = svm_predictor(train)
            else:
                pipeline = VARIANTS[name](project_pipeline())
                work = PROJECT_ROOT / ".cache" / "norsid-cv" / name / str(k)
                predict = rasa_predictor(train_rasa(f"cv{k}", pipeline, train, work))
            gold += test
            predicted += predict([u.text for u in test])
        accuracy = accuracy_by_dialect(gold, predicted)
        results["variants"][name] = {"accuracy": accuracy, "seconds": round(time.monotonic() - started)}
        print(f"{name:<24}" + "  ".join(f"{k} {v:.3f}" for k, v in accuracy.items()), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
