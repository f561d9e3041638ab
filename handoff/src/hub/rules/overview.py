"""The supervisors' figures (``/veileder/oversikt`` and the ``hub_overview_*`` metrics):
per topic and in all, now and since midnight. One plain function over the facts one read
unit gathers (services/overview.py); nothing here reads a clock or a database.

Definitions (the page's and the metrics' help texts say the same):

- *waiting*, *longest wait*: entries waiting now, and how long the first of them has waited
  (a transfer or a requeue keeps the original ``enqueued_at``, as the queue order does);
- *in progress*: entries an advisor holds now;
- *handoffs today*: entries that joined a queue since midnight, by reason (refused handoffs
  are not stored: they are only in ``hub_handoffs_total``);
- *answered within 3 minutes*: of today's entries whose 3 minutes are decided (claimed, or
  waited 3 minutes or more, or left after that), the share claimed within 3 minutes. A visitor
  who left before 3 minutes is counted in neither. A chat requeued or transferred counts by
  its latest claim;
- *ratings today*: the visitors' «Fikk du svar?» for chats with an advisor, by the topic
  of the chat;
- *advisors*: advisors (not editors or supervisors) with a live login: available, away,
  and of the available ones those in a chat with a free seat, and the free seats in all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from hub.rules.kinds import AdvisorStatus, EntryState, RatingValue
from hub.rules.queue import REASONS
from hub.rules.topics import TOPICS

ANSWER_TARGET_SECONDS = 180


@dataclass(frozen=True)
class EntryFact:
    """A queue entry that is open now or joined a queue today."""

    topic: str
    reason: str
    state: EntryState
    enqueued_at: datetime
    assigned_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class AdvisorFact:
    """An advisor with a live login."""

    status: AdvisorStatus
    chats: int
    max_chats: int


@dataclass(frozen=True)
class RatingFact:
    topic: str
    value: RatingValue


@dataclass
class Figures:
    """One topic's figures, or all topics'."""

    waiting: int = 0
    longest_wait_seconds: int = 0
    in_progress: int = 0
    handoffs_today: dict[str, int] = field(default_factory=lambda: {r: 0 for r in REASONS})
    claimed_today: int = 0
    longest_wait_today_seconds: int = 0
    answered_in_time_today: int = 0
    answer_decided_today: int = 0
    ratings_today: dict[str, int] = field(default_factory=lambda: {v.value: 0 for v in RatingValue})

    @property
    def answered_in_time_percent(self) -> int | None:
        """Whole percent, or None when no entry is decided yet today."""
        if self.answer_decided_today == 0:
            return None
        return round(100 * self.answered_in_time_today / self.answer_decided_today)


@dataclass(frozen=True)
class AdvisorFigures:
    available: int
    away: int
    in_chat_with_free_seats: int
    free_seats: int


@dataclass(frozen=True)
class Overview:
    at: datetime
    day_start: datetime
    topics: dict[str, Figures]
    total: Figures
    advisors: AdvisorFigures


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight of ``now``'s day where the office is (``HUB_TIMEZONE``)."""
    return datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _add(f: Figures, e: EntryFact, now: datetime, since: datetime) -> None:
    if e.state == EntryState.waiting:
        f.waiting += 1
        f.longest_wait_seconds = max(f.longest_wait_seconds, _seconds(now - e.enqueued_at))
    elif e.state == EntryState.assigned:
        f.in_progress += 1
    if e.enqueued_at < since:
        return
    f.handoffs_today[e.reason] = f.handoffs_today.get(e.reason, 0) + 1
    ended = e.assigned_at or (e.closed_at if e.state == EntryState.closed else None) or now
    waited = _seconds(ended - e.enqueued_at)
    f.longest_wait_today_seconds = max(f.longest_wait_today_seconds, waited)
    if e.assigned_at is not None:
        f.claimed_today += 1
        f.answer_decided_today += 1
        f.answered_in_time_today += int(waited <= ANSWER_TARGET_SECONDS)
    elif waited >= ANSWER_TARGET_SECONDS:
        f.answer_decided_today += 1


def build_overview(
    now: datetime,
    since: datetime,
    entries: list[EntryFact],
    advisors: list[AdvisorFact],
    ratings: list[RatingFact],
) -> Overview:
    """The figures from the facts. Topics not in the list (an old entry's) count in the total."""
    topics = {t: Figures() for t in TOPICS}
    total = Figures()
    for e in entries:
        _add(topics.setdefault(e.topic, Figures()), e, now, since)
        _add(total, e, now, since)
    for r in ratings:
        for f in (topics.setdefault(r.topic, Figures()), total):
            f.ratings_today[r.value.value] += 1
    available = [a for a in advisors if a.status == AdvisorStatus.available]
    return Overview(
        at=now,
        day_start=since,
        topics=topics,
        total=total,
        advisors=AdvisorFigures(
            available=len(available),
            away=len(advisors) - len(available),
            in_chat_with_free_seats=sum(1 for a in available if 0 < a.chats < a.max_chats),
            free_seats=sum(max(0, a.max_chats - a.chats) for a in available),
        ),
    )
