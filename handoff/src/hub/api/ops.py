"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw

from hub.api.common import hub_of

bp = Blueprint("ops")


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"status": "ok"})


@bp.get("/ready")
async def ready(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    database = await hub.database_ready()
    rasa = await hub.bot.ready()
    ok = database and rasa
    return json(
        {"status": "ready" if ok else "not_ready", "database": database, "rasa": rasa},
        status=200 if ok else 503,
    )


@bp.get("/metrics")
async def metrics(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    await hub.update_metrics()
    return raw(generate_latest(hub.metrics.registry), content_type=CONTENT_TYPE_LATEST)
