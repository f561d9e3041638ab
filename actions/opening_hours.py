"""Saying in Norwegian or English when advisors are next available."""

from __future__ import annotations

from datetime import datetime, timedelta

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
]  # fmt: skip


WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def next_open_sentence(next_open_iso: str | None, now: datetime, language: str = "nb") -> str:
    """ "Neste gang er i morgen kl. 09.00." ("Next time is tomorrow at 09.00." in English,
    `language` "en"), or "" when the time is unknown or malformed.

    `now` must be in the same time zone as the hub's answer (Europe/Oslo).
    """
    if not next_open_iso:
        return ""
    try:
        when = datetime.fromisoformat(next_open_iso)
    except ValueError:
        return ""
    if when.tzinfo is not None and now.tzinfo is not None:
        now = now.astimezone(when.tzinfo)
    if language == "en":
        return _english(when, now)
    clock = f"kl. {when:%H.%M}"
    if when.date() == now.date():
        day = "i dag"
    elif when.date() == (now + timedelta(days=1)).date():
        day = "i morgen"
    else:
        day = f"{WEEKDAYS[when.weekday()]} {when.day}. {MONTHS[when.month - 1]}"
    return f"Neste gang er {day} {clock}."


def _english(when: datetime, now: datetime) -> str:
    if when.date() == now.date():
        day = "today"
    elif when.date() == (now + timedelta(days=1)).date():
        day = "tomorrow"
    else:
        day = f"{WEEKDAYS_EN[when.weekday()]} {when.day} {MONTHS_EN[when.month - 1]}"
    return f"Next time is {day} at {when:%H.%M}."
