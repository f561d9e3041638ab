"""Plain rules: opening hours, the queue decision, settings (masking: packages/navpii)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hub.rules.admission import Admitted, QueueFacts, QueuePolicy, Refused
from hub.rules.estimate import Capacity, estimate_wait_minutes, handling_minutes
from hub.rules.hours import OpeningHours, easter_sunday, norwegian_public_holidays
from hub.settings import Settings

HOURS = OpeningHours.parse("mon-fri 09:00-15:00")


def test_easter_and_holidays() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    days = norwegian_public_holidays(2026)
    assert {date(2026, 4, 2), date(2026, 4, 3), date(2026, 5, 14), date(2026, 5, 25)} <= days
    assert date(2026, 5, 17) in days and date(2026, 12, 25) in days


@pytest.mark.parametrize(
    ("utc", "is_open"),
    [
        (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), True),  # Tue 09:00 Oslo
        (datetime(2026, 11, 24, 7, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 24, 14, 0, tzinfo=UTC), False),  # 15:00 Oslo: closed
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 12, 25, 10, 0, tzinfo=UTC), False),  # Christmas Day (Friday)
        (datetime(2026, 6, 1, 7, 30, tzinfo=UTC), True),  # summer time: 09:30 Oslo
    ],
)
def test_opening_hours(utc: datetime, is_open: bool) -> None:
    assert HOURS.is_open(utc) is is_open


def test_next_open_skips_weekend_and_holidays() -> None:
    friday_evening = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)  # Thu 24 Dec after hours
    nxt = HOURS.next_open(friday_evening)
    assert nxt is not None and nxt.date() == date(2026, 12, 28) and nxt.hour == 9
    closed = OpeningHours.parse("mon-fri 09:00-15:00", closed_dates=[date(2026, 12, 28)])
    assert closed.next_open(friday_evening).date() == date(2026, 12, 29)  # type: ignore[union-attr]


@pytest.mark.parametrize("spec", ["mon-fri", "xyz 09:00-10:00", "mon 10:00-09:00", "mon 9-15"])
def test_bad_opening_hours_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        OpeningHours.parse(spec)


POLICY = QueuePolicy(HOURS, capacity=2)
INSIDE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (QueueFacts(INSIDE, 0, 1, False), Admitted()),
        (QueueFacts(INSIDE, 2, 1, False), Refused("queue_full")),
        (QueueFacts(INSIDE, 2, 1, True), Admitted()),  # urgent passes the capacity limit
        (QueueFacts(INSIDE, 0, 0, True), Refused("no_advisors")),
    ],
)
def test_queue_decision(facts: QueueFacts, expected: object) -> None:
    assert POLICY.decide(facts) == expected


def test_closed_comes_first_and_says_when() -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    decision = POLICY.decide(QueueFacts(saturday, 0, 5, True))
    assert isinstance(decision, Refused) and decision.reason == "closed"
    assert decision.next_open is not None and decision.next_open.isoformat() == (
        "2026-11-30T09:00:00+01:00"
    )
    always = QueuePolicy(HOURS, capacity=2, always_open=True)
    assert always.decide(QueueFacts(saturday, 0, 1, False)) == Admitted()


def test_wait_estimate_counts_the_free_seats_of_one_advisor_who_takes_three_chats() -> None:
    one_advisor = Capacity(advisors=1, seats=3, free=3)
    # Places 1-3 get a free seat at once; place 4 waits for one of 3 chats to end.
    assert [estimate_wait_minutes(ahead, one_advisor, 6) for ahead in range(7)] == [
        1, 1, 1, 2, 4, 6, 8
    ]  # fmt: skip
    # Not 21 minutes for place 4, as the old (position - 1) / advisors + ½ chats said.
    assert estimate_wait_minutes(3, one_advisor, 6) == 2


def test_wait_estimate_with_busy_seats_and_several_advisors() -> None:
    busy = Capacity(advisors=1, seats=3, free=0)
    assert estimate_wait_minutes(0, busy, 6) == 2  # the first of 3 chats to end
    two = Capacity(advisors=2, seats=6, free=1)
    assert estimate_wait_minutes(0, two, 6) == 1
    assert estimate_wait_minutes(1, two, 6) == 1
    assert estimate_wait_minutes(6, two, 6) == 6
    # Nobody available (all away, or nobody at a console): no number to promise.
    assert estimate_wait_minutes(2, Capacity(0, 0, 0), 6) is None
    assert estimate_wait_minutes(0, Capacity(0, 0, 0), 6) is None


def test_handling_time_is_the_median_of_recent_chats_once_there_are_enough() -> None:
    assert handling_minutes([], 6) == 6
    assert handling_minutes([120, 180, 240, 300], 6) == 6  # too few to tell
    assert handling_minutes([120, 180, 240, 300, 100_000], 6) == 4  # the median, not the mean
    assert handling_minutes([5] * 5, 6) == 1  # at least a minute
    assert handling_minutes([10 * 3600] * 5, 6) == 60  # forgotten chats are capped


def test_unanswered_messages_are_the_visitors_since_the_queue_after_the_last_advisor() -> None:
    from hub.rules.queue import unanswered_ids

    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    queued = t0 + timedelta(minutes=1)
    at = [t0 + timedelta(seconds=30 * i) for i in range(10)]
    assert unanswered_ids([], queued) == []
    msgs = [
        (1, "visitor", at[0]),  # to the bot, before the queue
        (2, "bot", at[1]),
        (3, "system", at[2]),  # "Du er satt i kø"
        (4, "visitor", at[3]),
        (5, "bot", at[4]),  # the bot's late reply to the request: does not answer
        (6, "visitor", at[5]),
    ]
    assert unanswered_ids(msgs, queued) == [4, 6]
    assert unanswered_ids([*msgs, (7, "advisor", at[6])], queued) == []
    assert unanswered_ids([*msgs, (7, "advisor", at[6]), (8, "visitor", at[7])], queued) == [8]


def test_settings_from_env() -> None:
    s = Settings.from_env(
        {"HUB_ALWAYS_OPEN": "true", "HUB_QUEUE_CAPACITY": "7", "HUB_CLOSED_DATES": "2026-12-24"}
    )
    assert s.always_open and s.queue_capacity == 7 and s.closed_dates == (date(2026, 12, 24),)
    with pytest.raises(ValueError, match="HUB_QUEUE_CAPACITY"):
        Settings.from_env({"HUB_QUEUE_CAPACITY": "many"})


class Ticks:
    """A clock for the limits: seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_counts_each_key_within_its_window() -> None:
    from hub.core.ratelimit import SlidingWindow

    t = Ticks()
    w = SlidingWindow(3, 60, t)
    for _ in range(3):
        assert w.allow("a")
        t.now += 10
    assert not w.allow("a")
    assert w.allow("b")  # each key on its own
    assert w.retry_after("a") == 30  # the first of the three is 30 s old
    t.now += 29.5
    assert not w.allow("a") and w.retry_after("a") == 0.5
    t.now += 0.5  # the first event is a minute old: one place free, not three
    assert w.allow("a") and not w.allow("a")
    w.reset("a")
    assert w.count("a") == 0 and w.allow("a")


def test_sliding_window_add_counts_regardless_and_forget_takes_one_back() -> None:
    from hub.core.ratelimit import SlidingWindow

    t = Ticks()
    w = SlidingWindow(2, 900, t)
    first = w.add("kari")
    t.now += 1
    w.add("kari")
    assert w.blocked("kari")
    w.forget("kari", first)
    assert not w.blocked("kari") and w.count("kari") == 1
    w.forget("kari", 12345.0)  # not there: nothing happens
    assert w.count("kari") == 1


def test_sliding_window_off_and_bounded() -> None:
    from hub.core.ratelimit import SlidingWindow

    t = Ticks()
    off = SlidingWindow(0, 60, t)
    assert all(off.allow("a") for _ in range(1000)) and off.retry_after("a") == 0
    small = SlidingWindow(1, 60, t, max_keys=100)
    for i in range(1000):  # a flood of addresses does not grow the memory without end
        small.add(i)
    assert len(small._events) <= 100
    assert small.blocked(999)  # the newest are kept


def test_limit_settings_from_env() -> None:
    s = Settings()
    assert (s.conversations_per_minute, s.login_failures, s.login_lockout_minutes) == (30, 5, 15)
    assert (s.login_failures_per_address, s.typing_per_second) == (50, 5)
    s = Settings.from_env({"HUB_CONVERSATIONS_PER_MINUTE": "0", "HUB_LOGIN_FAILURES": "3"})
    assert (s.conversations_per_minute, s.login_failures) == (0, 3)


def test_log_lines_mask_numbers_in_the_message_extras_and_exception() -> None:
    import json
    import logging

    import navpii

    from hub.logs import JsonFormatter

    number = "120389-10076"  # made up, valid check digits
    spaced = "12 03 89\u00a010076"
    try:  # as SQLAlchemy words a failed insert
        raise ValueError(f"parameters: ('{number}', '{spaced}')")
    except ValueError as exc:
        record = logging.makeLogRecord(
            {
                "msg": "failed for %s",
                "args": (number,),
                "exc_info": (type(exc), exc, exc.__traceback__),
                "text": f"f.nr. {number}",
                "nested": {"rows": [number, 12038910076]},
                "count": 3,
            }
        )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert not navpii.find(line) and "10076" not in line
    assert entry["message"] == f"failed for {navpii.MASK_FNR}"
    assert entry["nested"] == {"rows": [navpii.MASK_FNR, navpii.MASK_FNR]}
    assert entry["count"] == 3 and entry["exception"].count(navpii.MASK_FNR) == 2
