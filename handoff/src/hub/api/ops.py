"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sqlalchemy import func, select, text

from hub.api.common import hub_of
from hub.db.base import EntryState
from hub.db.models import QueueEntry
from hub.services import queue as queue_svc

bp = Blueprint("ops")


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"status": "ok"})


@bp.get("/ready")
async def ready(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    database = True
    try:
        async with hub.unit() as u:
            await u.session.execute(text("SELECT 1"))
    except Exception:
        database = False
    rasa = await hub.bot.ready()
    ok = database and rasa
    return json(
        {"status": "ready" if ok else "not_ready", "database": database, "rasa": rasa},
        status=200 if ok else 503,
    )


@bp.get("/metrics")
async def metrics(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    async with hub.unit() as u:
        for topic, n in (await queue_svc.lengths(u)).items():
            hub.metrics.queue_length.labels(topic).set(n)
        active = (
            await u.session.execute(
                select(func.count(QueueEntry.id)).where(QueueEntry.state == EntryState.assigned)
            )
        ).scalar_one()
        hub.metrics.active_chats.set(active)
    return raw(generate_latest(hub.metrics.registry), content_type=CONTENT_TYPE_LATEST)
