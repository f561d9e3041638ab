"""The domain's kinds, stored as strings (db/base.py maps them to columns)."""

from __future__ import annotations

import enum


class Owner(enum.StrEnum):
    bot = "bot"
    queue = "queue"
    advisor = "advisor"
    closed = "closed"


class Sender(enum.StrEnum):
    visitor = "visitor"
    bot = "bot"
    advisor = "advisor"
    system = "system"


class EntryState(enum.StrEnum):
    waiting = "waiting"
    assigned = "assigned"
    closed = "closed"


class AdvisorStatus(enum.StrEnum):
    available = "available"
    away = "away"


class Role(enum.StrEnum):
    """What a console login may do: advisors chat; editors read what the bot could not
    answer and change its answers; supervisors (``leder``) see the overview of the queues
    and the advisors. Only advisors take chats and count as staff for the queue."""

    advisor = "advisor"
    editor = "editor"
    leder = "leder"


class RatingValue(enum.StrEnum):
    ja = "ja"
    nei = "nei"
    delvis = "delvis"


class Helpful(enum.StrEnum):
    """The visitor's answer to "Var svaret nyttig?" under one of the bot's FAQ answers."""

    ja = "ja"
    nei = "nei"
