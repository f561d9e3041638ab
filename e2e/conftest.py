"""Browser tests of the widget and the advisor console, in headless Chromium (Playwright, Python).

The whole system runs behind them: Rasa with a trained model, the action server and the hub,
started by the hub's test helper (handoff/tests/stack.py, imported as `tests.stack`: pytest.ini
puts handoff/ on the path). Set E2E_BASE_URL to test a hub
that is already running instead (advisor account from E2E_ADVISOR_USER / E2E_ADVISOR_PASSWORD).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "handoff" / "web" / "dist"
# Screenshots go to an untracked folder, so a test run leaves the work tree as it was;
# `make screenshots` points this at docs/screenshots to refresh the docs' pictures.
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", ROOT / ".cache" / "screenshots"))
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 30_000
# The bot and the hub answer within seconds, but a loaded 2-core machine can be slow.
expect.set_options(timeout=20_000)


@dataclass
class Site:
    base_url: str
    advisor_user: str
    advisor_password: str
    advisor_name: str
    # A second origin the hub allows (HUB_ALLOWED_ORIGINS), for a page that embeds the widget
    # from elsewhere; None when testing a hub that is already running.
    embed_origin: str | None = None
    # An editor's console login (role editor), same password as the advisor's.
    editor_user: str = "redaktor"
    # The copy of the project's content the editors' tests change (None on a running hub).
    content_root: Path | None = None
    # The hub's SQLite file, for a test that stages what only a crash leaves (None on a running hub).
    database_path: Path | None = None
    # The stack's Rasa (its HTTP API), for a test that checks which model it runs.
    rasa_url: str | None = None
    # A supervisor's login (role leder) and two more advisors (user, name), same password.
    leder_user: str = "sjef"
    more_advisors: tuple[tuple[str, str], ...] = (("per", "Per"), ("liv", "Liv"))


def _require_build() -> None:
    missing = [
        n
        for n in ("index.html", "veileder.html", "widget.js", "static/console.js")
        if not (DIST / n).is_file()
    ]
    if missing:
        pytest.fail(
            f"the front-end is not built ({', '.join(missing)} missing): "
            "run `cd handoff/web && npm ci && npm run build` first",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    _require_build()
    external = os.environ.get("E2E_BASE_URL")
    if external:
        yield Site(
            external.rstrip("/"),
            os.environ.get("E2E_ADVISOR_USER", "kari"),
            os.environ.get("E2E_ADVISOR_PASSWORD", "passord-kari-123"),
            os.environ.get("E2E_ADVISOR_NAME", "Kari"),
        )
        return
    from stack_support import running_stack

    with running_stack() as s:
        yield s


@pytest.fixture(scope="session")
def playwright_() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium", pytrace=False)
    b = playwright_.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


def _context(browser: Browser, site: Site, viewport: dict[str, int], **kw: object) -> BrowserContext:
    ctx = browser.new_context(
        base_url=site.base_url,
        viewport=viewport,
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        accept_downloads=True,
        **kw,
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


def _page_without_js_errors(browser: Browser, site: Site, whose: str) -> Iterator[Page]:
    """A desktop page whose uncaught JavaScript errors fail the test."""
    ctx = _context(browser, site, DESKTOP)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on {whose}: {errors}"


@pytest.fixture
def visitor(browser: Browser, site: Site) -> Iterator[Page]:
    yield from _page_without_js_errors(browser, site, "the visitor's page")


@pytest.fixture
def advisor(browser: Browser, site: Site) -> Iterator[Page]:
    yield from _page_without_js_errors(browser, site, "the advisor console")


@pytest.fixture
def phone(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    ctx = _context(browser, site, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield ctx
    ctx.close()


def shot(page: Page, name: str) -> None:
    """Save a screenshot NAME.png (in .cache/screenshots; docs/screenshots with `make screenshots`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), animations="disabled", caret="initial")
