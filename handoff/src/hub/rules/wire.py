"""The wire form of a message and of a time, shared by the HTTP answers (api/views.py)
and the events the services announce (an advisor's ``message`` event carries one)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class MessageRow(Protocol):
    """What a stored message has (db.models.Message)."""

    @property
    def id(self) -> int: ...
    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def buttons(self) -> list[dict[str, str]]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def advisor_name(self) -> str | None: ...
    @property
    def faq_id(self) -> str | None: ...


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def message_json(m: MessageRow) -> dict[str, Any]:
    return {
        "id": m.id,
        "sender": str(m.sender),
        "text": m.text,
        "buttons": list(m.buttons or []),
        "created_at": iso(m.created_at),
        "advisor_name": m.advisor_name,
        "faq_id": m.faq_id,
    }
