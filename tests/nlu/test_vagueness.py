"""Vague short messages: judged from which answers' examples hold their words."""

from __future__ import annotations

from pathlib import Path

from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.confidence_gate import NavConfidenceGate
from bot.nlu.vagueness import ExampleIndex, VaguenessRule, is_vague

RULE = VaguenessRule()

# A small world: three answers about one benefit, one about another, and the
# function words every answer uses.
EXAMPLES = [
    *[("faq/x_soke", ["hvordan", "sok", "jeg", "xpeng", "soknad"])] * 4,
    *[("faq/x_rett", ["har", "jeg", "rett", "pa", "xpeng"])] * 4,
    *[("faq/x_utbetaling", ["nar", "kommer", "xpeng", "utbetal"])] * 4,
    *[("faq/y_soke", ["hvordan", "sok", "jeg", "ypeng", "soknad"])] * 4,
    *[("faq/z", ["hvordan", "jeg", "har", "nar", "pa", "hjelp", "soknad"])] * 3,
    *[("greet", ["hei", "jeg", "hvordan", "har", "pa", "nar"])] * 3,
    # Answers about other things, in the same function words.
    *[(f"faq/other{i}", ["hvordan", "jeg", "har", "nar", "pa", f"word{i}"]) for i in range(8)],
]


def _index() -> ExampleIndex:
    return ExampleIndex.build(EXAMPLES, RULE)


def test_function_words_are_those_in_most_answers_examples() -> None:
    index = _index()
    assert {"jeg", "hvordan", "har", "nar", "pa"} <= index.function_words
    assert "xpeng" not in index.function_words and "rett" not in index.function_words


def test_a_benefit_name_alone_that_several_answers_share_is_vague() -> None:
    assert is_vague(["xpeng"], _index(), RULE)


def test_words_that_together_point_at_one_answer_are_not_vague() -> None:
    index = _index()
    assert not is_vague(["xpeng", "soknad"], index, RULE)
    assert not is_vague(["ypeng"], index, RULE)
    assert not is_vague(["rett", "xpeng"], index, RULE)


def test_words_rare_together_that_only_one_answer_has_both_of_are_not_vague() -> None:
    # "wpeng" is in three answers' examples, "belop" in four, together in no example; but
    # only the amount answer has both ("aap amount"): a question, not a vague message.
    examples = [
        *EXAMPLES,
        *[(f"faq/w_{kind}", ["wpeng", kind]) for kind in ("soke", "rett", "amount") for _ in range(3)],
        ("faq/w_amount", ["hvor", "mye", "belop"]),
        *[(f"faq/b{i}", ["belop", f"thing{i}"]) for i in range(3) for _ in range(2)],
    ]
    index = ExampleIndex.build(examples, RULE)
    assert is_vague(["wpeng"], index, RULE) and is_vague(["belop"], index, RULE)
    assert not is_vague(["wpeng", "belop"], index, RULE)
    # Words that three answers have each of stay vague ("hjelp søknad").
    spread = [*examples, *[(f"faq/c{i}", ["cword", "dword"][j : j + 1]) for i in range(3) for j in (0, 1)]]
    spread_index = ExampleIndex.build(spread, RULE)
    assert spread_index.answers_with_each(["cword", "dword"]) == {"faq/c0", "faq/c1", "faq/c2"}
    assert is_vague(["cword", "dword"], spread_index, RULE)


def test_function_words_only_are_vague_and_unknown_words_are_left_to_the_classifier() -> None:
    index = _index()
    assert is_vague(["hvordan", "jeg"], index, RULE)
    assert not is_vague(["xpeng", "ukjentord"], index, RULE)


def test_a_long_message_is_never_judged_vague_here() -> None:
    assert not is_vague(["xpeng", "jeg", "hvordan", "har"], _index(), RULE)


def test_the_index_survives_saving_and_loading(tmp_path: Path) -> None:
    index = _index()
    index.save(tmp_path / "i.json")
    loaded = ExampleIndex.load(tmp_path / "i.json")
    assert loaded.function_words == index.function_words
    assert is_vague(["xpeng"], loaded, RULE) and not is_vague(["ypeng"], loaded, RULE)


def _faq_message(stems: list[str]) -> Message:
    ranking = [{"id": 0, "confidence": 0.95, "intent_response_key": "faq/x_soke"}]
    message = Message(
        data={
            "text": " ".join(stems),
            "intent": {"name": "faq", "confidence": 0.99},
            "intent_ranking": [{"name": "faq", "confidence": 0.99}],
            "response_selector": {"faq": {"response": {}, "ranking": ranking}},
        }
    )
    tokens, start = [], 0
    for stem in stems:
        tokens.append(Token(stem, start, lemma=stem))
        start += len(stem) + 1
    message.set("text_tokens", tokens)
    return message


def test_the_gate_makes_a_confident_answer_to_a_vague_message_unsure() -> None:
    gate = NavConfidenceGate(NavConfidenceGate.get_default_config(), index=_index())
    vague, clear = _faq_message(["xpeng"]), _faq_message(["xpeng", "soknad"])
    gate.process([vague, clear])
    assert vague.get("intent")["name"] == "nlu_fallback" and vague.get("unsure_reason") == "vague"
    assert clear.get("intent")["name"] == "faq"
