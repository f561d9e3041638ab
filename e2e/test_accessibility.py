"""axe-core (axe-playwright-python) on the demo page, the widget and the console; phone-size screenshots."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from conftest import Site, shot
from helpers import (
    WIDGET,
    expect_bot_says,
    launcher,
    login_advisor,
    messages,
    open_and_start,
    queue_item,
    send,
)
from playwright.sync_api import BrowserContext, Page, expect

AXE = Axe()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def assert_no_serious(page: Page, where: str) -> None:
    results = AXE.run(
        page, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    )
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} → " + "; ".join(str(n.get("target")) for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe found serious/critical violations on {where}:\n{report}"


def test_demo_page_and_widget_are_accessible(visitor: Page) -> None:
    visitor.goto("/")
    expect(launcher(visitor)).to_be_visible()
    assert_no_serious(visitor, "the demo page")
    shot(visitor, "demo-page-desktop")

    launcher(visitor).click()
    expect(visitor.get_by_role("button", name="Start chatten")).to_be_visible()
    assert_no_serious(visitor, "the widget's first-time notice")
    shot(visitor, "widget-notice-desktop")

    visitor.get_by_role("button", name="Start chatten").click()
    send(visitor, "Hvordan søker jeg dagpenger?")
    expect_bot_says(visitor, "arbeidssøker")
    assert_no_serious(visitor, "the widget with a conversation")

    visitor.get_by_role("button", name="Avslutt").click()
    assert_no_serious(visitor, "the widget's end confirmation")
    visitor.get_by_role("button", name="Ja, avslutt").click()
    expect(visitor.get_by_role("group", name="Fikk du svar på det du lurte på?")).to_be_visible()
    assert_no_serious(visitor, "the widget's rating")


def test_console_is_accessible(advisor: Page, visitor: Page, site: Site) -> None:
    advisor.goto("/veileder")
    expect(advisor.get_by_label("Brukernavn")).to_be_focused()
    assert_no_serious(advisor, "the console's login")
    shot(advisor, "console-login-desktop")
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    assert_no_serious(advisor, "the console's queue overview")

    open_and_start(visitor)
    send(visitor, "Jeg vil snakke med et menneske")
    expect(visitor.get_by_test_id("queue-position")).to_be_visible(timeout=60_000)
    queue_item(advisor, visitor).get_by_role("button").click()
    expect(advisor.get_by_label("Svar til brukeren")).to_be_visible()
    advisor.get_by_label("Søk etter et ferdig svar").fill("dagpenger")
    expect(advisor.get_by_role("button", name=re.compile("^Sett inn svaret")).first).to_be_visible()
    assert_no_serious(advisor, "the console's chat view")
    advisor.get_by_role("button", name="Gi tilbake til chatboten").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("tilbake til chatboten")
    expect(advisor.get_by_label("Svar til brukeren")).to_have_count(0)
    expect(messages(visitor, "system").filter(has_text="tilbake til chatboten")).to_have_count(1)


def test_phone_size(phone: BrowserContext) -> None:
    page = phone.new_page()
    page.goto("/")
    shot(page, "demo-page-phone")
    launcher(page).click()
    panel = page.locator(f"{WIDGET} #navchat-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["width"] >= 389, "the widget should fill a phone screen"
    shot(page, "widget-notice-phone")
    page.get_by_role("button", name="Start chatten").click()
    send(page, "Hvordan søker jeg dagpenger?")
    expect_bot_says(page, "arbeidssøker")
    assert_no_serious(page, "the widget on a phone")
    shot(page, "widget-faq-phone")
    page.get_by_role("button", name="Minimer chatten").click()
    expect(launcher(page)).to_be_visible()


def test_console_phone_size(phone: BrowserContext, site: Site) -> None:
    page = phone.new_page()
    login_advisor(page, site.advisor_user, site.advisor_password, site.advisor_name)
    shot(page, "console-queue-phone")
