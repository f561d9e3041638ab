"""The hub's browser protections in a real Chromium: the pages run under the hub's
Content-Security-Policy without a single violation, and the console keeps its login
in the HttpOnly cookie only (no token a script could read).

The widget on another site under this policy: test_embedding.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import Site
from helpers import login_advisor, login_editor, messages, open_and_start, send
from playwright.sync_api import Browser, Page, expect

# Collects the page's CSP violations (the browser also blocks what it reports).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
}, true);
"""


@pytest.fixture
def watched(browser: Browser, site: Site) -> Iterator[Page]:
    ctx = browser.new_context(base_url=site.base_url, locale="nb-NO", viewport={"width": 1280, "height": 800})
    ctx.add_init_script(RECORD_VIOLATIONS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, errors


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_every_page_runs_under_the_policy_without_violations(watched: Page, site: Site) -> None:
    page = watched
    response = page.goto("/")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    open_and_start(page)
    send(page, "Hvordan søker jeg om dagpenger?")
    expect(messages(page, "bot").nth(1)).to_be_visible(timeout=60_000)
    assert violations(page) == [], "demo page and widget"

    login_advisor(page, site.advisor_user, site.advisor_password, site.advisor_name)
    expect(page.get_by_role("heading", name="Køer")).to_be_visible()
    assert violations(page) == [], "console"

    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_label("Brukernavn")).to_be_visible()  # the logout is done
    login_editor(page, site.editor_user, site.advisor_password, site.base_url)
    expect(page.get_by_role("heading", name="Spørsmål chatboten ikke kunne svare på")).to_be_visible()
    assert violations(page) == [], "unanswered list"
    page.goto("/veileder/innhold")
    expect(page.locator("#app")).not_to_be_empty()
    assert violations(page) == [], "content page"


def test_the_console_login_is_an_httponly_cookie_only(watched: Page, site: Site) -> None:
    page = watched
    login_advisor(page, site.advisor_user, site.advisor_password, site.advisor_name)
    stored = page.evaluate(
        "JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage), document.cookie])"
    )
    assert "hub_advisor" not in stored and "token" not in stored.lower()
    cookie = next(c for c in page.context.cookies() if c["name"] == "hub_advisor")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes
    # A reload keeps the login (the cookie), and the live WebSocket works with it.
    page.reload()
    expect(page.get_by_test_id("advisor-name")).to_contain_text(site.advisor_name)
    # Reload only once the hub has the new status: a reload cuts a request in flight.
    with page.expect_response(lambda r: r.url.endswith("/api/advisor/status") and r.request.method == "PUT"):
        page.get_by_label("Status").select_option("away")
    expect(page.get_by_label("Status")).to_have_value("away")
    # Stored (the console says so) before the reload: a reload must not race the change.
    expect(page.get_by_role("status").filter(has_text="Du er satt som borte.")).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Status")).to_have_value("away")
    page.get_by_label("Status").select_option("available")
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Brukernavn")).to_be_visible()
