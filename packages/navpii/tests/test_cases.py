"""The tables in cases.yml: every spelling masked exactly where marked, every
look-alike left as it is."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import navpii
from navpii import MASK_ACCOUNT, MASK_CARD, MASK_FNR

CASES: dict[str, Any] = yaml.safe_load((Path(__file__).with_name("cases.yml")).read_text("utf-8"))
NOTICES: dict[str, str] = {"fnr": MASK_FNR, "account": MASK_ACCOUNT, "card": MASK_CARD}
_MARKED = re.compile(r"⟦(.*?)⟧", re.S)


def unmarked(case: str) -> str:
    """The text a visitor sends: the case without its marks."""
    return _MARKED.sub(r"\1", case)


def expected(case: str, notice: str) -> str:
    return _MARKED.sub(notice, case)


def _masked_cases() -> list[Any]:
    return [
        pytest.param(case, NOTICES[kind], id=f"{kind}-{i}")
        for kind in ("fnr", "account", "card")
        for i, case in enumerate(CASES[kind])
    ]


def test_the_tables_have_at_least_100_spellings_and_100_look_alikes() -> None:
    assert len(CASES["fnr"]) >= 100
    assert len(CASES["kept"]) >= 100
    for kind in ("fnr", "account", "card"):
        assert all("⟦" in case for case in CASES[kind]), kind
    assert not any("⟦" in case for case in CASES["kept"])


@pytest.mark.parametrize(("case", "notice"), _masked_cases())
def test_each_spelling_is_masked_exactly_where_marked(case: str, notice: str) -> None:
    assert navpii.mask(unmarked(case)) == expected(case, notice)


@pytest.mark.parametrize(
    "text", [pytest.param(t, id=f"kept-{i}") for i, t in enumerate(CASES["kept"])]
)
def test_each_look_alike_is_left_as_it_is(text: str) -> None:
    assert navpii.mask(text) == text
    assert navpii.find(text) == []


@pytest.mark.parametrize(("case", "notice"), _masked_cases())
def test_find_gives_the_kind_and_span_of_each_number(case: str, notice: str) -> None:
    text = unmarked(case)
    found = navpii.find(text)
    assert [NOTICES[f.kind] for f in found] == [notice] * len(_MARKED.findall(case))
    assert [text[f.start : f.end] for f in found] == _MARKED.findall(case)


@pytest.mark.parametrize(
    ("previous", "current"),
    [pytest.param(p, c, id=f"split-{i}") for i, (p, c) in enumerate(CASES["split"])],
)
def test_a_number_split_over_two_messages_is_masked_in_both(previous: str, current: str) -> None:
    before, now = navpii.mask(unmarked(previous)), navpii.mask(unmarked(current))
    both = (expected(previous, MASK_FNR), expected(current, MASK_FNR))
    assert navpii.mask_split(before, now) == both


@pytest.mark.parametrize(
    ("previous", "current"),
    [pytest.param(p, c, id=f"split-kept-{i}") for i, (p, c) in enumerate(CASES["split_kept"])],
)
def test_consecutive_messages_without_a_split_number_are_left(previous: str, current: str) -> None:
    assert navpii.mask_split(navpii.mask(previous), navpii.mask(current)) is None


@pytest.mark.parametrize(
    "number",
    ["12038910076", "23056710159", "31129910065", "41019010110", "12438910059", "07063210018"],
)
def test_the_tables_numbers_are_valid_and_one_wrong_digit_is_not(number: str) -> None:
    assert navpii.is_fodselsnummer(number)
    for i in range(11):
        changed = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        # The second check digit catches every single wrong digit.
        assert not navpii.is_fodselsnummer(changed), changed


def test_numbers_issued_from_2032_pass_with_their_new_first_check_digit() -> None:
    number = "07063210018"
    weights = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
    remainder = sum(int(c) * w for c, w in zip(number, weights, strict=False)) % 11
    assert remainder in (1, 2, 3)  # not valid under the rule for numbers issued until 2031
    assert navpii.is_fodselsnummer(number)


def test_dates_that_do_not_exist_are_not_a_fodselsnummer() -> None:
    # 31 April, month 13, day 0: whatever the check digits say.
    for first6 in ("310489", "011389", "000189", "320189", "720189"):
        assert not any(navpii.is_fodselsnummer(first6 + f"{n:05d}") for n in range(0, 100000, 7))


def test_account_and_card_checks() -> None:
    assert navpii.is_account_number("12345678903")
    assert not navpii.is_account_number("12345678901")
    assert navpii.is_card_number("4111111111111111")
    assert not navpii.is_card_number("4111111111111112")
    assert not navpii.is_card_number("411111111111")  # 12 digits


@pytest.mark.parametrize(
    "weird", ["", "\u200b", "1" * 5000, "🙂" * 100, "<script>", "ﬀ" * 11, "\x00", "1 " * 3000]
)
def test_masking_never_fails_on_odd_text(weird: str) -> None:
    assert isinstance(navpii.mask(weird), str)


@pytest.mark.parametrize(
    "form",
    ["{d}.{m}.{y} {h}:{mi:02d}", "{d:02d}.{m:02d}.{y} {h}:{mi:02d}", "{d}/{m}/{y} {h}.{mi:02d}"],
)
def test_no_date_of_a_whole_year_with_a_time_after_it_is_masked(form: str) -> None:
    # Eleven digits with valid check digits now and then, but a four-digit year after
    # the day and month: a date, never a fødselsnummer.
    for day in (date(2024, 1, 1) + timedelta(n) for n in range(366)):
        for h, mi in ((8, 0), (9, 30), (12, 15), (14, 45)):
            text = form.format(d=day.day, m=day.month, y=day.year, h=h, mi=mi)
            assert navpii.mask(text) == text
