"""How well the language rule tells English from Norwegian (and both from other languages).

    .venv/bot/bin/python bench/language_detection.py [--cases bench/language-cases.yml] [--out docs/results/language.json]

Scores, on our own small set (bench/language-cases.yml), the language the reply would be
in for a conversation that was Norwegian before the message:
- rule+lingua: bot/nlu/language.py as the bot runs it (lingua's low-accuracy mode);
- rule+lingua high accuracy: the same with lingua's high-accuracy mode;
- rule+py3langid: the same rule over py3langid's probabilities instead of lingua's;
- lingua alone / py3langid alone: the detector's best language, Scandinavian as Norwegian.
A language request ("Can I speak English?") counts for every variant, as the bot reads it
before any detection. Results and the reading of them: docs/english.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nlu.language import (  # noqa: E402
    LINGUA_LANGUAGES,
    OTHER,
    SCANDINAVIAN,
    Detection,
    Detector,
    conversation_language,
    detect_language,
    lingua_confidences,
    requested_language,
)

# py3langid's codes for the languages lingua weighs ("no" is Bokmål).
PY3LANGID_LANGUAGES = (
    "en nn no da sv so de nl fr es pt it pl lt lv et fi ro hr sr bs sq tr sw tl vi id uk ru ar fa ur th zh"
).split()


def py3langid_confidences() -> Detector:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(PY3LANGID_LANGUAGES)

    def confidences(text: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for code, probability in identifier.rank(text):
            code = "nb" if code == "no" else code
            out[code] = out.get(code, 0.0) + float(probability)
        return out

    return confidences


def reply_language(text: str, decide: Callable[[str], Detection]) -> str:
    asked = requested_language(text)
    if asked is not None:
        return asked.value
    detection = decide(text)
    if detection.language == OTHER:
        return OTHER
    return conversation_language("nb", detection).value


def alone(detector: Detector) -> Callable[[str], Detection]:
    def decide(text: str) -> Detection:
        scores = detector(text)
        if not scores:
            return Detection(None)
        best = max(scores, key=lambda code: scores[code])
        language = "nb" if best in SCANDINAVIAN else "en" if best == "en" else OTHER
        return Detection(language, best)

    return decide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=Path, default=Path(__file__).with_name("language-cases.yml"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--errors", action="store_true", help="print each wrong reply language")
    args = parser.parse_args(argv)
    groups = yaml.safe_load(args.cases.read_text("utf-8"))
    langid = py3langid_confidences()
    variants: dict[str, Callable[[str], Detection]] = {
        "rule+lingua": lambda text: detect_language(text, lingua_confidences),
        "rule+lingua high accuracy": lambda text: detect_language(
            text, lambda t: lingua_confidences(t, high_accuracy=True)
        ),
        "rule+py3langid": lambda text: detect_language(text, langid),
        "lingua alone": alone(lingua_confidences),
        "py3langid alone": alone(langid),
    }
    # Lazy loading (the detector's models, the word lists of each guessed language) out
    # of the timing: every variant decides every message once first.
    for decide in variants.values():
        for by_language in groups.values():
            for texts in by_language.values():
                for text in texts:
                    reply_language(text, decide)
    results: dict[str, dict[str, object]] = {}
    for name, decide in variants.items():
        per_group: dict[str, list[int]] = {}
        nb_as_en = other_as_faq = 0
        started = time.perf_counter()
        n = 0
        for group, by_language in groups.items():
            for expected, texts in by_language.items():
                for text in texts:
                    got = reply_language(text, decide)
                    n += 1
                    hits = per_group.setdefault(group, [0, 0])
                    hits[0] += got == expected
                    hits[1] += 1
                    nb_as_en += expected == "nb" and got == "en"
                    other_as_faq += expected == OTHER and got != OTHER
                    if args.errors and got != expected:
                        print(f"{name:26} {group:28} want {expected:5} got {got:5} {text}")
        elapsed_ms = (time.perf_counter() - started) * 1000 / n
        right = sum(h[0] for h in per_group.values())
        results[name] = {
            "accuracy": round(right / n, 3),
            "right": right,
            "cases": n,
            "norwegian_answered_in_english": nb_as_en,
            "other_language_not_recognised": other_as_faq,
            "ms_per_message": round(elapsed_ms, 2),
            "groups": {g: f"{h[0]}/{h[1]}" for g, h in per_group.items()},
        }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"lingua weighs {len(LINGUA_LANGUAGES)} languages")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
