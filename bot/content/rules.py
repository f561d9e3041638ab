"""The rules an FAQ answer and its training examples must follow.

Plain functions, no files or HTTP: the editor service, `make publish` and the content
tests ask the same questions. Messages are in Norwegian: editors read them. Personal
numbers are found by navpii (packages/navpii), the same function that masks them in
the hub, so a question copied from the unanswered list is judged as the hub judged it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import navpii

MIN_EXAMPLES = 15
MAX_EXAMPLE_CHARS = 300
MAX_ANSWER_CHARS = 700
MAX_SENTENCES = 5  # 1-4 sentences of answer, and "Les mer på <lenke>"
# The leak check compares texts of three words or more (../shared/tools/eval_leak_check.py).
LEAK_MIN_WORDS = 3


@dataclass(frozen=True)
class Problem:
    """One thing to fix; `field` is "answer" or "examples"."""

    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def personal_number(text: str) -> str | None:
    """What kind of personal number `text` has ("fødselsnummer", "kontonummer",
    "kortnummer"), or None."""
    found = navpii.find(text)
    return navpii.NAMES[found[0].kind] if found else None


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


# A link as the chat widget makes one (handoff/web/src/shared/text.ts): up to a space or
# bracket, without the punctuation that ends the sentence around it.
_URL = re.compile(r"https?://[^\s<>()]+[^\s<>().,;:!?\"']")
# A period after these is part of the word, not the end of a sentence ("kl. 9",
# "f.eks. Min side").
_ABBREVIATIONS = frozenset(
    {"kl.", "f.eks.", "bl.a.", "ca.", "nr.", "jf.", "dvs.", "evt.", "pga.", "inkl.", "f.o.m.", "t.o.m."}
)
# These end a sentence when the next word starts with a capital letter.
_LIST_ENDS = frozenset({"osv.", "m.m."})
_ORDINAL = re.compile(r"\d+\.")


def _ends_sentence(word: str, following: str) -> bool:
    """Whether the period, ! or ? at the end of `word` ends the sentence before `following`."""
    word = word.lower().lstrip("(«\"'")
    if word in _ABBREVIATIONS:
        return False
    if word in _LIST_ENDS or _ORDINAL.fullmatch(word):
        # "osv. Les mer" ends one; "hver 14. dag" does not.
        return not following[:1].islower()
    return True


def sentences(answer: str) -> list[str]:
    """The sentences of an answer, not split after an ordinal ("14. dag") or "kl.", "f.eks." and the like."""
    text = answer.strip()
    found, start = [], 0
    for gap in re.finditer(r"(?<=[.!?])\s+", text):
        before = text[start : gap.start()]
        if _ends_sentence(before.split()[-1], text[gap.end() :]):
            found.append(before)
            start = gap.end()
    found.append(text[start:])
    return [s for s in found if s]


def links(text: str) -> list[str]:
    """Every http(s) address in `text`, without the punctuation after it."""
    return _URL.findall(text)


def answer_problems(answer: str, link: str, known_links: Iterable[str] = ()) -> list[Problem]:
    """What to fix in an answer whose catalogue link is `link`.

    `known_links`: the other addresses an answer may give (the catalogue's links); any
    other address is refused, so a typo such as nav.no/dagpengerr cannot reach visitors.
    """
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
    given = links(text)
    if link and link not in given:
        found.append(Problem("answer", f"Svaret må ha lenken {link}."))
    allowed = {link, *known_links}
    for unknown in dict.fromkeys(u for u in given if u not in allowed):
        found.append(
            Problem(
                "answer",
                f"Boten kjenner ikke lenken {unknown}. Sjekk at den er skrevet riktig"
                + (f", eller bruk {link}." if link else "."),
            )
        )
    if "**" in text or "<" in text or ">" in text:
        found.append(Problem("answer", "Svaret skal være ren tekst, uten tegnene <, > eller **."))
    if "\n" in text:
        found.append(Problem("answer", "Svaret skal være ett avsnitt, uten linjeskift."))
    kind = personal_number(text)
    if kind:
        found.append(Problem("answer", f"Svaret har et {kind}. Fjern det."))
    return found


def english_answer_problems(answer: str | None, link: str, known_links: Iterable[str] = ()) -> list[Problem]:
    """What to fix in an FAQ's English answer (the variation for `language: en`): it must be
    there, with the same link, and follow the rules of the Norwegian one."""
    if answer is None or not answer.strip():
        return [Problem("answer_en", "Svaret på engelsk mangler.")]
    return [
        Problem("answer_en", f"På engelsk: {p.message}") for p in answer_problems(answer, link, known_links)
    ]


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
        kind = personal_number(example)
        if kind:
            # Shown masked: the message goes back through the hub and may be logged.
            found.append(Problem("examples", f"«{navpii.mask(example)[:60]}» har et {kind}. Fjern det."))
    return found
