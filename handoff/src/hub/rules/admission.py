"""The queue decision: may this conversation join an advisor queue now?

Plain code: the caller gathers the facts (time, queue length, who is logged in)
and this module decides. Nothing here knows of HTTP or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hub.rules.hours import OpeningHours

RefusalReason = Literal["closed", "queue_full", "no_advisors"]


@dataclass(frozen=True)
class QueueFacts:
    now: datetime
    waiting_in_topic: int
    advisors_logged_in: int
    urgent: bool


@dataclass(frozen=True)
class Admitted:
    pass


@dataclass(frozen=True)
class Refused:
    reason: RefusalReason
    next_open: datetime | None = None


Decision = Admitted | Refused


@dataclass(frozen=True)
class QueuePolicy:
    hours: OpeningHours
    capacity: int
    always_open: bool = False

    def decide(self, facts: QueueFacts) -> Decision:
        """Closed first, then nobody logged in, then capacity.

        Urgent handoffs are not turned away by the capacity limit (they go
        first in the queue anyway), but they are by closed hours and by an
        empty advisor room, since nobody would answer them.
        """
        if not self.always_open and not self.hours.is_open(facts.now):
            return Refused("closed", self.hours.next_open(facts.now))
        if facts.advisors_logged_in <= 0:
            return Refused("no_advisors")
        if not facts.urgent and facts.waiting_in_topic >= self.capacity:
            return Refused("queue_full")
        return Admitted()
