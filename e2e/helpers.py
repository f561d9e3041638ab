"""Small page helpers shared by the browser tests (Playwright locators pierce the widget's open shadow root)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

WIDGET = "#nav-chat-widget"


def launcher(page: Page) -> Locator:
    return page.get_by_role("button", name=re.compile(r"^Chat med Nav"))


def messages(page: Page, sender: str | None = None) -> Locator:
    sel = f'{WIDGET} [role="log"] > ol > li' + (f'[data-sender="{sender}"]' if sender else "")
    return page.locator(sel)


def chat_input(page: Page) -> Locator:
    """The message field, labelled in the conversation's language (widget/texts.ts)."""
    return page.get_by_label(re.compile(r"^(Skriv meldingen din|Write your message)$"))


def open_and_start(page: Page) -> None:
    """Open the demo page, read the first-time notice, start the chat, wait for the bot's welcome."""
    page.goto("/")
    launcher(page).click()
    notice = page.locator(f"{WIDGET} .notice")
    expect(notice).to_contain_text("chatbot")
    expect(notice).to_contain_text("30 dager")
    expect(notice).to_contain_text("fødselsnummer")
    expect(notice).to_contain_text("09–15")
    page.get_by_role("button", name="Start chatten").click()
    expect(messages(page, "bot").first).to_be_visible()
    expect(chat_input(page)).to_be_focused()


def send(page: Page, text: str) -> None:
    before = messages(page, "visitor").count()
    chat_input(page).fill(text)
    chat_input(page).press("Enter")
    expect(messages(page, "visitor")).to_have_count(before + 1)
    expect(messages(page, "visitor").last).to_contain_text(text)


def login_advisor(page: Page, user: str, password: str, name: str) -> None:
    page.goto("/veileder")
    page.get_by_label("Brukernavn").fill(user)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_test_id("advisor-name")).to_contain_text(name)
    expect(page.get_by_label("Status")).to_have_value("available")  # a login starts available
    expect(page.get_by_role("heading", name="Køer")).to_be_visible()


def login_editor(page: Page, user: str, password: str, base_url: str) -> None:
    """An editor's console login lands on the unanswered list, not the queues."""
    page.goto("/veileder")
    page.get_by_label("Brukernavn").fill(user)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(f"{base_url}/veileder/ubesvart")


def expect_bot_says(page: Page, text: str, timeout: float = 60_000) -> None:
    """Some bot message (the bot may answer in several) contains ``text``."""
    expect(messages(page, "bot").filter(has_text=text).first).to_be_visible(timeout=timeout)


def wait_for_more_messages(page: Page, count: int, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "([sel, n]) => document.querySelector('#nav-chat-widget').shadowRoot.querySelectorAll(sel).length >= n",
        arg=['[role="log"] > ol > li', count],
        timeout=timeout,
    )


def conversation_id(page: Page) -> str:
    """The visitor's conversation id, as the widget keeps it."""
    return str(page.evaluate("JSON.parse(localStorage.getItem('navchat:conversation')).id"))


def queue_item(advisor: Page, visitor: Page) -> Locator:
    """The visitor's entry in the advisor's queue overview."""
    return advisor.locator(f'.waiting__item[data-conversation="{conversation_id(visitor)}"]')
