"""The JSON (and plain text) the HTTP and WebSocket handlers answer with: the one place
that shapes the hub's objects for the browser (docs/contracts/hub-api.md)."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from hub.core import (
    Advisor,
    AdvisorChat,
    Conversation,
    ConversationView,
    Message,
    QueueEntry,
    Suggestions,
    UnansweredReport,
)
from hub.rules.assist import ChatSummary
from hub.rules.feedback import votes_csv, votes_json
from hub.rules.kinds import Owner, Sender
from hub.rules.overview import Figures, Overview
from hub.rules.queue import ChatHead, QueueInfo, TopicQueue, unanswered_ids
from hub.rules.unanswered import to_csv
from hub.rules.wire import iso, message_json

__all__ = ["iso", "message_json"]


def advisor_json(a: Advisor) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "status": a.status.value,
        "max_chats": a.max_chats,
        "role": a.role.value,
    }


def queue_json(info: QueueInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "topic": info.topic,
        "position": info.position,
        "estimated_wait_minutes": info.estimated_wait_minutes,
        "advisors_available": info.advisors_available,
        "urgent": info.urgent,
    }


def queues_json(queues: list[TopicQueue]) -> list[dict[str, Any]]:
    """Every topic queue with who waits (``GET /api/advisor/queues``, the ``queues`` frame)."""
    return [
        {
            "topic": q.topic,
            "waiting": [
                {
                    "conversation_id": w.conversation_id,
                    "reason": w.reason,
                    "urgent": w.urgent,
                    "waiting_seconds": w.waiting_seconds,
                    "first_lines": w.first_lines,
                    "language": w.language,
                }
                for w in q.waiting
            ],
        }
        for q in queues
    ]


def chat_heads_json(heads: list[ChatHead]) -> list[dict[str, Any]]:
    """The advisor WebSocket's ``chats`` frame."""
    return [
        {"conversation_id": h.conversation_id, "last_message_id": h.last_message_id} for h in heads
    ]


def messages_json(messages: list[Message]) -> list[dict[str, Any]]:
    return [message_json(m) for m in messages]


def language_json(conv: Conversation) -> str:
    """The conversation's language as the widget gets it: "en" or "nb" (null is Norwegian)."""
    return "en" if conv.language == "en" else "nb"


def opened_json(conv: Conversation, secret: str, messages: list[Message]) -> dict[str, Any]:
    return {
        "id": conv.id,
        "secret": secret,
        "owner": conv.owner.value,
        "language": language_json(conv),
        "messages": messages_json(messages),
    }


def conversation_json(view: ConversationView) -> dict[str, Any]:
    """The visitor's poll (``GET /api/conversations/{id}``)."""
    return {
        "id": view.conversation.id,
        "owner": view.conversation.owner.value,
        "queue": queue_json(view.queue),
        "messages": messages_json(view.messages),
        "rating": view.rating,
        "language": language_json(view.conversation),
    }


def state_json(view: ConversationView) -> dict[str, Any]:
    """The visitor WebSocket's ``state`` frame (sent again when any of it changes: the
    widget's own texts follow ``language``)."""
    return {
        "owner": view.conversation.owner.value,
        "queue": queue_json(view.queue),
        "language": language_json(view.conversation),
    }


def queued_state_json(info: QueueInfo, language: str) -> dict[str, Any]:
    """The same frame for a visitor waiting in a queue, from their place alone (the
    language as the stream last read it)."""
    return {"owner": Owner.queue.value, "queue": queue_json(info), "language": language}


def advisor_chat_json(chat: AdvisorChat) -> dict[str, Any]:
    entry = chat.entry
    return {
        "id": chat.conversation.id,
        "owner": chat.conversation.owner.value,
        "topic": entry.topic,
        "reason": entry.reason,
        "urgent": entry.urgent,
        "faq_id": entry.faq_id,
        "language": chat.conversation.language or "nb",
        "messages": messages_json(chat.messages),
        # The visitor's messages nobody has answered (e.g. written while waiting): new to
        # the advisor who takes the chat.
        "unanswered": unanswered_ids(
            [(m.id, m.sender.value, m.created_at) for m in chat.messages], entry.enqueued_at
        ),
        "summary": summary_json(chat.summary),
    }


def summary_json(s: ChatSummary) -> dict[str, Any]:
    return {
        "topic": s.topic,
        "reason": s.reason,
        "first_question": s.first_question,
        "last_question": s.last_question,
        "bot_answers": [{"faq_id": a.faq_id, "title": a.title} for a in s.bot_answers],
        "visitor_messages": s.visitor_messages,
    }


def suggestions_json(s: Suggestions) -> dict[str, Any]:
    """``GET /api/advisor/conversations/{id}/suggestions``."""
    return {
        "message_id": s.question.id if s.question else None,
        "question": s.question.text if s.question else None,
        "answers": [e.json() for e in s.answers],
    }


def advisor_chats_json(entries: list[QueueEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.conversation_id,
            "owner": Owner.advisor.value,
            "topic": e.topic,
            "reason": e.reason,
            "urgent": e.urgent,
            "assigned_at": iso(e.assigned_at) if e.assigned_at else None,
        }
        for e in entries
    ]


def unanswered_json(report: UnansweredReport) -> dict[str, Any]:
    return {
        "days": report.days,
        "since": iso(report.since),
        # Older conversations are deleted (`hub purge`): the list cannot go further back.
        "retention_days": report.retention_days,
        "questions": [q.as_json(report.titles) for q in report.questions],
        "answers": votes_json(report.votes, report.titles),
    }


def unanswered_csv(report: UnansweredReport, answers: bool, tz: ZoneInfo) -> tuple[str, str]:
    """(file name, CSV text) of the questions, or of the votes per answer; times in ``tz``."""
    if answers:
        return "nyttige-svar.csv", votes_csv(report.votes, report.titles)
    return "ubesvarte-sporsmal.csv", to_csv(report.questions, report.titles, tz)


_NAMES = {"visitor": "Du", "bot": "Chatbot", "system": "Nav"}


def transcript_text(conv: Conversation, messages: list[Message], tz: ZoneInfo) -> str:
    lines = [
        "Samtale med Nav",
        f"Samtale-ID: {conv.id}",
        f"Startet: {conv.created_at.astimezone(tz):%d.%m.%Y %H:%M}",
        "",
    ]
    for m in messages:
        who = m.advisor_name or "Veileder" if m.sender == Sender.advisor else _NAMES[m.sender]
        lines.append(f"[{m.created_at.astimezone(tz):%d.%m.%Y %H:%M}] {who}: {m.text}")
        for b in m.buttons or []:
            lines.append(f"    – {b['title']}")
    return "\n".join(lines) + "\n"


def transcript_name(conv: Conversation) -> str:
    return f"samtale-{conv.created_at:%Y-%m-%d}.txt"


def _figures_json(f: Figures) -> dict[str, Any]:
    return {
        "waiting": f.waiting,
        "longest_wait_seconds": f.longest_wait_seconds,
        "in_progress": f.in_progress,
        "handoffs_today": f.handoffs_today,
        "claimed_today": f.claimed_today,
        "longest_wait_today_seconds": f.longest_wait_today_seconds,
        "answered_within_3min_today": f.answered_in_time_today,
        "answer_decided_today": f.answer_decided_today,
        "answered_within_3min_percent": f.answered_in_time_percent,
        "ratings_today": f.ratings_today,
    }


def overview_json(o: Overview) -> dict[str, Any]:
    """The supervisors' figures (``GET /api/advisor/overview``, the ``overview`` frame)."""
    a = o.advisors
    return {
        "at": iso(o.at),
        "day_start": iso(o.day_start.astimezone(UTC)),
        "total": _figures_json(o.total),
        "topics": [{"topic": t, **_figures_json(f)} for t, f in o.topics.items()],
        "advisors": {
            "available": a.available,
            "away": a.away,
            "in_chat_with_free_seats": a.in_chat_with_free_seats,
            "free_seats": a.free_seats,
        },
    }
