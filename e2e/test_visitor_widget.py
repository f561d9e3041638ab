"""The visitor widget against the real stack: FAQ answer, reload and page change, polling fallback, keyboard."""

from __future__ import annotations

import re

from conftest import shot
from helpers import (
    WIDGET,
    chat_input,
    expect_bot_says,
    launcher,
    messages,
    open_and_start,
    send,
    wait_for_more_messages,
)
from playwright.sync_api import Page, expect

FAQ_QUESTION = "Hvordan søker jeg dagpenger?"


def test_visitor_asks_an_faq_and_sees_the_answer(visitor: Page) -> None:
    open_and_start(visitor)
    expect(visitor.locator(f"{WIDGET} #navchat-counter")).to_have_text("Du har 1000 tegn igjen")
    send(visitor, FAQ_QUESTION)
    expect_bot_says(visitor, "arbeidssøker")
    expect(messages(visitor, "bot").filter(has_text="arbeidssøker").first).to_contain_text("dagpenger")
    shot(visitor, "widget-faq-desktop")


def test_length_limit_is_shown_and_enforced(visitor: Page) -> None:
    open_and_start(visitor)
    chat_input(visitor).fill("a" * 1005)
    counter = visitor.locator(f"{WIDGET} #navchat-counter")
    expect(counter).to_have_text("Du har 5 tegn for mye")
    chat_input(visitor).press("Enter")
    expect(visitor.locator(f"{WIDGET} #navchat-error")).to_contain_text("1000 tegn")
    expect(messages(visitor, "visitor")).to_have_count(0)


def test_reload_and_page_change_keep_the_conversation(visitor: Page) -> None:
    open_and_start(visitor)
    send(visitor, FAQ_QUESTION)
    expect_bot_says(visitor, "arbeidssøker")
    texts = messages(visitor).all_inner_texts()

    visitor.reload()
    expect(visitor.locator(f"{WIDGET} #navchat-panel")).to_be_visible()
    expect(messages(visitor)).to_have_count(len(texts))
    assert messages(visitor).all_inner_texts() == texts

    # Another page on the same site: the same conversation, still open, and still live.
    visitor.get_by_role("link", name="Sykepenger").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Sykepenger")
    expect(messages(visitor)).to_have_count(len(texts))
    send(visitor, "Hva er sykepenger?")
    wait_for_more_messages(visitor, len(texts) + 2)


def test_http_polling_fallback(visitor: Page) -> None:
    """With the WebSocket unavailable the widget polls GET /api/conversations/{id}?after=…"""
    visitor.route(re.compile(r".*/ws$"), lambda route: route.abort())
    visitor.goto("/?navchat-transport=polling")
    launcher(visitor).click()
    visitor.get_by_role("button", name="Start chatten").click()
    expect(messages(visitor, "bot").first).to_be_visible()
    send(visitor, FAQ_QUESTION)
    expect_bot_says(visitor, "arbeidssøker")


def test_keyboard_only(visitor: Page) -> None:
    visitor.goto("/")
    # Tab through the page until the launcher has focus (it is the last thing on the page).
    for _ in range(40):
        visitor.keyboard.press("Tab")
        if launcher(visitor).evaluate("el => el.matches(':focus')"):
            break
    expect(launcher(visitor)).to_be_focused()
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", name="Før du starter")).to_be_focused()
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("button", name="Start chatten")).to_be_focused()
    visitor.keyboard.press("Enter")
    expect(chat_input(visitor)).to_be_focused()
    visitor.keyboard.type(FAQ_QUESTION)
    visitor.keyboard.press("Enter")
    expect(messages(visitor, "visitor")).to_have_count(1)
    expect(messages(visitor, "bot")).to_have_count(2, timeout=60_000)  # welcome + answer
    # Escape minimises and gives focus back to the launcher.
    visitor.keyboard.press("Escape")
    expect(visitor.locator(f"{WIDGET} #navchat-panel")).to_be_hidden()
    expect(launcher(visitor)).to_be_focused()
    # A message that arrives while minimised gives the launcher an unread badge.
    # (Sent from outside the widget, so that it surely arrives after minimising.)
    saved = visitor.evaluate("() => JSON.parse(localStorage.getItem('navchat:conversation'))")
    response = visitor.request.post(
        f"/api/conversations/{saved['id']}/messages",
        headers={"Authorization": f"Bearer {saved['secret']}"},
        data={"text": FAQ_QUESTION},
    )
    assert response.status == 201
    expect(launcher(visitor)).to_have_accessible_name(re.compile(r"ny(e)? melding"), timeout=60_000)
    shot(visitor, "widget-minimised-unread-desktop")
    visitor.keyboard.press("Enter")
    expect(chat_input(visitor)).to_be_focused()
    expect(launcher(visitor)).to_be_hidden()
