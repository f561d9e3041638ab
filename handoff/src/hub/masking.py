"""Masking of personal numbers in free text.

Masked, before storage, before forwarding to the bot and in logs:
- fødselsnummer and D-nummer: 11 digits (optionally ``DDMMYY NNNNN``) whose two
  mod-11 check digits are valid. D-numbers (day + 40) pass the same check.
- bank account numbers: ``NNNN.NN.NNNNN`` or ``NNNN NN NNNNN`` always, and 11
  plain digits with a valid mod-11 check digit;
- payment card numbers: 13 to 19 digits (spaces or dashes allowed) with a valid
  Luhn check.

Kept on purpose: phone numbers (8 digits). Visitors give them so an advisor can
call back, and Nav's own numbers (55 55 33 33) appear in normal answers. Other
numbers (amounts, dates, case numbers) are kept too.
"""

from __future__ import annotations

import re

MASK_FNR = "[fødselsnummer fjernet]"
MASK_ACCOUNT = "[kontonummer fjernet]"
MASK_CARD = "[kortnummer fjernet]"

_ELEVEN = re.compile(r"(?<![\d.])(\d{6})[ ]?(\d{5})(?![\d])")
_ACCOUNT_FORMATTED = re.compile(r"(?<!\d)\d{4}([. ])\d{2}\1\d{5}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")

_FNR_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ACC_W = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: list[int], weights: tuple[int, ...]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def is_fodselsnummer(number: str) -> bool:
    """True for an 11-digit fødselsnummer or D-nummer with valid check digits."""
    if len(number) != 11 or not number.isdigit():
        return False
    d = [int(c) for c in number]
    k1 = _mod11(d[:9], _FNR_W1)
    if k1 is None or k1 != d[9]:
        return False
    k2 = _mod11(d[:10], _FNR_W2)
    return k2 is not None and k2 == d[10]


def is_account_number(number: str) -> bool:
    """True for an 11-digit Norwegian bank account number with a valid check digit."""
    if len(number) != 11 or not number.isdigit():
        return False
    d = [int(c) for c in number]
    k = _mod11(d[:10], _ACC_W)
    return k is not None and k == d[10]


def _luhn(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        n = int(c)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def mask_personal_numbers(text: str) -> str:
    """Return ``text`` with personal numbers replaced by a short notice."""

    def eleven(m: re.Match[str]) -> str:
        number = m.group(1) + m.group(2)
        if is_fodselsnummer(number):
            return MASK_FNR
        if is_account_number(number):
            return MASK_ACCOUNT
        return m.group(0)

    def card(m: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return MASK_CARD
        return m.group(0)

    text = _ACCOUNT_FORMATTED.sub(MASK_ACCOUNT, text)
    text = _ELEVEN.sub(eleven, text)
    return _CARD.sub(card, text)
