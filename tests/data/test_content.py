"""The FAQ content against the catalogue, and no evaluation sentence in the training data."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from bot.content.rules import leak_key, links
from bot.content.store import evaluation_keys
from bot.paths import PROJECT_ROOT, SHARED

FAQ_DIR = PROJECT_ROOT / "data" / "faq"
MIN_EXAMPLES = 15


def _examples(block: str) -> list[str]:
    return [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]


@pytest.fixture(scope="module")
def faq_files() -> dict[str, dict[str, Any]]:
    return {path.stem: yaml.safe_load(path.read_text("utf-8")) for path in sorted(FAQ_DIR.glob("*.yml"))}


def test_every_catalogue_entry_has_its_examples_and_answer_in_its_topic_file(
    faq_files: dict[str, dict[str, Any]], catalogue: list[dict[str, Any]]
) -> None:
    for entry in catalogue:
        data = faq_files.get(entry["tema"])
        assert data is not None, f"no data/faq/{entry['tema']}.yml"
        intents = {i["intent"]: _examples(i["examples"]) for i in data["nlu"]}
        examples = intents.get(f"faq/{entry['id']}")
        assert examples is not None, f"faq/{entry['id']} missing in {entry['tema']}.yml"
        assert len(set(examples)) >= MIN_EXAMPLES, f"faq/{entry['id']}: {len(set(examples))} examples"
        [answer, english] = data["responses"][f"utter_faq/{entry['id']}"]
        assert "condition" not in answer, f"utter_faq/{entry['id']}: the Norwegian answer comes first"
        assert english["condition"] == [{"type": "slot", "name": "language", "value": "en"}]
        for variation in (answer, english):
            assert entry["lenke"] in variation["text"], f"utter_faq/{entry['id']} lacks {entry['lenke']}"
            assert variation["metadata"]["tema"] == entry["tema"]
            assert variation["metadata"]["title"]


def test_no_faq_beyond_the_catalogue(
    faq_files: dict[str, dict[str, Any]], catalogue: list[dict[str, Any]]
) -> None:
    ids = {f"faq/{e['id']}" for e in catalogue}
    for name, data in faq_files.items():
        extra = {i["intent"] for i in data["nlu"]} - ids
        assert not extra, f"{name}.yml has intents outside the catalogue: {extra}"


def test_answers_are_short_plain_text(faq_files: dict[str, dict[str, Any]]) -> None:
    for data in faq_files.values():
        for key, variations in data["responses"].items():
            for answer in variations:
                text = answer["text"]
                sentences = [
                    s
                    for s in re.split(r"(?<=[.!?])\s+", text)
                    if s and not s.startswith(("Les mer", "Read more"))
                ]
                assert 1 <= len(sentences) <= 5, f"{key}: {len(sentences)} sentences"
                assert "**" not in text and "<" not in text, f"{key}: markup in a plain-text answer"


def test_every_english_answer_gives_only_links_of_the_catalogue(
    faq_files: dict[str, dict[str, Any]], catalogue: list[dict[str, Any]]
) -> None:
    known = {entry["lenke"] for entry in catalogue}
    for data in faq_files.values():
        for key, [answer, english] in data["responses"].items():
            assert set(links(english["text"])) == set(links(answer["text"])), key
            assert set(links(english["text"])) <= known, key


def test_no_example_is_in_two_intents() -> None:
    seen: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for item in data.get("nlu", []):
            for example in _examples(item.get("examples", "")):
                key = example.lower()
                assert seen.setdefault(key, item["intent"]) == item["intent"], f"'{example}' in two intents"


def test_no_evaluation_or_benchmark_sentence_is_in_the_training_data() -> None:
    result = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "eval_leak_check.py"), str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 evaluation sentences found" in result.stdout


def test_no_own_held_out_question_is_in_the_training_data() -> None:
    # eval/own.yml measures what dev.yml does not hold; it must stay unseen too.
    own = evaluation_keys(SHARED, PROJECT_ROOT) - evaluation_keys(SHARED)
    assert len(own) >= 20
    examples = {
        leak_key(example)
        for path in sorted((PROJECT_ROOT / "data").rglob("*.yml"))
        for item in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", [])
        for example in _examples(item.get("examples", ""))
    }
    assert not own & examples, sorted(own & examples)


# The blind sets judge messages the model has never seen: not even a two-word one
# ("aap apply") may be an example, though the leak check above counts only longer ones.
BLIND_SETS = ["eval/blind.yml", "eval/english.yml", "eval/english-blind.yml"]


def test_no_blind_set_message_of_any_length_is_a_training_example() -> None:
    blind = {
        leak_key(case["text"])
        for name in BLIND_SETS
        for case in yaml.safe_load((PROJECT_ROOT / name).read_text("utf-8"))
    }
    examples = {
        leak_key(example)
        for path in sorted((PROJECT_ROOT / "data").rglob("*.yml"))
        for item in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", [])
        for example in _examples(item.get("examples", ""))
    }
    # Counted, not printed: the blind sets' sentences are not to be read from a test log.
    assert len(blind & examples) == 0
