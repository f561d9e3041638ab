"""An advisor is at work only while their console is open: a closed browser is away within
HUB_ADVISOR_PRESENCE_SECONDS (6 s in the test stack), and the chat goes back to the queue,
first in line, where the next advisor takes it."""

from __future__ import annotations

import re

from conftest import Site
from helpers import WIDGET, conversation_id, login_advisor, messages, open_and_start, queue_item
from playwright.sync_api import Browser, Page, expect


def test_a_closed_console_leaves_the_visitor_queued_first_and_told_that_nobody_is_free(
    visitor: Page, browser: Browser, site: Site
) -> None:
    ctx = browser.new_context(base_url=site.base_url, viewport={"width": 1280, "height": 800}, locale="nb-NO")
    advisor = ctx.new_page()
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )
    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    status = visitor.locator(f"{WIDGET} .panel__status")
    expect(status).to_have_text("Du chatter med en veileder")
    # The console stays open for longer than the presence limit: nothing changes.
    advisor.wait_for_timeout(9000)
    expect(status).to_have_text("Du chatter med en veileder")

    ctx.close()  # the browser closes without logging out
    expect(messages(visitor, "system").filter(has_text="Veilederen din måtte gå")).to_have_count(
        1, timeout=30_000
    )
    expect(status).to_have_text("Du venter på en veileder")
    expect(visitor.get_by_test_id("queue-position")).to_have_text("Du er nummer 1 i køen.")
    expect(visitor.locator(f"{WIDGET} .queue")).to_contain_text("Ingen veileder er ledig akkurat nå")
    expect(visitor.locator(f"{WIDGET} .queue")).not_to_contain_text("minutt")

    # The advisor comes back: the chat is first in line, and the wait has a number again.
    again = browser.new_context(
        base_url=site.base_url, viewport={"width": 1280, "height": 800}, locale="nb-NO"
    )
    try:
        page = again.new_page()
        login_advisor(page, site.advisor_user, site.advisor_password, site.advisor_name)
        expect(visitor.locator(f"{WIDGET} .queue")).to_contain_text("Forventet ventetid er omtrent")
        expect(page.locator(".queue-list .waiting__item").first).to_have_attribute(
            "data-conversation", conversation_id(visitor)
        )
        queue_item(page, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
        expect(status).to_have_text("Du chatter med en veileder")
        page.get_by_role("button", name="Avslutt samtalen").click()
        expect(page.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
    finally:
        again.close()
