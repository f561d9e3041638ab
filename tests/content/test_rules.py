"""The content rules as plain functions."""

from __future__ import annotations

from bot.content.rules import MIN_EXAMPLES, answer_problems, clean_examples, example_problems, leak_key

LINK = "https://www.nav.no/dagpenger"
EXAMPLES = [f"eksempel nummer {i} om dagpenger" for i in range(MIN_EXAMPLES)]


def messages(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [p.message for p in problems]


def test_a_short_plain_answer_with_its_link_passes() -> None:
    assert answer_problems(f"Du søker på nav.no. Les mer på {LINK}", LINK) == []


def test_answer_rules_say_what_to_fix() -> None:
    assert messages(answer_problems("   ", LINK)) == ["Svaret kan ikke være tomt."]
    assert messages(answer_problems("Du søker på nav.no.", LINK)) == [f"Svaret må ha lenken {LINK}."]
    long = " ".join(["Dette er en setning."] * 6) + f" Les mer på {LINK}"
    assert any("for mange setninger" in m for m in messages(answer_problems(long, LINK)))
    assert any("ren tekst" in m for m in messages(answer_problems(f"**Viktig** {LINK}", LINK)))
    assert any("linjeskift" in m for m in messages(answer_problems(f"En.\nTo. {LINK}", LINK)))
    assert any("for langt" in m for m in messages(answer_problems("a" * 800 + LINK, LINK)))


def test_enough_distinct_examples_pass() -> None:
    assert example_problems(EXAMPLES, {}, frozenset()) == []


def test_example_rules_say_what_to_fix() -> None:
    few = example_problems(EXAMPLES[:3], {}, frozenset())
    assert messages(few) == [f"Det trengs minst {MIN_EXAMPLES} ulike eksempler (3 nå)."]
    doubled = example_problems([*EXAMPLES, EXAMPLES[0].upper()], {}, frozenset())
    assert any("står to ganger" in m for m in messages(doubled))
    elsewhere = example_problems(EXAMPLES, {EXAMPLES[1]: "faq/aap_soke"}, frozenset())
    assert any("faq/aap_soke" in m for m in messages(elsewhere))
    leaked = example_problems(EXAMPLES, {}, frozenset({leak_key(EXAMPLES[2])}))
    assert any("testsettene" in m for m in messages(leaked))
    fnr = example_problems([*EXAMPLES, "mitt nummer er 010190 12345"], {}, frozenset())
    assert any("fødselsnummer" in m for m in messages(fnr))


def test_the_leak_check_compares_like_the_shared_tool() -> None:
    assert leak_key("  Hvordan SØKER jeg, dagpenger?! ") == "hvordan søker jeg dagpenger"


def test_editors_lines_are_cleaned() -> None:
    assert clean_examples(["- søke dagpenger ", "", "  ", "dagpenger søknad"]) == [
        "søke dagpenger",
        "dagpenger søknad",
    ]
