"""The app factory: ``sanic hub.server:app_from_env --factory --single-process``.

Settings come from ``HUB_*`` environment variables unless passed in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from functools import partial
from pathlib import Path
from typing import Any, TypeAlias

import httpx
from sanic import Blueprint, Sanic
from sanic.config import Config
from sanic_ext.extensions.openapi.builders import SpecificationBuilder
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.adapters.content import ContentClient
from hub.adapters.pg_relay import PgRelay
from hub.adapters.rasa import RasaClient
from hub.adapters.redis_limits import RedisLimits
from hub.adapters.trackers import tracker_eraser
from hub.api import advisor, boost, content, internal, ops, pages, public, visitor, ws
from hub.api.browser import setup_browser
from hub.api.common import setup_errors
from hub.api.cors import setup_cors
from hub.clock import Clock, SystemClock
from hub.core import Hub
from hub.core.retention import Retention
from hub.db.engine import PoolSize, create_engine, session_factory
from hub.db.migrate import upgrade
from hub.logs import setup_logging
from hub.settings import Settings

log = logging.getLogger("hub")

INTERNAL_MAX_BODY_BYTES = 1024 * 1024
API_DOCS_PAGE = Path(__file__).with_name("api_docs.html")


class HubContext:
    """What the app holds while it runs (set in ``before_server_start``)."""

    hub: Hub
    engine: AsyncEngine
    http: httpx.AsyncClient
    content: ContentClient
    sweeper: asyncio.Task[Any] | None = None
    retention: Retention | None = None
    retention_task: asyncio.Task[Any] | None = None
    relay: PgRelay | None = None
    redis: RedisLimits | None = None


HubApp: TypeAlias = Sanic[Config, HubContext]


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, name: str = "hub"
) -> HubApp:
    settings = settings or Settings.from_env()
    # Sanic's own logging set-up would put plain-text handlers back on its loggers.
    app: HubApp = Sanic(
        name,
        ctx=HubContext(),
        dumps=partial(json.dumps, ensure_ascii=False),
        configure_logging=False,
    )
    setup_logging(settings.log_level)
    # X-Forwarded-* is believed only from this many proxies (none by default; Sanic's own
    # SANIC_PROXIES_COUNT still works when this is 0).
    if settings.trusted_proxies:
        app.config.PROXIES_COUNT = settings.trusted_proxies
    # Browser-facing bodies are limited to max_body_bytes in api.common.body(); the
    # transport limit is higher so the bot's handoff can carry a long transcript.
    app.config.REQUEST_MAX_SIZE = max(settings.max_body_bytes, INTERNAL_MAX_BODY_BYTES)
    app.config.WEBSOCKET_MAX_SIZE = settings.max_body_bytes
    app.config.ACCESS_LOG = False
    # CORS is ours (api/cors.py: per path, from HUB_ALLOWED_ORIGINS), not sanic-ext's.
    # The API description is /docs/openapi.json; /docs is a plain page pointing to it.
    # Not sanic-ext's viewers: they load scripts from CDNs, and no other site's script
    # may run on the hub's origin (CSP, api/browser.py).
    app.extend(
        config={
            "oas_url_prefix": "/docs",
            "oas_path_to_redoc_html": str(API_DOCS_PAGE),
            "oas_ui_swagger": False,
            "health": False,
            "cors": False,
        }
    )
    SpecificationBuilder().describe(
        "Nav chat hub",
        version="0.1.0",
        description=(
            "The hub between the website, the Rasa bot and the advisors. "
            "See docs/contracts/hub-api.md and docs/contracts/handoff.md."
        ),
    )

    app.blueprint(
        Blueprint.group(visitor.bp, advisor.bp, content.bp, public.bp, boost.bp, url_prefix="/api")
    )
    app.blueprint(internal.bp)
    app.blueprint(ops.bp)
    app.blueprint(ws.bp)
    app.blueprint(pages.bp)
    setup_errors(app)
    setup_browser(app)
    setup_cors(app, settings)

    @app.before_server_start
    async def start(app: HubApp) -> None:
        pool = PoolSize(
            settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout_seconds
        )
        engine = create_engine(settings.database_url, pool=pool)
        if settings.auto_migrate:
            await upgrade(engine)
        # No idle connection is kept: a request sent on one the other end is closing
        # (Sanic's 5 s keep-alive, an nginx reload during a publish) fails without being
        # read, and a visitor message must not be retried (it could reach Rasa twice).
        # A new connection per request costs far less than the request itself.
        http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=0)
        )
        app.ctx.engine = engine
        app.ctx.http = http
        bot = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds, http)
        app.ctx.content = ContentClient(settings.content_url, settings.content_token, http)
        eraser = tracker_eraser(settings, bot)
        if settings.redis_url:
            app.ctx.redis = RedisLimits(settings.redis_url, settings.redis_prefix)
            if not await app.ctx.redis.ping():
                log.warning(
                    "redis does not answer: the shared limits are not checked until it does"
                )
        app.ctx.hub = Hub(
            settings,
            clock or SystemClock(),
            session_factory(engine),
            bot,
            eraser=eraser,
            shared_limits=app.ctx.redis,
        )
        if settings.pg_notify and engine.url.get_backend_name() == "postgresql":
            # Several instances share one database: events travel between them.
            app.ctx.relay = PgRelay(app.ctx.hub.broker, engine.url.render_as_string(False))
            await app.ctx.relay.start()
        app.ctx.sweeper = asyncio.create_task(app.ctx.hub.sweeps.run_forever(), name="sweeper")
        if settings.retention_sweep_minutes > 0 and settings.retention_days >= 1:
            hub = app.ctx.hub
            app.ctx.retention = Retention(settings, hub.clock, hub.unit, engine, eraser)
            app.ctx.retention_task = asyncio.create_task(
                app.ctx.retention.run_forever(), name="retention"
            )
        else:
            log.warning("no retention sweep: run `hub purge` on a schedule")
        if not settings.bot_secret:
            log.warning("HUB_BOT_SECRET is not set: the bot's handoffs will be refused")
        log.info("hub started", extra={"database": engine.url.get_backend_name()})

    @app.after_server_stop
    async def stop(app: HubApp) -> None:
        if app.ctx.sweeper is not None:
            app.ctx.sweeper.cancel()
        if app.ctx.retention_task is not None:
            app.ctx.retention_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await app.ctx.retention_task
        if app.ctx.hub is not None and app.ctx.hub.eraser is not None:
            await app.ctx.hub.eraser.close()
        if app.ctx.relay is not None:
            await app.ctx.relay.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app.ctx.hub.drain(), 5)
        await app.ctx.hub.health.close()
        await app.ctx.http.aclose()
        if app.ctx.redis is not None:
            await app.ctx.redis.close()
        await app.ctx.engine.dispose()

    return app


def app_from_env() -> HubApp:
    """Zero-argument factory for the Sanic CLI (which passes its own args otherwise):
    ``sanic hub.server:app_from_env --factory --single-process``."""
    return create_app()
