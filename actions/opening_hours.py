"""Saying in Norwegian when advisors are next available."""

from __future__ import annotations

from datetime import datetime, timedelta

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
]  # fmt: skip


def next_open_sentence(next_open_iso: str | None, now: datetime) -> str:
    """ "Neste gang er i morgen kl. 09.00." or "" when the time is unknown or malformed.

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
    clock = f"kl. {when:%H.%M}"
    if when.date() == now.date():
        day = "i dag"
    elif when.date() == (now + timedelta(days=1)).date():
        day = "i morgen"
    else:
        day = f"{WEEKDAYS[when.weekday()]} {when.day}. {MONTHS[when.month - 1]}"
    return f"Neste gang er {day} {clock}."
