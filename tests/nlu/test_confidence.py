from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.confidence import Thresholds, UnsureReason, unsure_reason
from bot.nlu.confidence_gate import NavConfidenceGate

T = Thresholds(intent=0.5, faq=0.4, faq_margin=0.1)


@pytest.mark.parametrize(
    ("intent", "confidence", "faq", "expected"),
    [
        ("greet", 0.9, [], None),
        ("greet", 0.3, [], UnsureReason.INTENT_LOW),
        ("faq", 0.9, [0.8, 0.1], None),
        ("faq", 0.9, [0.3, 0.2], UnsureReason.FAQ_LOW),
        ("faq", 0.9, [0.45, 0.4], UnsureReason.FAQ_AMBIGUOUS),
        ("faq", 0.9, [0.9], None),
        ("faq", 0.9, [], None),
    ],
)
def test_unsure_reason(
    intent: str, confidence: float, faq: list[float], expected: UnsureReason | None
) -> None:
    assert unsure_reason(T, intent, confidence, faq) == expected


def _message(intent_confidence: float, faq_confidences: list[float]) -> Message:
    ranking = [
        {"id": i, "confidence": c, "intent_response_key": f"faq/f{i}"} for i, c in enumerate(faq_confidences)
    ]
    return Message(
        data={
            "text": "x",
            "intent": {"name": "faq", "confidence": intent_confidence},
            "intent_ranking": [{"name": "faq", "confidence": intent_confidence}],
            "response_selector": {"faq": {"response": {}, "ranking": ranking}},
        }
    )


def _gate() -> NavConfidenceGate:
    return NavConfidenceGate(
        {**NavConfidenceGate.get_default_config(), "faq_threshold": 0.4, "faq_margin": 0.1}
    )


def test_gate_falls_back_when_the_faq_answer_is_unsure_though_the_intent_is_sure() -> None:
    [message] = _gate().process([_message(0.99, [0.35, 0.3])])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[1]["name"] == "faq"  # the original ranking stays
    assert message.get("unsure_reason") == "faq_low"
    assert len(message.get("response_selector")["faq"]["ranking"]) == 2  # for suggestions


def test_gate_lets_a_sure_answer_through() -> None:
    [message] = _gate().process([_message(0.99, [0.9, 0.05])])
    assert message.get("intent")["name"] == "faq"
