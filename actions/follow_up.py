"""Follow-up questions: "hvordan søker jeg?" right after an answer about sykepenger.

A visitor who has just read about one benefit often asks the next question about
it without naming it again. The NLU sees one message at a time, so it gives that
aspect ("how to apply", "how much", "when paid") of whichever benefit its examples
know best, often dagpenger. Here the aspect moves to the benefit of the previous
answer, as long as the message names no other benefit.

Plain data and functions: no Rasa, so the rule is easy to read and to test.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.nlu.normalize import bokmal_text, fold

# The aspects a follow-up question can ask about.
APPLY = "apply"
RIGHT = "right"
AMOUNT = "amount"
PAYMENT = "payment"
LENGTH = "length"


@dataclass(frozen=True)
class Benefit:
    """A benefit: the words visitors name it by, and its FAQ for each aspect."""

    name: str
    # Folded word beginnings ("sykepeng" for sykepenger, sykepengene, ...).
    words: tuple[str, ...]
    aspects: Mapping[str, str]
    # Further FAQs about the benefit that answer no single aspect.
    others: tuple[str, ...] = ()
    # Whole folded words for the visitor's situation ("syk", "permittert"): they point
    # to this benefit too, but may be shared with others ("gravid"). Whole words, since
    # "syk" begins "sykepleier" too.
    situations: tuple[str, ...] = ()

    @property
    def faqs(self) -> frozenset[str]:
        return frozenset(self.aspects.values()) | frozenset(self.others)


_PREGNANCY = ("gravid", "baby", "babyen", "fodsel", "fodselen", "fode", "termin", "terminen")

# Only aspects the FAQ's answer really covers (data/faq/<tema>.yml).
BENEFITS: tuple[Benefit, ...] = (
    Benefit(
        "dagpenger",
        ("dagpeng", "ledighetstrygd", "unemployment"),
        {
            APPLY: "dagpenger_soke",
            RIGHT: "dagpenger_rett",
            AMOUNT: "dagpenger_beregning",
            PAYMENT: "dagpenger_utbetaling",
        },
        ("dagpenger_permittert",),
        (
            "permittert",
            "permitert",
            "permittering",
            "arbeidsledig",
            "oppsagt",
            "sagt opp",
            "mistet jobben",
            "mista jobben",
        ),
    ),
    Benefit(
        "sykepenger",
        ("sykepeng", "sjukepeng", "sykmeld", "sykemeld", "sjukmeld", "sick"),
        {RIGHT: "sykepenger_rett", APPLY: "sykepenger_soknad", PAYMENT: "sykepenger_utbetaling"},
        ("sykepenger_arbeidsgiverperiode", "sykepenger_selvstendig", "sykmelding"),
        ("syk", "sjuk", "syke", "sjuke", "sykdom", "sjukdom"),
    ),
    Benefit(
        "aap",
        ("aap", "arbeidsavklaring"),
        {RIGHT: "aap_hva", APPLY: "aap_soke", AMOUNT: "aap_beregning"},
    ),
    Benefit(
        "foreldrepenger",
        (
            "foreldrepeng",
            "foreldrepermisjon",
            "fodselspermisjon",
            "permisjon",
            "pappaperm",
            "mammaperm",
            "parental",
        ),
        {APPLY: "foreldrepenger_soke", LENGTH: "foreldrepenger_lengde"},
        situations=_PREGNANCY,
    ),
    Benefit(
        "alderspensjon",
        ("pensjon", "pension"),
        {RIGHT: "alderspensjon_soke", APPLY: "alderspensjon_soke", AMOUNT: "alderspensjon_beregne"},
    ),
    Benefit(
        "barnetrygd",
        ("barnetrygd", "child benefit"),
        {RIGHT: "barnetrygd", APPLY: "barnetrygd", AMOUNT: "barnetrygd"},
        ("barnetrygd_utvidet",),
    ),
    Benefit("kontantstotte", ("kontantstott",), {RIGHT: "kontantstotte", APPLY: "kontantstotte"}),
    Benefit(
        "engangsstonad",
        ("engangsstonad",),
        {RIGHT: "engangsstonad", AMOUNT: "engangsstonad"},
        situations=_PREGNANCY,
    ),
    Benefit(
        "svangerskapspenger",
        ("svangerskapspeng",),
        {RIGHT: "svangerskapspenger"},
        situations=_PREGNANCY,
    ),
    Benefit("pleiepenger", ("pleiepeng",), {RIGHT: "pleiepenger"}),
    Benefit("omsorgsdager", ("omsorgsdag", "omsorgspeng"), {RIGHT: "omsorgsdager_sykt_barn"}),
    Benefit("overgangsstonad", ("overgangsstonad",), {RIGHT: "overgangsstonad"}),
    Benefit("uforetrygd", ("uforetrygd", "uforepensjon", "ufore", "disability"), {RIGHT: "uforetrygd"}),
    Benefit(
        "sosialhjelp",
        ("sosialhjelp", "sosialstonad", "sosialen", "okonomisk stonad", "social assistance"),
        {RIGHT: "sosialhjelp_soke", APPLY: "sosialhjelp_soke"},
    ),
    Benefit("hjelpemidler", ("hjelpemid", "rullator", "rullestol"), {APPLY: "hjelpemidler"}),
)

# The aspect each FAQ answers when the NLU picks it for a message that names no
# benefit. General FAQs count too: "når kommer pengene?" after an answer about
# dagpenger means the dagpenger payment.
ASPECT_OF: Mapping[str, str] = {
    "dagpenger_soke": APPLY,
    "dagpenger_rett": RIGHT,
    "dagpenger_beregning": AMOUNT,
    "dagpenger_utbetaling": PAYMENT,
    "sykepenger_soknad": APPLY,
    "sykepenger_rett": RIGHT,
    "sykepenger_utbetaling": PAYMENT,
    "aap_hva": RIGHT,
    "aap_soke": APPLY,
    "aap_beregning": AMOUNT,
    "foreldrepenger_soke": APPLY,
    "foreldrepenger_lengde": LENGTH,
    "alderspensjon_soke": APPLY,
    "alderspensjon_beregne": AMOUNT,
    "utbetalingsdatoer": PAYMENT,
}

_BENEFIT_OF_FAQ: Mapping[str, Benefit] = {faq: b for b in BENEFITS for faq in b.faqs}
_WORD = re.compile(r"\w+")
# A typo in a long benefit word still names it ("dagpnger", "sykepnger").
_TYPO_RATIO = 0.8
_TYPO_MIN_LENGTH = 6


def _names(word: str, start: str) -> bool:
    if " " in start:
        return False
    if word.startswith(start):
        return True
    if len(start) < _TYPO_MIN_LENGTH or len(word) < len(start) - 1:
        return False
    return difflib.SequenceMatcher(None, word[: len(start)], start).ratio() >= _TYPO_RATIO


def _pointers(situations: bool) -> dict[str, frozenset[str]]:
    """Each benefit word (or situation word), and the benefits it points to."""
    out: dict[str, set[str]] = {}
    for benefit in BENEFITS:
        for start in benefit.situations if situations else benefit.words:
            out.setdefault(start, set()).add(benefit.name)
    return {start: frozenset(names) for start, names in out.items()}


_NAMES = _pointers(situations=False)
_SITUATIONS = _pointers(situations=True)


def mentions(text: str) -> list[frozenset[str]]:
    """For each benefit name or situation in a message, the benefits it points to."""
    words = [fold(w) for w in _WORD.findall(bokmal_text(text))]
    joined = " ".join(words)
    named = [
        names
        for start, names in _NAMES.items()
        if (" " in start and start in joined) or any(_names(w, start) for w in words)
    ]
    padded = f" {joined} "
    return named + [names for word, names in _SITUATIONS.items() if f" {word} " in padded]


def named_benefits(text: str) -> set[str]:
    """The benefits a message names or points to by the visitor's situation."""
    return set().union(*mentions(text))


def benefit_of(faq_id: str | None) -> Benefit | None:
    """The benefit an FAQ is about, if it is about one."""
    return _BENEFIT_OF_FAQ.get(faq_id) if faq_id else None


def follow_up_faq(chosen: str, previous: str | None, text: str) -> str:
    """The FAQ to answer, given the NLU's choice and the previous answer.

    The choice moves to the previous answer's benefit only when nothing in the
    message points away from it (another benefit's name, or a situation such as
    "syk" that does not fit it), the choice answers an aspect, and that benefit
    has an answer for the aspect. Otherwise the NLU's choice stands.
    """
    before = benefit_of(previous)
    aspect = ASPECT_OF.get(chosen)
    if before is None or aspect is None or benefit_of(chosen) is before:
        return chosen
    target = before.aspects.get(aspect)
    if target is None or any(before.name not in names for names in mentions(text)):
        return chosen
    return target


def follow_up_ranking(
    ranking: list[tuple[str, float]], previous: str | None, text: str
) -> list[tuple[str, float]]:
    """An FAQ ranking read as a follow-up: each FAQ moved as above, repeats dropped.

    For the suggestions of an unsure turn: after an answer about AAP, "hvor mye
    kan jeg få?" suggests the AAP amount first, not the dagpenger one.
    """
    seen: set[str] = set()
    out = []
    for faq_id, confidence in ranking:
        moved = follow_up_faq(faq_id, previous, text)
        if moved not in seen:
            seen.add(moved)
            out.append((moved, confidence))
    return out
