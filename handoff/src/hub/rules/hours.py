"""Opening hours for the advisor chat, with Norwegian public holidays.

Plain code: it knows nothing of HTTP or the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"^\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{2}:\d{2})-(\d{2}:\d{2})\s*$")


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def norwegian_public_holidays(year: int) -> set[date]:
    """The Norwegian public holidays (helligdager and 1 and 17 May)."""
    easter = easter_sunday(year)
    moving = {
        easter - timedelta(days=3),  # skjærtorsdag
        easter - timedelta(days=2),  # langfredag
        easter,
        easter + timedelta(days=1),  # 2. påskedag
        easter + timedelta(days=39),  # Kristi himmelfartsdag
        easter + timedelta(days=49),  # 1. pinsedag
        easter + timedelta(days=50),  # 2. pinsedag
    }
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17)}
    fixed |= {date(year, 12, 25), date(year, 12, 26)}
    return moving | fixed


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours in a timezone, minus closed dates.

    ``spec`` is ``"mon-fri 09:00-15:00"``; several ranges are separated by ``;``
    (``"mon-thu 09:00-15:00; fri 09:00-14:00"``).
    """

    weekly: dict[int, tuple[time, time]]
    tz: ZoneInfo
    norwegian_holidays: bool = True
    closed_dates: frozenset[date] = frozenset()

    @classmethod
    def parse(
        cls,
        spec: str,
        tz: str = "Europe/Oslo",
        norwegian_holidays: bool = True,
        closed_dates: Iterable[date] = (),
    ) -> OpeningHours:
        weekly: dict[int, tuple[time, time]] = {}
        for part in filter(None, (p.strip() for p in spec.lower().split(";"))):
            m = _SPEC.match(part)
            if not m or m.group(1) not in _DAYS or (m.group(2) and m.group(2) not in _DAYS):
                raise ValueError(f"opening hours: cannot read {part!r}")
            first = _DAYS.index(m.group(1))
            last = _DAYS.index(m.group(2)) if m.group(2) else first
            start, end = time.fromisoformat(m.group(3)), time.fromisoformat(m.group(4))
            if end <= start:
                raise ValueError(f"opening hours: {part!r} ends before it starts")
            for day in range(first, last + 1):
                weekly[day] = (start, end)
        return cls(weekly, ZoneInfo(tz), norwegian_holidays, frozenset(closed_dates))

    def _closed_day(self, day: date) -> bool:
        if day in self.closed_dates:
            return True
        return self.norwegian_holidays and day in norwegian_public_holidays(day.year)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        hours = self.weekly.get(local.weekday())
        if hours is None or self._closed_day(local.date()):
            return False
        return hours[0] <= local.time() < hours[1]

    def next_open(self, at: datetime) -> datetime | None:
        """The next opening time after ``at`` (local time), or None if never."""
        local = at.astimezone(self.tz)
        for offset in range(0, 370):
            day = local.date() + timedelta(days=offset)
            hours = self.weekly.get(day.weekday())
            if hours is None or self._closed_day(day):
                continue
            opens = datetime.combine(day, hours[0], tzinfo=self.tz)
            if opens > local:
                return opens
        return None
