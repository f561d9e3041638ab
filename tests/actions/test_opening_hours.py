from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions.opening_hours import next_open_sentence

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=OSLO)  # a Friday afternoon


def test_next_open_in_words() -> None:
    assert next_open_sentence("2026-11-27T18:00:00+01:00", NOW) == "Neste gang er i dag kl. 18.00."
    assert next_open_sentence("2026-11-28T09:00:00+01:00", NOW) == "Neste gang er i morgen kl. 09.00."
    assert (
        next_open_sentence("2026-11-30T09:00:00+01:00", NOW) == "Neste gang er mandag 30. november kl. 09.00."
    )


def test_unknown_or_malformed_time_says_nothing() -> None:
    assert next_open_sentence(None, NOW) == ""
    assert next_open_sentence("i morgen", NOW) == ""


def test_next_open_in_english_words() -> None:
    assert next_open_sentence("2026-11-28T09:00:00+01:00", NOW, "en") == "Next time is tomorrow at 09.00."
    assert (
        next_open_sentence("2026-11-30T09:00:00+01:00", NOW, "en")
        == "Next time is Monday 30 November at 09.00."
    )
