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
    """For the load balancer: this instance can serve (its database answers). Rasa is
    left out on purpose: every hub shares one Rasa, and while it is down the hub still
    answers (the "not answering" notice, the queue, the advisors), so taking every hub
    out of the balancer would only make it worse. Rasa has ``/ready/rasa``."""
    database = await hub_of(request).health.database_ready()
    return json(
        {"status": "ready" if database else "not_ready", "database": database},
        status=200 if database else 503,
    )


@bp.get("/ready/rasa")
async def ready_rasa(request: Request) -> HTTPResponse:
    """Whether Rasa answers this instance (for monitoring and alerts, not the balancer)."""
    rasa = await hub_of(request).bot.ready()
    return json(
        {"status": "ready" if rasa else "not_ready", "rasa": rasa},
        status=200 if rasa else 503,
    )


@bp.get("/metrics")
async def metrics(request: Request) -> HTTPResponse:
    hub = hub_of(request)
    await hub.health.update_metrics()
    return raw(generate_latest(hub.metrics.registry), content_type=CONTENT_TYPE_LATEST)
