"""The estimated wait a queued visitor is told: plain code, no I/O.

The caller gathers the facts: how many waiting visitors come before this one (in every
topic: advisors take chats from all the queues), the available advisors' seats (each
advisor takes up to ``max_chats`` chats at once) and how many of those are free, and how
long a chat takes (measured, :func:`handling_minutes`).

The model: a visitor with a free seat ahead of them is taken as soon as an advisor
clicks (1 minute). Otherwise chats must end first: ``ahead - free + 1`` of them, and
with every seat busy one ends about every ``minutes_per_chat / seats`` minutes. One
advisor who takes 3 chats of 6 minutes: places 1–3 wait about 1 minute, place 4 about
2, place 7 about 4.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Fewer finished chats than this, and the configured average is used instead.
MIN_SAMPLES = 5
# A chat left open for hours (an advisor who forgot it) must not make every wait look long.
MAX_CHAT_MINUTES = 60.0


@dataclass(frozen=True)
class Capacity:
    """The available advisors, their seats (chats at once) and the seats not in use."""

    advisors: int
    seats: int
    free: int


def estimate_wait_minutes(ahead: int, capacity: Capacity, minutes_per_chat: float) -> int | None:
    """Minutes until an advisor takes the visitor with ``ahead`` visitors before them.

    None when no advisor is available (all away, or nobody at a console): any number
    would be a promise nobody is there to keep.
    """
    if capacity.advisors <= 0 or capacity.seats <= 0:
        return None
    ahead = max(0, ahead)
    free = max(0, capacity.free)
    if ahead < free:
        return 1
    to_end = ahead - free + 1
    return max(1, math.ceil(to_end * minutes_per_chat / capacity.seats))


def handling_minutes(durations_seconds: Sequence[float], default_minutes: float) -> float:
    """How long a chat takes: the median of recent chats (claim to end), or the
    configured ``default_minutes`` while there are too few to tell."""
    usable = [d for d in durations_seconds if d > 0]
    if len(usable) < MIN_SAMPLES:
        return default_minutes
    return min(MAX_CHAT_MINUTES, max(1.0, statistics.median(usable) / 60))
