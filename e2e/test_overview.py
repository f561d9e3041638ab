"""The supervisors' overview (/veileder/oversikt) follows the advisors live: one logs in and
claims a visitor, another steps away; axe finds nothing serious; it works on a 390 px phone.

The stack is shared with the other browser tests (their logins and visitors may still be
there), so the figures are checked as changes from what the page showed first.
"""

from __future__ import annotations

import re

from conftest import PHONE, Site, shot
from helpers import login_advisor, open_and_start, queue_item
from playwright.sync_api import Browser, BrowserContext, Page, expect
from test_accessibility import assert_no_serious


def login_leder(page: Page, site: Site) -> None:
    """A supervisor's console login lands on the overview, not the queues."""
    page.goto("/veileder")
    page.get_by_label("Brukernavn").fill(site.leder_user)
    page.get_by_label("Passord").fill(site.advisor_password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(f"{site.base_url}/veileder/oversikt")
    expect(page.get_by_role("heading", name="Oversikt over chatten")).to_be_visible()
    expect(page.get_by_test_id("updated")).to_contain_text("Oppdatert kl.")


def figure(page: Page, testid: str) -> int:
    return int(page.get_by_test_id("now").get_by_test_id(testid).inner_text())


def expect_figure(page: Page, testid: str, value: int) -> None:
    expect(page.get_by_test_id("now").get_by_test_id(testid)).to_have_text(str(value))


def _page(browser: Browser, site: Site) -> tuple[BrowserContext, Page]:
    ctx = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 800}, locale="nb-NO")
    return ctx, ctx.new_page()


def test_the_overview_follows_two_advisors_live(
    browser: Browser, visitor: Page, site: Site, phone: BrowserContext
) -> None:
    leder_ctx, leder = _page(browser, site)
    per_ctx, per = _page(browser, site)
    liv_ctx, liv = _page(browser, site)
    errors: list[str] = []
    leder.on("pageerror", lambda e: errors.append(str(e)))
    try:
        login_leder(leder, site)
        # Advisors whose consoles earlier tests closed count as available until their
        # presence lapses (HUB_ADVISOR_PRESENCE_SECONDS, 6 s, then the 3 s poll): let it
        # lapse, so the baseline does not move under the test.
        leder.wait_for_timeout((6 + 3 + 1) * 1000)
        available, away = figure(leder, "available"), figure(leder, "away")
        in_progress, free_seat = figure(leder, "in-progress"), figure(leder, "free-seat-advisors")

        (per_user, per_name), (liv_user, liv_name) = site.more_advisors
        login_advisor(per, per_user, site.advisor_password, per_name)
        login_advisor(liv, liv_user, site.advisor_password, liv_name)
        expect_figure(leder, "available", available + 2)  # no reload: the page is live

        liv.get_by_label("Status").select_option("away")
        expect_figure(leder, "available", available + 1)
        expect_figure(leder, "away", away + 1)

        # A visitor asks for a person; Per takes the chat.
        open_and_start(visitor)
        waiting = figure(leder, "waiting")
        visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
        expect_figure(leder, "waiting", waiting + 1)
        row = leder.get_by_test_id("all-topics")
        expect(row.get_by_test_id("handoffs-asked_for_person")).not_to_have_text("0")
        item = queue_item(per, visitor)
        item.get_by_role("button", name=re.compile("^Ta samtalen")).click()
        expect(per.get_by_role("log", name="Samtalen")).to_be_visible()
        expect_figure(leder, "in-progress", in_progress + 1)
        expect_figure(leder, "waiting", waiting)
        expect_figure(leder, "free-seat-advisors", free_seat + 1)  # Per: 1 chat, 4 seats left
        expect(leder.get_by_test_id("today").get_by_test_id("claimed")).not_to_have_text("0")

        assert_no_serious(leder, "the supervisors' overview")
        shot(leder, "overview-desktop")

        # A 390 px phone: the same page, nothing wider than the screen but the table's own scroll.
        small = phone.new_page()
        login_leder(small, site)
        expect(small.get_by_test_id("now").get_by_test_id("in-progress")).to_have_text(str(in_progress + 1))
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
        assert_no_serious(small, "the supervisors' overview on a phone")
        shot(small, "overview-phone")

        # Per ends the chat, the visitor says «Ja»: today's ratings count it.
        ratings = leder.get_by_test_id("today").get_by_test_id("ratings")
        per.get_by_role("button", name="Avslutt samtalen").click()
        expect_figure(leder, "in-progress", in_progress)
        visitor.get_by_role("button", name="Ja", exact=True).click()
        expect(ratings).to_contain_text("ja")

        # Both log out: the figures are back where they were.
        for page in (per, liv):
            page.get_by_role("button", name="Logg ut").click()
        expect_figure(leder, "available", available)
        expect_figure(leder, "away", away)

        # An advisor may not see the overview.
        login_advisor(per, per_user, site.advisor_password, per_name)
        per.goto("/veileder/oversikt")
        expect(per.get_by_role("status")).to_contain_text("Bare ledere kan se oversikten")
        per.goto("/veileder")
        per.get_by_role("button", name="Logg ut").click()
    finally:
        for ctx in (leder_ctx, per_ctx, liv_ctx):
            ctx.close()
    assert not errors, f"JavaScript errors on the overview: {errors}"
