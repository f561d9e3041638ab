"""A shared computer (a library, a Nav office): what one visitor wrote must be gone for the next.

Ending, deleting and walking away are each followed by the next person opening the chat in
the same browser: nothing of the last conversation may be on screen, in localStorage,
sessionStorage or cookies, and the old key no longer opens it at the hub.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import httpx
from conftest import Site
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
from playwright.sync_api import Page, expect
from test_accessibility import assert_no_serious

# What the first visitor writes: a name, so it is clear why it must not be left behind.
PRIVATE = "Jeg heter Ola Kvitfjell og lurer på hvordan jeg søker dagpenger"
SURNAME = "Kvitfjell"
SHADOW_TEXT = "document.querySelector('#nav-chat-widget').shadowRoot.textContent"


def traces(page: Page, *needles: str) -> list[str]:
    """Everything in the browser that still holds one of ``needles``: storage, cookies, the widget's text."""
    found: list[str] = page.evaluate(
        """(needles) => {
            const out = [];
            for (const [name, store] of [["localStorage", localStorage], ["sessionStorage", sessionStorage]]) {
              for (let i = 0; i < store.length; i++) {
                const key = store.key(i), value = store.getItem(key) || "";
                if (needles.some((n) => key.includes(n) || value.includes(n))) out.push(`${name} ${key}`);
              }
            }
            if (needles.some((n) => document.cookie.includes(n))) out.push("document.cookie");
            const root = document.querySelector("#nav-chat-widget")?.shadowRoot;
            const text = root ? root.textContent || "" : "";
            if (needles.some((n) => text.includes(n))) out.push("the widget's text");
            return out;
        }""",
        list(needles),
    )
    found += [f"cookie {c['name']}" for c in page.context.cookies() if any(n in c["value"] for n in needles)]
    return found


def stored_conversation(page: Page) -> dict[str, str]:
    saved = page.evaluate("() => JSON.parse(localStorage.getItem('navchat:conversation'))")
    assert saved and saved["id"] and saved["secret"], saved
    return {"id": saved["id"], "secret": saved["secret"]}


def at_the_hub(site: Site, saved: dict[str, str]) -> httpx.Response:
    return httpx.get(
        f"{site.base_url}/api/conversations/{saved['id']}",
        headers={"Authorization": f"Bearer {saved['secret']}"},
    )


def wait_for_owner(site: Site, saved: dict[str, str], owner: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        r = at_the_hub(site, saved)
        if r.status_code == 200 and r.json()["owner"] == owner:
            return
        assert time.monotonic() < deadline, f"the hub still has {r.status_code} {r.text[:200]}"
        time.sleep(0.25)


def next_person_finds_nothing(page: Page, saved: dict[str, str]) -> None:
    """The next person opens the chat in the same browser: the first-time notice, nothing else."""
    page.goto("/")
    expect(page.locator(WIDGET)).to_be_attached()
    if launcher(page).is_visible():  # (else the panel was left open in this tab: it opens by itself)
        launcher(page).click()
    expect(page.get_by_role("heading", name="Før du starter")).to_be_visible()
    assert traces(page, SURNAME, saved["id"], saved["secret"]) == []


def chat_privately(page: Page) -> dict[str, str]:
    open_and_start(page)
    send(page, PRIVATE)
    expect_bot_says(page, "arbeidssøker")
    return stored_conversation(page)


def test_minimising_keeps_the_chat_ending_it_leaves_nothing_behind(visitor: Page, site: Site) -> None:
    saved = chat_privately(visitor)
    # The chat follows the visitor to another tab of the site.
    other_tab = visitor.context.new_page()
    other_tab.goto("/")
    other_tab.wait_for_function(f"() => {SHADOW_TEXT}.includes('{SURNAME}')")

    # Minimising is not ending: the chat is still there when it is opened again.
    visitor.get_by_role("button", name="Minimer chatten").click()
    expect(launcher(visitor)).to_be_focused()
    launcher(visitor).click()
    expect(messages(visitor, "visitor").filter(has_text=SURNAME)).to_be_visible()

    visitor.get_by_role("button", name="Avslutt").click()
    expect(visitor.get_by_role("heading", name="Vil du avslutte chatten?")).to_be_focused()
    expect(visitor.locator(f"{WIDGET} .confirm")).to_contain_text("fjernet fra denne nettleseren")
    visitor.get_by_role("button", name="Ja, avslutt").click()
    expect(visitor.get_by_role("heading", name="Chatten er avsluttet")).to_be_focused()
    # Out of the browser's storage at once; on screen (rating, download) until the chat is closed.
    expect(messages(visitor, "visitor").filter(has_text=SURNAME)).to_be_visible()
    assert [t for t in traces(visitor, SURNAME, saved["id"], saved["secret"]) if "widget" not in t] == []
    other_tab.wait_for_function(f"() => !{SHADOW_TEXT}.includes('{SURNAME}')")
    assert traces(other_tab, SURNAME, saved["id"], saved["secret"]) == []
    wait_for_owner(site, saved, "closed")  # ended at the hub too
    assert_no_serious(visitor, "the ended chat")

    visitor.get_by_role("button", name="Lukk chatten").click()
    expect(launcher(visitor)).to_be_focused()
    assert traces(visitor, SURNAME, saved["id"], saved["secret"]) == []
    next_person_finds_nothing(visitor, saved)


def test_a_chat_an_advisor_ends_while_it_is_minimised_is_not_kept(
    visitor: Page, advisor: Page, site: Site
) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    saved = chat_privately(visitor)
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_be_visible(timeout=60_000)
    queue_item(advisor, visitor).get_by_role("button").click()
    expect(advisor.get_by_label("Svar til brukeren")).to_be_visible()
    visitor.get_by_role("button", name="Minimer chatten").click()

    advisor.get_by_label("Utfall").select_option("besvart")
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    visitor.wait_for_function(f"() => !{SHADOW_TEXT}.includes('{SURNAME}')")
    assert traces(visitor, SURNAME, saved["id"], saved["secret"]) == []
    launcher(visitor).click()
    expect(visitor.get_by_role("heading", name="Samtalen er avsluttet")).to_be_focused()
    expect(visitor.get_by_test_id("farewell")).to_contain_text("mens chatten var lukket")


def test_slett_samtalen_deletes_it_at_nav_after_a_confirmation(visitor: Page, site: Site) -> None:
    saved = chat_privately(visitor)
    visitor.get_by_role("button", name="Avslutt").click()
    visitor.get_by_role("button", name="Ja, avslutt").click()

    delete = visitor.get_by_role("button", name="Slett samtalen")
    delete.click()
    expect(visitor.get_by_role("heading", name="Vil du slette samtalen?")).to_be_focused()
    expect(visitor.locator(f"{WIDGET} .confirm")).to_contain_text("Du kan ikke angre")
    assert_no_serious(visitor, "the confirmation before deleting")
    visitor.keyboard.press("Escape")  # changed their mind: nothing deleted
    expect(delete).to_be_visible()
    assert at_the_hub(site, saved).status_code == 200

    delete.click()
    visitor.get_by_role("button", name="Ja, slett samtalen").click()
    expect(visitor.get_by_role("heading", name="Samtalen er slettet")).to_be_focused()
    r = at_the_hub(site, saved)
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    assert traces(visitor, SURNAME, saved["id"], saved["secret"]) == []

    # The same visitor may start again: a new conversation, nothing of the old one.
    visitor.get_by_role("button", name="Start en ny chat").click()
    expect(messages(visitor, "bot").first).to_be_visible()
    assert stored_conversation(visitor)["id"] != saved["id"]
    assert traces(visitor, SURNAME) == []


def test_going_back_to_an_earlier_page_after_ending_shows_nothing(visitor: Page) -> None:
    """The back button after ending. (A real browser may show the earlier page from its
    back/forward cache, which the widget handles on ``pageshow``; Playwright's Chromium
    keeps no such cache, so here the page loads again.)"""
    # Polling, not a WebSocket: a page with an open socket is never kept for the back button.
    visitor.route(re.compile(r".*/ws$"), lambda route: route.abort())
    visitor.goto("/?navchat-transport=polling")
    launcher(visitor).click()
    visitor.get_by_role("button", name="Start chatten").click()
    send(visitor, PRIVATE)
    expect_bot_says(visitor, "arbeidssøker")
    saved = stored_conversation(visitor)

    visitor.get_by_role("link", name="Sykepenger").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Sykepenger")
    visitor.get_by_role("button", name="Avslutt").click()
    visitor.get_by_role("button", name="Ja, avslutt").click()
    visitor.get_by_role("button", name="Lukk chatten").click()

    visitor.go_back()
    expect(visitor.get_by_role("heading", level=1)).not_to_have_text("Sykepenger")
    visitor.wait_for_function(f"() => !{SHADOW_TEXT}.includes('{SURNAME}')")
    assert traces(visitor, SURNAME, saved["id"], saved["secret"]) == []


def test_a_chat_left_unused_for_30_minutes_is_ended_and_forgotten(visitor: Page, site: Site) -> None:
    visitor.clock.install()
    saved = chat_privately(visitor)
    visitor.clock.fast_forward("29:00")
    expect(messages(visitor, "visitor").filter(has_text=SURNAME)).to_be_visible()  # not yet

    visitor.clock.fast_forward("02:00")
    expect(visitor.get_by_role("heading", name="Samtalen er fjernet")).to_be_visible()
    expect(visitor.get_by_test_id("farewell")).to_contain_text("30 minutter")
    assert traces(visitor, SURNAME, saved["id"], saved["secret"]) == []
    wait_for_owner(site, saved, "closed")
    next_person_finds_nothing(visitor, saved)


def test_a_browser_closed_on_a_chat_forgets_it_when_it_opens_30_minutes_later(
    visitor: Page, site: Site
) -> None:
    saved = chat_privately(visitor)
    # The first visitor leaves without ending; their tab closes, the browser keeps localStorage.
    later = visitor.context.new_page()
    visitor.close()
    later.clock.install(time=datetime.now(UTC) + timedelta(minutes=31))
    later.goto("/")
    expect(launcher(later)).to_be_visible()
    assert traces(later, SURNAME, saved["id"], saved["secret"]) == []
    wait_for_owner(site, saved, "closed")
    next_person_finds_nothing(later, saved)


def test_a_notice_quoting_the_visitor_shows_their_text_as_written(visitor: Page, site: Site) -> None:
    """The hub's "answer lost" notice quotes the visitor; markdown in it must not become a link."""
    assert site.database_path is not None, "needs the test stack's own database"
    trick = "[Åpne saken din i Gosys](https://evil.example)"
    open_and_start(visitor)
    saved = stored_conversation(visitor)
    # What a crash between storing a message and the bot's reply leaves: a message still
    # waiting for the bot. The hub's sweep finds it and tells the visitor, quoting it.
    with sqlite3.connect(site.database_path) as db:
        (stamp,) = db.execute("SELECT created_at FROM messages ORDER BY id DESC LIMIT 1").fetchone()
        old = datetime.now(UTC) - timedelta(minutes=2)
        # The same text form as the hub writes (SQLAlchemy's SQLite DATETIME).
        created = old.strftime("%Y-%m-%d %H:%M:%S.%f") if " " in stamp else old.isoformat()
        db.execute(
            "INSERT INTO messages (conversation_id, sender, text, buttons, created_at, awaiting_bot)"
            " VALUES (?, 'visitor', ?, '[]', ?, 1)",
            (saved["id"], trick, created),
        )
    notice = messages(visitor, "system").filter(has_text="ble borte")
    expect(notice).to_be_visible(timeout=60_000)
    expect(notice).to_contain_text(trick)
    expect(notice.locator("a")).to_have_count(0)
