"""The NorSID intent benchmark, as ../shared/benchmarks/norsid/README.md describes it.

    python -m bot.benchmarks.norsid [--out docs/results/norsid.json]

Trains three systems on the 300 Bokmål sentences of norsid_dev.conll (ids ending
in /B) and tests each on all 5,500 utterances of norsid_test.conll, reporting
accuracy for Bokmål (B), North (N), Trøndersk (T), West (V) and overall:
- the project's NLU pipeline (config.yml, without the
  confidence gate and what reads its verdicts (long messages by sentence, the
  request for a person): they need the FAQ retrieval intent or Nav's chat);
- Rasa's default pipeline (the `rasa init` config; the top intent is scored,
  as if FallbackClassifier were absent, so that both Rasa systems are scored alike);
- TF-IDF character n-grams (char_wb 1–4) + LinearSVC (scikit-learn).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.paths import CONFIG, PROJECT_ROOT, RASA, SHARED
from bot.runtime.processes import quiet_rasa_logs

NORSID = SHARED / "benchmarks" / "norsid"
DIALECTS = ("B", "N", "T", "V")
# "/" marks a retrieval intent in Rasa: NorSID's "weather/find" is renamed.
SLASH = "__"

RASA_DEFAULT_PIPELINE: list[dict[str, Any]] = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]


@dataclass(frozen=True)
class Utterance:
    """One NorSID sentence in one version."""

    id: str
    text: str
    intent: str
    dialect: str


def read_conll(path: Path) -> list[Utterance]:
    """The utterances of a NorSID CoNLL file (token lines ignored)."""
    utterances = []
    header: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines() + [""]:
        if line.startswith("# ") and " = " in line:
            key, value = line[2:].split(" = ", 1)
            header[key.strip()] = value.strip()
        elif not line.strip() and header:
            utterances.append(Utterance(header["id"], header["text"], header["intent"], header["dialect"]))
            header = {}
    return utterances


def accuracy_by_dialect(gold: Sequence[Utterance], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy for each dialect and overall."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for utterance, intent in zip(gold, predicted, strict=True):
        hits[utterance.dialect].append(utterance.intent == intent)
        hits["overall"].append(utterance.intent == intent)
    return {key: round(sum(v) / len(v), 4) for key, v in sorted(hits.items())}


def _rasa_nlu_data(train: Sequence[Utterance]) -> str:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for utterance in train:
        by_intent[utterance.intent.replace("/", SLASH)].append(utterance.text)
    blocks = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in sorted(by_intent.items())
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False)


def train_rasa(name: str, pipeline: list[dict[str, Any]], train: Sequence[Utterance], work: Path) -> Path:
    """Trains an NLU-only Rasa model on the training utterances."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "nlu.yml").write_text(_rasa_nlu_data(train), "utf-8")
    config = {
        "recipe": "default.v1",
        "language": "nb",
        "assistant_id": f"norsid-{name}",
        "pipeline": pipeline,
        "policies": [],
    }
    (work / f"{name}.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "RASA_MAX_CACHE_SIZE": "0"}
    result = subprocess.run(
        [
            RASA,
            "train",
            "nlu",
            "--config",
            str(work / f"{name}.yml"),
            "--nlu",
            str(work / "nlu.yml"),
            "--out",
            str(work),
            "--fixed-model-name",
            name,
        ],  # fmt: skip
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    model = work / f"{name}.tar.gz"
    if result.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return model


def rasa_predictor(model: Path) -> Callable[[Sequence[str]], list[str]]:
    """Top intent of a Rasa NLU model, skipping `nlu_fallback`."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def predict_all(texts: Sequence[str]) -> list[str]:
        predictions = []
        for text in texts:
            parsed = await agent.parse_message(text)
            ranking = [r["name"] for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
            top = ranking[0] if ranking else parsed["intent"]["name"]
            predictions.append(top.replace(SLASH, "/"))
        return predictions

    return lambda texts: asyncio.run(predict_all(texts))


def svm_predictor(train: Sequence[Utterance]) -> Callable[[Sequence[str]], list[str]]:
    """TF-IDF char_wb 1–4 + LinearSVC."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4)), LinearSVC())
    model.fit([u.text for u in train], [u.intent for u in train])
    return lambda texts: [str(p) for p in model.predict(list(texts))]


def project_pipeline() -> list[dict[str, Any]]:
    """config.yml's pipeline without the FAQ- and chat-only components."""
    config = yaml.safe_load(CONFIG.read_text("utf-8"))
    skip = (
        "bot.nlu.confidence_gate.NavConfidenceGate",
        "bot.nlu.focus_combiner.FocusCombiner",
        "bot.nlu.person_request_classifier.PersonRequestClassifier",
        "bot.nlu.small_talk_classifier.SmallTalkClassifier",
    )
    pipeline = [c for c in config["pipeline"] if c["name"] not in skip]
    for component in pipeline:
        component.pop("focus_parts", None)  # its sentences need the FocusCombiner
    return pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "norsid.json")
    parser.add_argument(
        "--limit", type=int, default=0, help="test on the first N utterances only (smoke runs)"
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="test on the dialect versions (N, T, V) in norsid_dev.conll instead: for choices, not for reporting",
    )
    parser.add_argument("--systems", nargs="*", help="only these systems")
    args = parser.parse_args(argv)
    quiet_rasa_logs()

    train = [u for u in read_conll(NORSID / "norsid_dev.conll") if u.id.endswith("/B")]
    if args.dev:
        test = [u for u in read_conll(NORSID / "norsid_dev.conll") if not u.id.endswith("/B")]
    else:
        test = read_conll(NORSID / "norsid_test.conll")
    if args.limit:
        test = test[: args.limit]
    texts = [u.text for u in test]
    work = PROJECT_ROOT / ".cache" / "norsid"
    systems: dict[str, Callable[[], Callable[[Sequence[str]], list[str]]]] = {
        "project": lambda: rasa_predictor(train_rasa("project", project_pipeline(), train, work)),
        "rasa_default": lambda: rasa_predictor(
            train_rasa("rasa_default", RASA_DEFAULT_PIPELINE, train, work)
        ),
        "tfidf_svm": lambda: svm_predictor(train),
    }
    results: dict[str, Any] = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "train_utterances": len(train),
        "test_utterances": len(test),
        "systems": {},
    }
    results["test_set"] = "norsid_dev.conll N/T/V (development)" if args.dev else "norsid_test.conll"
    for name, build in systems.items():
        if args.systems and name not in args.systems:
            continue
        started = time.monotonic()
        predict = build()
        trained = time.monotonic()
        accuracy = accuracy_by_dialect(test, predict(texts))
        results["systems"][name] = {
            "accuracy": accuracy,
            "train_seconds": round(trained - started, 1),
            "predict_seconds": round(time.monotonic() - trained, 1),
        }
        print(f"{name:<14}" + "  ".join(f"{k} {v:.3f}" for k, v in accuracy.items()), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), "utf-8")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
