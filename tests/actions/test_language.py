"""The language of a conversation no message has decided: what the custom slot mapping reads."""

from __future__ import annotations

from actions.language import detection_of, language_was_set
from bot.nlu.language import Detection


def test_the_language_counts_as_set_after_a_slot_event_in_this_session_only() -> None:
    user = {"event": "user", "text": "opening hours"}
    chosen = {"event": "slot", "name": "language", "value": "nb"}
    other_slot = {"event": "slot", "name": "faq_id", "value": "tolk"}
    assert not language_was_set([user, other_slot])
    assert language_was_set([chosen, user])
    assert not language_was_set([chosen, {"event": "session_started"}, user])


def test_the_classifiers_reading_is_read_back_and_a_message_without_one_decides_nothing() -> None:
    parse_data = {"text": "tax card", "language_detected": {"language": None, "guess": "en", "lean": "en"}}
    assert detection_of(parse_data) == Detection(None, "en", "en")
    assert detection_of({"text": "/start"}) == Detection(None)
