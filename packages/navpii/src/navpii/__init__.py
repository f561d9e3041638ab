"""Personal numbers in free text: find them and mask them.

One function for every text a visitor, advisor or editor sends: the hub masks chat
messages, button payloads and the page a conversation started on before it stores,
forwards, shows or logs them; the bot's content rules refuse an FAQ answer or example
that has one. Standard library only, so both Python environments share it.

What is masked
--------------
- **Fødselsnummer, D-nummer and H-nummer** (``[fødselsnummer fjernet]``): eleven
  digits whose first six are a date (day 1-31, or 41-71 for a D-nummer; month 1-12,
  or 41-52 for an H-nummer) and whose check digits are valid. The first check digit follows
  today's rule or the one for numbers issued from 2032 (the weighted sum may leave 0,
  1, 2 or 3); the second is unchanged. However it is written:

  - in any number of digit groups (``120389 12345``, ``12 03 89 123 45``,
    ``1 2 0 3 8 9 1 2 3 4 5``), with any run of separators between the groups: spaces
    of any kind and length (no-break, thin, tab, line break), dots, dashes of any
    kind, slashes, commas, colons, brackets; invisible characters (zero-width space,
    joiners, soft hyphen, direction marks) count as nothing at all;
  - with prefixes and punctuation around it (``f.nr.``, ``fnr:``, ``D-nr``, ``(…)``,
    ``«…»``, ``#``), even glued to a word (``fnr12038912345``);
  - in full-width, Arabic-Indic or any other Unicode digits, including superscript
    and circled ones (anything with a digit value);
  - split over two consecutive messages of the same visitor (:func:`mask_split`).

  A candidate is made of whole digit groups: eleven digits inside a longer unbroken
  run of digits (``012038912345``) are not a fødselsnummer. Nor is a candidate with
  a four-digit year (19xx, 20xx) right after a day and month: that is a date with
  something after it (``12.12.2024 9:30``); nobody writes a fødselsnummer's year
  with four digits.

- **Bank account numbers** (``[kontonummer fjernet]``): ``NNNN.NN.NNNNN`` or
  ``NNNN NN NNNNN`` always, and eleven digits (``NNNNNN NNNNN`` at most) with a valid
  mod-11 check digit. With one check digit, about one eleven-digit number in eleven
  passes, so looser spellings would mask too much.
- **Payment card numbers** (``[kortnummer fjernet]``): 13 to 19 digits, single spaces
  or dashes between them, with a valid Luhn check.

What is kept, and why
---------------------
- Phone numbers (8 digits, ``+47`` or ``0047`` in front, in any grouping): visitors
  give them so an advisor can call back, and Nav's own numbers (55 55 33 33) are in
  normal answers. They are too short to be any of the numbers above.
- Amounts (``12 500 kr``, ``kr 1 234 567,50``), dates (``12.03.2024``,
  ``2024-03-12``), years, periods (``01.01.2024–31.12.2024``), case and reference
  numbers (``24/12345``, nine-digit organisation numbers): they carry the facts the
  visitor asks about. A run of such numbers is masked only where eleven of its digits,
  in whole groups, happen to form a date with valid check digits, which is what a
  fødselsnummer written ``DD.MM.YY NNNNN`` is. The date and the two check digits make
  that rare: over every date of 2020-2029 at 40 times of day, none of ``12.1.2024
  9:30``, ``12.01.2024 9:30``, ``12/1/2024 9.30`` or ``12.01.24 9:30`` was masked,
  and 0.9 % of ``12.1.24 9:30:30``.
- Letters end a number: ``ring 41234567 fnr 120389`` is two numbers, not one.
- Skatteetaten's synthetic test numbers (month + 80) identify nobody; leaving them
  out keeps dates and amounts from being taken for numbers more often.

Limits
------
- A number split over three messages, or over two messages with other words after
  the first part or before the second, is not found; nor one with words between the
  date and the rest (``født 12.03.89, personnummer 12345``).
- The first part of a split number has already been forwarded to the bot and shown
  before the second part arrives; :func:`mask_split` masks it in what is stored, so
  transcripts, the advisor's view when opened and the editors' lists show it masked.
- Eleven digits that are a valid account number are masked even if they were meant
  as something else (a KID, a case number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MASK_ACCOUNT",
    "MASK_CARD",
    "MASK_FNR",
    "NAMES",
    "Finding",
    "find",
    "is_account_number",
    "is_card_number",
    "is_fodselsnummer",
    "mask",
    "mask_split",
]

Kind = Literal["fnr", "account", "card"]

MASK_FNR = "[fødselsnummer fjernet]"
MASK_ACCOUNT = "[kontonummer fjernet]"
MASK_CARD = "[kortnummer fjernet]"
_NOTICE: dict[Kind, str] = {"fnr": MASK_FNR, "account": MASK_ACCOUNT, "card": MASK_CARD}
# What each kind is called in Norwegian, for messages to editors.
NAMES: dict[Kind, str] = {"fnr": "fødselsnummer", "account": "kontonummer", "card": "kortnummer"}

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ACCOUNT_W = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# The most days a month can have; the century is unknown, so 29 February always passes.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

_DIGITS = re.compile(r"[0-9]+")
_ACCOUNT_FORMATTED = re.compile(r"(?<![0-9])[0-9]{4}([. ])[0-9]{2}\1[0-9]{5}(?![0-9])")
_ACCOUNT_PLAIN = re.compile(r"(?<![0-9.])[0-9]{6} ?[0-9]{5}(?![0-9])")
_CARD = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")


@dataclass(frozen=True)
class Finding:
    """A personal number at ``text[start:end]`` (from its first digit to its last)."""

    kind: Kind
    start: int
    end: int


def _plausible_date(d: list[int]) -> bool:
    day, month = d[0] * 10 + d[1], d[2] * 10 + d[3]
    if day > 40:
        day -= 40  # D-nummer
    if month > 40:
        month -= 40  # H-nummer (and Nav's synthetic test numbers)
    return 1 <= month <= 12 and 1 <= day <= _MONTH_DAYS[month - 1]


def is_fodselsnummer(number: str) -> bool:
    """True for 11 ASCII digits that are a fødselsnummer, D-nummer or H-nummer."""
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False
    d = [int(c) for c in number]
    if not _plausible_date(d):
        return False
    # First check digit: weighted sum with it (weight 1) divisible by 11; numbers
    # issued from 2032 may leave a remainder of 1, 2 or 3 as well.
    if (sum(a * w for a, w in zip(d[:9], _W1, strict=True)) + d[9]) % 11 > 3:
        return False
    return (sum(a * w for a, w in zip(d[:10], _W2, strict=True)) + d[10]) % 11 == 0


def is_account_number(number: str) -> bool:
    """True for 11 ASCII digits with a valid account-number check digit (mod 11)."""
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False
    d = [int(c) for c in number]
    rest = sum(a * w for a, w in zip(d[:10], _ACCOUNT_W, strict=True)) % 11
    check = 0 if rest == 0 else 11 - rest
    return check == d[10]


def is_card_number(number: str) -> bool:
    """True for 13 to 19 ASCII digits with a valid Luhn check."""
    if not 13 <= len(number) <= 19 or not number.isascii() or not number.isdigit():
        return False
    total = 0
    for i, c in enumerate(reversed(number)):
        n = int(c)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _normalise(text: str) -> tuple[str, list[int]]:
    """``text`` with every digit as an ASCII digit, every space as " " (line breaks as
    "\\n"), every dash as "-", and invisible characters left out; and for each
    character of that, its index in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            if ch in _LINE_BREAKS:
                ch = "\n"
            elif ch.isspace():
                ch = " "
        else:
            category = unicodedata.category(ch)
            if category == "Cf":
                continue  # zero-width space, joiners, soft hyphen, BOM, direction marks
            value = unicodedata.digit(ch, None)
            if value is not None:
                ch = str(value)
            elif ch in _LINE_BREAKS:
                ch = "\n"
            elif ch.isspace():
                ch = " "
            elif category == "Pd" or ch == "\u2212":
                ch = "-"
            else:
                folded = unicodedata.normalize("NFKC", ch)
                ch = folded if len(folded) == 1 else ch
        out.append(ch)
        origin.append(i)
    return "".join(out), origin


def _joins(gap: str) -> bool:
    """Whether two digit groups with ``gap`` between them may be one number."""
    return not any(c.isalnum() for c in gap)


def _chains(s: str) -> list[list[tuple[int, int]]]:
    """Runs of digit groups in ``s`` with nothing but separators between them."""
    chains: list[list[tuple[int, int]]] = []
    for m in _DIGITS.finditer(s):
        group = (m.start(), m.end())
        if chains and _joins(s[chains[-1][-1][1] : group[0]]):
            chains[-1].append(group)
        else:
            chains.append([group])
    return chains


def _written_as_fnr(parts: list[str]) -> bool:
    """Whether digit groups ``parts`` (eleven digits together) are a fødselsnummer.

    Not when a group is a four-digit year (19xx, 20xx) right after a day and month:
    that is a date with something after it ("12.12.2024 9:30"), and nobody writes
    the year of a fødselsnummer with four digits.
    """
    at = 0
    for part in parts:
        if len(part) == 4 and part[:2] in ("19", "20") and 2 <= at <= 4:
            return False
        at += len(part)
    return is_fodselsnummer("".join(parts))


def _fnr_spans(s: str) -> list[tuple[int, int]]:
    """Whole digit groups of one chain, eleven digits together, that are a fødselsnummer."""
    spans = []
    for chain in _chains(s):
        i = 0
        while i < len(chain):
            length, found = 0, None
            for j in range(i, len(chain)):
                length += chain[j][1] - chain[j][0]
                if length >= 11:
                    if length == 11 and _written_as_fnr([s[a:b] for a, b in chain[i : j + 1]]):
                        found = j
                    break
            if found is None:
                i += 1
            else:
                spans.append((chain[i][0], chain[found][1]))
                i = found + 1
    return spans


def _find_normalised(s: str) -> list[tuple[Kind, int, int]]:
    others: list[tuple[Kind, int, int]] = [
        ("account", m.start(), m.end()) for m in _ACCOUNT_FORMATTED.finditer(s)
    ]
    others += [
        ("account", m.start(), m.end())
        for m in _ACCOUNT_PLAIN.finditer(s)
        if is_account_number(m.group(0).replace(" ", ""))
    ]
    others += [
        ("card", m.start(), m.end())
        for m in _CARD.finditer(s)
        if is_card_number(re.sub(r"[ -]", "", m.group(0)))
    ]
    # A fødselsnummer first (two check digits and a date), then the longest: a card
    # number may hold eleven digits that pass as an account number. A candidate
    # overlapping one already taken is dropped.
    taken: list[tuple[Kind, int, int]] = []
    fnr: list[tuple[Kind, int, int]] = [("fnr", a, b) for a, b in _fnr_spans(s)]
    for kind, a, b in fnr + sorted(others, key=lambda t: t[1] - t[2]):
        if all(b <= ta or a >= tb for _, ta, tb in taken):
            taken.append((kind, a, b))
    return sorted(taken, key=lambda t: t[1])


def find(text: str) -> list[Finding]:
    """The personal numbers in ``text``, in order, none overlapping."""
    s, origin = _normalise(text)
    return [Finding(kind, origin[a], origin[b - 1] + 1) for kind, a, b in _find_normalised(s)]


def _replace(text: str, findings: list[Finding]) -> str:
    out, at = [], 0
    for f in findings:
        out += [text[at : f.start], _NOTICE[f.kind]]
        at = f.end
    out.append(text[at:])
    return "".join(out)


def mask(text: str) -> str:
    """``text`` with each personal number replaced by a short notice in Norwegian.

    Masking a masked text changes nothing (the notices have no digits, and their
    letters end any number next to them).
    """
    # No digit of any script (str.isdigit knows the same digits as unicodedata.digit):
    # the common case, and the log formatter calls this on every line.
    if not any(c.isdigit() for c in text):
        return text
    return _replace(text, find(text))


def _edge_groups(s: str, *, tail: bool) -> list[tuple[int, int]]:
    """The digit groups that end ``s`` (``tail``) or start it, separators allowed
    around them; none if a letter comes first."""
    chains = _chains(s)
    if not chains:
        return []
    if tail:
        chain = chains[-1]
        return chain if _joins(s[chain[-1][1] :]) else []
    chain = chains[0]
    return chain if _joins(s[: chain[0][0]]) else []


def mask_split(previous: str, current: str) -> tuple[str, str] | None:
    """A fødselsnummer begun at the end of ``previous`` and ended at the start of
    ``current`` (two consecutive messages of one visitor, e.g. "120389" then "12345",
    or "fnr 120389 123" then "45 takk"): both texts with their part masked, or None.

    Pass texts already masked with :func:`mask`; the parts must be whole digit groups.
    """
    p, p_origin = _normalise(previous)
    c, c_origin = _normalise(current)
    tail = _edge_groups(p, tail=True)
    head = _edge_groups(c, tail=False)
    if not tail or not head:
        return None
    for i in range(len(tail)):
        first_part = [p[a:b] for a, b in tail[i:]]
        if sum(map(len, first_part)) >= 11:
            continue
        for j in range(len(head)):
            parts = first_part + [c[a:b] for a, b in head[: j + 1]]
            length = sum(map(len, parts))
            if length > 11:
                break
            if length == 11 and _written_as_fnr(parts):
                first = Finding("fnr", p_origin[tail[i][0]], p_origin[tail[-1][1] - 1] + 1)
                second = Finding("fnr", c_origin[head[0][0]], c_origin[head[j][1] - 1] + 1)
                return _replace(previous, [first]), _replace(current, [second])
    return None
