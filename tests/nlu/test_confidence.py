from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.confidence import Thresholds, UnsureReason, unsure_reason, urgent_possible
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


def test_urgent_possible_from_the_hint_up() -> None:
    assert urgent_possible(0.25, 0.2) and urgent_possible(0.2, 0.2)
    assert not urgent_possible(0.1, 0.2)


def test_gate_marks_an_unsure_message_that_may_be_an_acute_need() -> None:
    gate = NavConfidenceGate({**NavConfidenceGate.get_default_config(), "urgent_hint": 0.2})
    ranking = [{"name": "faq", "confidence": 0.45}, {"name": "urgent", "confidence": 0.3}]
    unsure = Message(data={"text": "x", "intent": ranking[0], "intent_ranking": ranking})
    calm = Message(data={"text": "y", "intent": ranking[0], "intent_ranking": [ranking[0]]})
    sure = _message(0.99, [0.9, 0.05])
    sure.set("intent_ranking", [{"name": "faq", "confidence": 0.7}, {"name": "urgent", "confidence": 0.3}])
    gate.process([unsure, calm, sure])
    assert unsure.get("intent")["name"] == "nlu_fallback" and unsure.get("urgent_possible") is True
    assert calm.get("intent")["name"] == "nlu_fallback" and calm.get("urgent_possible") is None
    # A sure answer is not second-guessed, whatever the urgent intent's share.
    assert sure.get("intent")["name"] == "faq" and sure.get("urgent_possible") is None
