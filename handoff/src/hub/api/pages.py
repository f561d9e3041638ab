"""The browser pages and assets, served from the front-end's folder (HUB_WEB_DIR).

Expected layout (the front-end's ``dist/``): ``demo.html`` (demo page),
``veileder.html`` (advisor console), ``frida.html`` (Nav's own widget against the
hub's boost.ai API, api/boost.py), ``ubesvart.html`` (what the bot could not
answer, for content editors), ``innhold.html`` (editing the
bot's answers), ``oversikt.html`` (the supervisors' overview), ``widget.js``,
``widget.css`` and ``static/``.
A missing file is a plain 404.
"""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint, Request
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, file

from hub.rules import browser

bp = Blueprint("pages")


def _web_dir(request: Request) -> Path:
    return Path(request.app.ctx.hub.settings.web_dir).resolve()


async def _send(
    request: Request, relative: str, headers: dict[str, str] | None = None
) -> HTTPResponse:
    base = _web_dir(request)
    try:
        path = (base / relative).resolve()
        found = base in path.parents and path.is_file()
    except (OSError, ValueError):
        # A name the file system cannot hold (too long, NUL byte) names no file.
        found = False
    if not found:
        raise NotFound("not found")
    return await file(path, headers={"Cache-Control": "no-cache", **(headers or {})})


@bp.get("/", name="demo")
async def demo(request: Request) -> HTTPResponse:
    index = "index.html" if (_web_dir(request) / "index.html").is_file() else "demo.html"
    return await _send(request, index)


@bp.get("/veileder", name="console")
async def console(request: Request) -> HTTPResponse:
    return await _send(request, "veileder.html")


@bp.get("/veileder/ubesvart", name="unanswered")
async def unanswered(request: Request) -> HTTPResponse:
    return await _send(request, "ubesvart.html")


@bp.get("/veileder/oversikt", name="overview")
async def overview(request: Request) -> HTTPResponse:
    return await _send(request, "oversikt.html")


@bp.get("/veileder/innhold", name="content")
async def content(request: Request) -> HTTPResponse:
    return await _send(request, "innhold.html")


@bp.get("/frida", name="frida")
async def frida(request: Request) -> HTTPResponse:
    csp = {"Content-Security-Policy": browser.FRIDA_CONTENT_SECURITY_POLICY}
    return await _send(request, "frida.html", csp)


@bp.get("/widget.js", name="widget")
async def widget(request: Request) -> HTTPResponse:
    return await _send(request, "widget.js")


@bp.get("/widget.css", name="widget_css")
async def widget_css(request: Request) -> HTTPResponse:
    return await _send(request, "widget.css")


@bp.get("/static/<path:path>", name="static_files")
async def static(request: Request, path: str) -> HTTPResponse:
    return await _send(request, f"static/{path}")
