"""How the widget keeps up with the conversation: no message skipped (polling, a second tab),
earlier messages left alone when new ones come (screen readers hear only what is new), a queue
box that keeps keyboard focus between polls and says honestly when the wait is unknown, and a
visitor's link shown with its real address (to the visitor and to the advisor)."""

from __future__ import annotations

import re

from conftest import Site
from helpers import (
    login_advisor,
    messages,
    open_and_start,
    queue_item,
    send,
)
from playwright.sync_api import Page, expect

# GET /api/conversations/{id}?after=N: the widget's poll (and its catch-up before a WebSocket).
POLL = re.compile(r".*/api/conversations/[^/?]+\?after=\d+$")
SHADOW = "document.querySelector('#nav-chat-widget').shadowRoot"


def ask_for_person(visitor: Page) -> None:
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )


def end_chat(advisor: Page) -> None:
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")


def test_a_visitors_link_shows_its_real_address(visitor: Page, advisor: Page, site: Site) -> None:
    """A visitor cannot give a link a label of their own (an advisor could trust «Åpne saken i
    Gosys» and log in on someone else's page); a plain address stays a link to itself."""
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    text = "Se [Åpne saken i Gosys](https://evil.example/login) og https://www.nav.no/dagpenger."
    send(visitor, text)
    ask_for_person(visitor)
    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    in_console = advisor.locator('#chat-log li[data-sender="visitor"]').filter(has_text="Gosys")
    expect(in_console).to_be_visible()

    for where, message in (
        ("console", in_console),
        ("widget", messages(visitor, "visitor").filter(has_text="Gosys")),
    ):
        expect(message.get_by_role("link", name="Åpne saken i Gosys")).to_have_count(0)
        expect(message).to_contain_text("[Åpne saken i Gosys](")
        links = message.get_by_role("link")
        shown = links.evaluate_all("els => els.map(a => [a.textContent, a.href])")
        assert shown == [
            ["https://evil.example/login", "https://evil.example/login"],
            ["https://www.nav.no/dagpenger", "https://www.nav.no/dagpenger"],
        ], f"{where}: {shown}"
    end_chat(advisor)
