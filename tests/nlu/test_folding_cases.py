"""The folding cases shared with the hub (tests/data/folding-cases.yml): the bot's side.

The hub checks the same file (handoff/tests/test_faq.py), so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu.normalize import clean, fold

CASES = yaml.safe_load((Path(__file__).parents[1] / "data" / "folding-cases.yml").read_text("utf-8"))


def test_the_shared_file_has_cases() -> None:
    assert len(CASES) >= 20
    assert all(set(case) == {"word", "folded"} for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["word"] for c in CASES])
def test_the_bot_folds_each_shared_case(case: dict[str, str]) -> None:
    assert fold(clean(case["word"])) == case["folded"]
