"""The rules an FAQ answer and its training examples must follow.

Plain functions, no files or HTTP: the editor service, `make publish` and the content
tests ask the same questions. Messages are in Norwegian: editors read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_EXAMPLES = 15
MAX_EXAMPLE_CHARS = 300
MAX_ANSWER_CHARS = 700
MAX_SENTENCES = 5  # 1-4 sentences of answer, and "Les mer på <lenke>"
# The leak check compares texts of three words or more (../shared/tools/eval_leak_check.py).
LEAK_MIN_WORDS = 3
_FNR = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")


@dataclass(frozen=True)
class Problem:
    """One thing to fix; `field` is "answer" or "examples"."""

    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def leak_key(text: str) -> str:
    """A text as the leak check compares it: lower case, punctuation and spaces collapsed."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def example_key(text: str) -> str:
    """Two examples are the same when they differ only in case and surrounding space."""
    return " ".join(text.lower().split())


def clean_examples(lines: Iterable[str]) -> list[str]:
    """The examples an editor typed, one per line: trimmed, a leading "- " dropped, blanks out."""
    out = []
    for line in lines:
        text = line.strip()
        if text.startswith("- "):
            text = text[2:].strip()
        if text:
            out.append(text)
    return out


def sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", answer.strip()) if s]


def answer_problems(answer: str, link: str) -> list[Problem]:
    text = answer.strip()
    if not text:
        return [Problem("answer", "Svaret kan ikke være tomt.")]
    found = []
    if len(text) > MAX_ANSWER_CHARS:
        found.append(
            Problem("answer", f"Svaret er for langt: høyst {MAX_ANSWER_CHARS} tegn ({len(text)} nå).")
        )
    if len(sentences(text)) > MAX_SENTENCES:
        found.append(
            Problem("answer", "Svaret har for mange setninger: skriv 1–4 korte setninger og lenken.")
        )
    if link and link not in text:
        found.append(Problem("answer", f"Svaret må ha lenken {link}."))
    if "**" in text or "<" in text or ">" in text:
        found.append(Problem("answer", "Svaret skal være ren tekst, uten tegnene <, > eller **."))
    if "\n" in text:
        found.append(Problem("answer", "Svaret skal være ett avsnitt, uten linjeskift."))
    return found


def example_problems(
    examples: list[str],
    elsewhere: Mapping[str, str],
    evaluation: frozenset[str],
) -> list[Problem]:
    """`elsewhere`: example key -> the other FAQ or intent that has it; `evaluation`: leak keys."""
    found = []
    distinct = {example_key(e) for e in examples}
    if len(distinct) < MIN_EXAMPLES:
        found.append(
            Problem("examples", f"Det trengs minst {MIN_EXAMPLES} ulike eksempler ({len(distinct)} nå).")
        )
    seen: set[str] = set()
    for example in examples:
        key = example_key(example)
        if key in seen:
            found.append(Problem("examples", f"«{example}» står to ganger."))
        seen.add(key)
        if len(example) > MAX_EXAMPLE_CHARS:
            found.append(
                Problem("examples", f"«{example[:40]}…» er for langt: høyst {MAX_EXAMPLE_CHARS} tegn.")
            )
        if key in elsewhere:
            found.append(
                Problem(
                    "examples",
                    f"«{example}» er allerede et eksempel på {elsewhere[key]}. Bruk det bare ett sted.",
                )
            )
        if len(leak_key(example).split()) >= LEAK_MIN_WORDS and leak_key(example) in evaluation:
            # The evaluation sets measure the bot on sentences it has not seen.
            found.append(
                Problem(
                    "examples", f"«{example}» er en setning fra testsettene og kan ikke brukes som eksempel."
                )
            )
        if _FNR.search(example):
            found.append(
                Problem("examples", f"«{example[:40]}» ser ut som det har et fødselsnummer. Fjern det.")
            )
    return found
