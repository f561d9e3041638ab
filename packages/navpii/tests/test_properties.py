"""Property-based tests: valid numbers, made here with their own check-digit
arithmetic, written in random spellings inside random text, are masked exactly; the
numbers that must stay are left in random spellings too."""

from __future__ import annotations

import itertools
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import navpii
from navpii import MASK_FNR

settings.register_profile(
    "navpii",
    max_examples=200,
    deadline=None,  # a shared, busy machine must not fail a test for being slow
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("navpii")

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# Zero for each script's digits: ASCII, full-width, Arabic-Indic, Persian, Devanagari,
# Bengali, Thai, mathematical bold and monospace.
ZEROS = (0x30, 0xFF10, 0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0x1D7CE, 0x1D7F6)
# What people (and their keyboards and phones) put between digit groups.
SEPARATOR_CHARS = (
    " ", "\u00a0", "\u202f", "\u2009", "\u2007", "\u3000", "\t", "\n", "\r\n",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e",
    "-", "–", "—", "\u2010", "\u2011", "\u2212", "－",
    ".", "．", ",", ":", ";", "/", "\\", "_", "|", "*", "+", "~", "(", ")", "'", '"',
)  # fmt: skip
PREFIXES = (
    "", "fnr ", "fnr: ", "fnr.", "f.nr. ", "f.nr.", "FNR:", "fødselsnr. ", "fødselsnummer: ",
    "personnr ", "pnr:", "D-nr ", "d-nummer: ", "nr.", "#", "(", "«", "“", '"', "'", "[",
    "**", "`", "fnr=", "fnr -> ", "mitt fødselsnummer er ",
)  # fmt: skip
SUFFIXES = ("", ".", ",", "!", "?", ")", "»", "”", '"', "'", "]", "**", "`", " takk", ". Hei")


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A fødselsnummer, D-nummer or H-nummer with check digits by today's rule or the
    one for numbers issued from 2032."""
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, DAYS[month - 1]))
    kind = draw(st.sampled_from(["fnr", "fnr", "dnr", "hnr"]))
    day += 40 if kind == "dnr" else 0
    month += 40 if kind == "hnr" else 0
    first9 = f"{day:02d}{month:02d}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 999)):03d}"
    remainder = draw(st.sampled_from([0, 0, 0, 1, 2, 3]))
    k1 = (remainder - sum(int(c) * w for c, w in zip(first9, W1, strict=True))) % 11
    k2 = -sum(int(c) * w for c, w in zip(first9 + str(k1 % 10), W2, strict=True)) % 11
    assume(k1 < 10 and k2 < 10)  # a check digit of 10: no such number is issued
    return f"{first9}{k1}{k2}"


SEPARATORS = st.lists(st.sampled_from(SEPARATOR_CHARS), min_size=1, max_size=4).map("".join)
SCRIPTS = st.sampled_from(ZEROS)


@st.composite
def spelled(draw: st.DrawFn, number: str, offset: int = 0) -> str:
    """``number`` (the digits of a fødselsnummer from ``offset`` on) in random digit
    groups, random separators between them and random Unicode digits.

    Never a four-digit year right after the day and month ("1203 1989 ..."): navpii
    takes that for a date with something after it, on purpose.
    """
    drawn = draw(st.sets(st.integers(1, len(number) - 1), max_size=len(number) - 1))
    bounds = sorted({0, *drawn, len(number)})
    for a, b in itertools.pairwise(bounds):
        if b - a == 4 and 2 <= offset + a <= 4 and number[a : a + 2] in ("19", "20"):
            drawn.add(a + 2)
    cuts = sorted(drawn)
    if draw(st.booleans()):
        scripts = [draw(SCRIPTS)] * len(number)  # one script throughout, as a keyboard writes
    else:
        scripts = draw(st.lists(SCRIPTS, min_size=len(number), max_size=len(number)))
    digits = "".join(chr(zero + int(c)) for c, zero in zip(number, scripts, strict=True))
    between = draw(st.lists(SEPARATORS, min_size=len(cuts), max_size=len(cuts)))
    parts = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]
    return "".join(part + sep for part, sep in zip(parts, [*between, ""], strict=True))


# Text without digits: letters, spaces, punctuation, emoji.
WORDS = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")).filter(
        lambda c: unicodedata.digit(c, None) is None
    ),
    max_size=30,
)


@st.composite
def in_text(draw: st.DrawFn) -> tuple[str, str, str]:
    """(before, a valid number spelled some way, after)."""
    number = draw(valid_numbers())
    before = draw(WORDS) + " " + draw(st.sampled_from(PREFIXES))
    after = draw(st.sampled_from(SUFFIXES)) + " " + draw(WORDS)
    return before, draw(spelled(number)), after


@given(in_text())
def test_a_valid_number_in_any_spelling_is_masked_and_nothing_else(
    case: tuple[str, str, str],
) -> None:
    before, number, after = case
    assert navpii.mask(before + number + after) == before + MASK_FNR + after


@given(in_text())
def test_masking_twice_is_masking_once(case: tuple[str, str, str]) -> None:
    once = navpii.mask("".join(case))
    assert navpii.mask(once) == once


@given(valid_numbers(), st.integers(1, 10), st.data())
def test_a_number_split_over_two_messages_is_masked_in_both(
    number: str, cut: int, data: st.DataObject
) -> None:
    first = data.draw(spelled(number[:cut])) if cut > 1 else number[:cut]
    second = data.draw(spelled(number[cut:], cut)) if cut < 10 else number[cut:]
    before = data.draw(WORDS) + " " + data.draw(st.sampled_from(PREFIXES))
    trailing = data.draw(st.sampled_from(["", " ", ".", "-", "\u00a0", "\u200b"]))
    leading = data.draw(st.sampled_from(["", " ", "\u00a0", "\u200b", "- "]))
    after = data.draw(st.sampled_from(SUFFIXES)) + " " + data.draw(WORDS)
    previous, current = before + first + trailing, leading + second + after
    assert navpii.mask_split(navpii.mask(previous), navpii.mask(current)) == (
        before + MASK_FNR + trailing,
        leading + MASK_FNR + after,
    )


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """A Norwegian phone number, with or without the country code, grouped some way."""
    number = draw(st.sampled_from("23456789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=7, max_size=7))
    )
    country = draw(st.sampled_from(["", "+47 ", "+47", "0047 ", "(+47) "]))
    return country + draw(spelled(number))


@st.composite
def amounts(draw: st.DrawFn) -> str:
    """Up to 99 999 999 kroner, thousands grouped as Norwegians do, maybe with øre."""
    value = draw(st.integers(0, 99_999_999))
    grouped = f"{value:,}".replace(",", draw(st.sampled_from([" ", "\u00a0", ".", "\u202f", ""])))
    øre = draw(st.sampled_from(["", ",-", ",50", ",00"]))
    return draw(st.sampled_from(["{} kr", "kr {}", "NOK {}", "{}"])).format(grouped + øre)


@st.composite
def dates(draw: st.DrawFn) -> str:
    """A date (maybe with a time, or a period of two dates) as Norwegians write one."""
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, DAYS[month - 1]))
    year = draw(st.integers(1900, 2099))
    form = draw(
        st.sampled_from(
            ["{d:02d}.{m:02d}.{y}", "{d}.{m}.{y}", "{d:02d}/{m:02d}/{y}", "{y}-{m:02d}-{d:02d}",
             "{d:02d}.{m:02d}.{yy:02d}", "{d}. mars {y}"]
        )
    )  # fmt: skip
    text = form.format(d=day, m=month, y=year, yy=year % 100)
    extra = draw(
        st.sampled_from(["", " kl. 12.30", " 09:00", " 12:30", " – 31.12.2024", "–01.01.2025"])
    )
    return text + extra


@given(WORDS, st.one_of(phone_numbers(), amounts(), dates()), WORDS)
def test_phone_numbers_amounts_and_dates_are_left_as_they_are(
    before: str, number: str, after: str
) -> None:
    text = f"{before} {number} {after}"
    assert navpii.mask(text) == text


@given(st.text(max_size=200))
def test_any_text_masks_without_failing_and_keeps_text_without_digits(text: str) -> None:
    masked = navpii.mask(text)
    if not any(unicodedata.digit(c, None) is not None for c in text):
        assert masked == text
