"""axe-core (axe-playwright-python) on the demo page, the widget and the console; the layout at phone size."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from conftest import PHONE, Site, shot
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
from playwright.sync_api import BrowserContext, Locator, Page, expect

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


# What reaches past the right edge, outermost first: the reason a page scrolls sideways.
TOO_WIDE = """width => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}: ${Math.round(e.getBoundingClientRect().right)} px`)"""
# An element's box in page coordinates (the same whatever is scrolled), null once detached.
PAGE_BOX = """e => {
    if (!e.isConnected) return null;
    const r = e.getBoundingClientRect();
    return {left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY, bottom: r.bottom + scrollY};
}"""


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths) <= PHONE["width"], (
        f"{where} scrolls sideways on a phone: {widths} > {PHONE['width']} px; "
        f"too wide: {page.evaluate(TOO_WIDE, PHONE['width'])}"
    )


def page_box(element: Locator, what: str) -> dict[str, float]:
    expect(element).to_be_visible()
    # The console draws an open chat anew when its data arrives: measure the one there now.
    for _ in range(10):
        box = element.evaluate(PAGE_BOX)
        if box is not None:
            return dict(box)
        element.page.wait_for_timeout(200)
    raise AssertionError(f"{what} kept being replaced")


def assert_on_screen(control: Locator, what: str) -> None:
    """`control` visible, and nothing of it beyond the phone's left or right edge."""
    box = page_box(control, what)
    assert box["left"] >= 0 and box["right"] <= PHONE["width"] + 0.5, (
        f"{what} sticks out of the {PHONE['width']} px screen: {box['left']:.0f}–{box['right']:.0f} px"
    )


def assert_stacked(upper: Locator, lower: Locator, what: str) -> None:
    """`upper` ends above where `lower` begins (one column, not side by side)."""
    bottom, top = page_box(upper, what)["bottom"], page_box(lower, what)["top"]
    assert bottom <= top + 0.5, f"{what}: not stacked on a phone ({bottom:.0f} > {top:.0f})"


def test_console_phone_size(phone: BrowserContext, visitor: Page, site: Site) -> None:
    page = phone.new_page()
    login_advisor(page, site.advisor_user, site.advisor_password, site.advisor_name)
    assert_no_horizontal_scroll(page, "the queue overview")
    for control, what in [
        (page.get_by_label("Status"), "the status choice"),
        (page.get_by_role("button", name="Logg ut"), "the logout button"),
        (page.get_by_role("heading", name="Køer"), "the queues' heading"),
    ]:
        assert_on_screen(control, what)
    queues, chats = page.get_by_role("region", name="Køer"), page.get_by_role("region", name="Mine samtaler")
    assert_on_screen(queues, "the queues")
    assert_stacked(queues, chats, "the queues and the chats")
    shot(page, "console-queue-phone")

    # A chat taken on the phone: the log, the ready answers and the reply box one under another.
    open_and_start(visitor)
    send(visitor, "Jeg vil snakke med et menneske")
    expect(visitor.get_by_test_id("queue-position")).to_be_visible(timeout=60_000)
    queue_item(page, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    log = page.get_by_role("log", name="Samtalen")
    search = page.get_by_label("Søk etter et ferdig svar")
    reply = page.get_by_label("Svar til brukeren")
    expect(log).to_contain_text("Jeg vil snakke med et menneske")
    assert_on_screen(log, "the conversation")
    assert_on_screen(search, "the search for a ready answer")
    assert_on_screen(reply, "the reply box")
    assert_on_screen(page.get_by_role("button", name="Send", exact=True), "the send button")
    assert_on_screen(page.get_by_label("Overfør til kø"), "the transfer choice")
    assert_on_screen(page.get_by_role("button", name="Overfør", exact=True), "the transfer button")
    assert_on_screen(page.get_by_label("Utfall"), "the outcome choice")
    assert_on_screen(page.get_by_role("button", name="Avslutt samtalen"), "the end button")
    assert_on_screen(page.get_by_role("button", name="Gi tilbake til chatboten"), "the hand-back button")
    assert_stacked(queues, chats, "the queues and the open chat")
    assert_stacked(log, search, "the conversation and the ready answers")
    assert_stacked(search, reply, "the ready answers and the reply box")
    assert_no_horizontal_scroll(page, "an open chat")

    page.get_by_role("button", name="Gi tilbake til chatboten").click()
    expect(reply).to_have_count(0)
