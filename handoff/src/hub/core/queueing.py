"""Putting a conversation in the queue and back in it: shared by the visitor's own
request, the bot relay (a request for a person while the bot is down), logouts and
the sweeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.core.context import Context
from hub.db.base import Sender
from hub.db.unit import Unit
from hub.errors import QueueRefused
from hub.rules import texts
from hub.rules.admission import Refused
from hub.rules.queue import QueueInfo, check_topic
from hub.services import conversations as conv_svc
from hub.services import queue as queue_svc


async def join_queue(
    ctx: Context,
    conversation_id: str,
    secret: str | None,
    topic: Any,
    *,
    announce_refusal: bool = False,
    trusted: bool = False,
) -> QueueInfo:
    """The visitor chose a person (e.g. while the bot is down).

    ``trusted`` is for the hub's own callers that already checked the secret.
    """
    now = ctx.clock.now()
    async with ctx.unit() as u:
        if trusted:
            conv = await conv_svc.get(u, conversation_id)
        else:
            conv = await conv_svc.authenticate(u, conversation_id, secret)
        conv_svc.ensure_open(conv)
        topic = check_topic(topic) if topic else (conv.topic or "generell")
        result = await queue_svc.enqueue(
            u,
            conv,
            topic=topic,
            reason="asked_for_person",
            faq_id=None,
            now=now,
            policy=ctx.policy,
            present_since=ctx.present_since(now),
        )
        if isinstance(result, Refused):
            message = texts.refused(result.reason, result.next_open, ctx.tz, conv.language)
            if announce_refusal:
                await conv_svc.add_message(u, conv, Sender.system, message, now)
        else:
            info = await queue_svc.queue_info(
                u, result, now, ctx.settings.average_chat_minutes, ctx.present_since(now)
            )
            if result.enqueued_at == now:
                await conv_svc.add_message(
                    u,
                    conv,
                    Sender.system,
                    texts.queued(info.position, info.estimated_wait_minutes, conv.language),
                    now,
                )
    if isinstance(result, Refused):
        ctx.metrics.handoffs.labels("asked_for_person", result.reason).inc()
        raise QueueRefused(
            result.reason, message, result.next_open.isoformat() if result.next_open else None
        )
    ctx.metrics.handoffs.labels("asked_for_person", "queued").inc()
    return info


async def requeue_stranded(
    u: Unit, now: datetime, advisor_id: int | None, present_since: datetime | None = None
) -> list[str]:
    """Chats whose advisor has no live login (or, with ``present_since``, no console seen
    since then) go back to the queue, each with a notice."""
    entries = await queue_svc.requeue_stranded(
        u, now, advisor_id=advisor_id, present_since=present_since
    )
    for entry in entries:
        conv = await conv_svc.get(u, entry.conversation_id)
        notice = texts.in_language(texts.ADVISOR_LEFT, conv.language)
        await conv_svc.add_message(u, conv, Sender.system, notice, now)
    return [e.conversation_id for e in entries]
