"""How the widget keeps up with the conversation: no message skipped (polling, a second tab),
earlier messages left alone when new ones come (screen readers hear only what is new), a queue
box that keeps keyboard focus between polls and says honestly when the wait is unknown, and a
visitor's link shown with its real address (to the visitor and to the advisor)."""

from __future__ import annotations

import re
from collections.abc import Callable

from conftest import Site
from helpers import (
    WIDGET,
    chat_input,
    expect_bot_says,
    launcher,
    login_advisor,
    messages,
    open_and_start,
    queue_item,
    send,
)
from playwright.sync_api import Page, Route, expect

# GET /api/conversations/{id}?after=N: the widget's poll (and its catch-up before a WebSocket).
POLL = re.compile(r".*/api/conversations/[^/?]+\?after=\d+$")
SHADOW = "document.querySelector('#nav-chat-widget').shadowRoot"


def start_polling(visitor: Page) -> None:
    """The widget with HTTP polling only (as when WebSockets are blocked on the way)."""
    visitor.route(re.compile(r".*/ws$"), lambda route: route.abort())
    visitor.goto("/?navchat-transport=polling")
    launcher(visitor).click()
    visitor.get_by_role("button", name="Start chatten").click()
    expect(messages(visitor, "bot").first).to_be_visible()


def ask_for_person(visitor: Page) -> None:
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )


def wait_for_polls(visitor: Page, n: int) -> None:
    """Wait until the widget has had ``n`` more answers to its polls."""
    for _ in range(n):
        with visitor.expect_response(
            lambda r: bool(POLL.match(r.url)) and r.request.method == "GET", timeout=15_000
        ):
            pass


def end_chat(advisor: Page) -> None:
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")


def test_polling_shows_an_advisor_message_sent_just_before_the_visitors_own(
    visitor: Page, advisor: Page, site: Site
) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    start_polling(visitor)
    ask_for_person(visitor)
    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    expect(visitor.locator(f"{WIDGET} .panel__status")).to_have_text("Du chatter med en veileder")

    # The next polls do not get through: the advisor writes, then the visitor (whose own
    # message comes back at once from POST …/messages, with a higher id than the advisor's).
    held = {"on": True}

    def hold(route: Route) -> None:
        if held["on"] and route.request.method == "GET":
            route.abort()
        else:
            route.continue_()

    visitor.route(POLL, hold)
    from_advisor = "Hei, jeg ser på saken din nå."
    advisor.get_by_label("Svar til brukeren").fill(from_advisor)
    advisor.get_by_label("Svar til brukeren").press("Enter")
    expect(advisor.get_by_role("log", name="Samtalen")).to_contain_text(from_advisor)
    send(visitor, "Takk, jeg venter her.")

    held["on"] = False
    advisor_says = messages(visitor, "advisor").filter(has_text=from_advisor)
    expect(advisor_says).to_be_visible(timeout=15_000)
    # In the order it was written: the advisor's message before the visitor's.
    ids = [int(x) for x in messages(visitor).evaluate_all("els => els.map(e => e.dataset.id)")]
    assert ids == sorted(ids)
    assert messages(visitor).last.get_attribute("data-sender") == "visitor"
    end_chat(advisor)


def test_a_second_tab_shows_the_conversation_so_far(visitor: Page) -> None:
    open_and_start(visitor)
    send(visitor, "Hvordan søker jeg dagpenger?")
    expect_bot_says(visitor, "arbeidssøker")
    texts = messages(visitor).all_inner_texts()

    # A new tab shares the conversation (localStorage) but not the first tab's copy of the
    # messages (sessionStorage): it reads them from the hub.
    tab = visitor.context.new_page()
    tab.goto("/")
    launcher(tab).click()
    expect(messages(tab)).to_have_count(len(texts))
    assert messages(tab).all_inner_texts() == texts
    send(tab, "Hva er sykepenger?")
    expect(messages(visitor, "visitor").filter(has_text="Hva er sykepenger?")).to_be_visible()


def test_new_messages_leave_the_earlier_ones_in_place(visitor: Page) -> None:
    """The log is a live region that reads additions: an earlier message taken out and put back
    would be read again. Only the answer choices under the last answer go away."""
    open_and_start(visitor)
    send(visitor, "hva kan jeg spørre deg om")
    expect(messages(visitor, "bot")).to_have_count(2, timeout=60_000)
    offer = messages(visitor, "bot").nth(1)
    expect(offer.locator(".choices button").first).to_be_visible()
    before = messages(visitor).count()
    visitor.evaluate(
        f"""() => {{
            const log = {SHADOW}.querySelector('[role="log"] > ol');
            for (const li of log.children) li.__earlier = true;
            window.__removed = 0;
            new MutationObserver((records) => {{
                for (const r of records) window.__removed += [...r.removedNodes].filter(n => n.nodeName === 'LI').length;
            }}).observe(log, {{ childList: true }});
        }}"""
    )

    send(visitor, "Hvordan søker jeg dagpenger?")
    expect_bot_says(visitor, "arbeidssøker")
    expect(offer.locator(".choices")).to_have_count(0)
    assert visitor.evaluate("() => window.__removed") == 0
    kept = visitor.evaluate(
        f"() => [...{SHADOW}.querySelectorAll('[role=\"log\"] > ol > li')].filter(li => li.__earlier).length"
    )
    assert kept == before


def test_the_queue_box_keeps_focus_between_polls(visitor: Page, advisor: Page, site: Site) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    start_polling(visitor)
    ask_for_person(visitor)
    leave = visitor.get_by_role("button", name="Forlat køen")
    leave.focus()
    leave.evaluate("el => { el.__focused = true }")
    box_text = visitor.locator(f"{WIDGET} .queue").inner_text()
    visitor.evaluate(
        f"""() => {{
            window.__changes = 0;
            new MutationObserver((records) => {{ window.__changes += records.length; }})
                .observe({SHADOW}.querySelector('.queue'), {{ childList: true, subtree: true, characterData: true }});
        }}"""
    )

    wait_for_polls(visitor, 3)
    assert visitor.evaluate(f"() => {SHADOW}.activeElement?.__focused === true"), "focus left «Forlat køen»"
    if visitor.locator(f"{WIDGET} .queue").inner_text() == box_text:
        # Nothing changed, so nothing was written: a status region re-reads what is rewritten.
        assert visitor.evaluate("() => window.__changes") == 0

    visitor.keyboard.press("Enter")
    expect(visitor.get_by_test_id("queue-position")).to_have_count(0)
    expect(chat_input(visitor)).to_be_focused()


def test_the_queue_box_says_when_nobody_can_tell_the_wait(visitor: Page, advisor: Page, site: Site) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    start_polling(visitor)
    ask_for_person(visitor)
    box = visitor.locator(f"{WIDGET} .queue")
    expect(box).to_contain_text("Forventet ventetid er omtrent")  # an advisor is available

    def change(queue: dict) -> Callable[[Route], None]:
        def handle(route: Route) -> None:
            response = route.fetch()
            data = response.json()
            if data.get("queue"):
                data["queue"].update(queue)
            route.fulfill(response=response, json=data)

        return handle

    # No advisor free: the hub has no estimate.
    nobody = change({"advisors_available": 0, "estimated_wait_minutes": None})
    visitor.route(POLL, nobody)
    expect(box).to_contain_text("Ingen veileder er ledig akkurat nå, så vi vet ikke hvor lenge du må vente.")
    expect(box).to_contain_text("55 55 33 33")
    expect(box).not_to_contain_text("ventetid")
    expect(visitor.get_by_test_id("queue-position")).to_have_text(re.compile(r"Du er nummer \d+ i køen\."))
    visitor.unroute(POLL, nobody)

    # Someone is free again: the estimate is back.
    some = change({"advisors_available": 1, "estimated_wait_minutes": 7})
    visitor.route(POLL, some)
    expect(box).to_contain_text("Forventet ventetid er omtrent 7 minutter.")
    expect(box).not_to_contain_text("vet ikke")
    visitor.unroute(POLL, some)
    visitor.get_by_role("button", name="Forlat køen").click()
    expect(visitor.get_by_test_id("queue-position")).to_have_count(0)


def test_the_queue_box_follows_the_advisors_status(visitor: Page, advisor: Page, site: Site) -> None:
    """The real hub, over the WebSocket: the only advisor goes away, so nobody can tell the wait."""
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    ask_for_person(visitor)
    box = visitor.locator(f"{WIDGET} .queue")
    expect(box).to_contain_text("Forventet ventetid er omtrent")
    leave = visitor.get_by_role("button", name="Forlat køen")
    leave.focus()
    leave.evaluate("el => { el.__focused = true }")

    advisor.get_by_label("Status").select_option("away")
    expect(box).to_contain_text("Ingen veileder er ledig akkurat nå")
    expect(box).to_contain_text("55 55 33 33")
    advisor.get_by_label("Status").select_option("available")
    expect(box).to_contain_text("Forventet ventetid er omtrent")
    # The text changed twice; the button with focus stayed.
    assert visitor.evaluate(f"() => {SHADOW}.activeElement?.__focused === true"), "focus left «Forlat køen»"
    leave.click()
    expect(visitor.get_by_test_id("queue-position")).to_have_count(0)


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


def _view_of(visitor: Page, li_index: int) -> dict[str, float]:
    """Where the log item at `li_index` stands in the scrolled conversation panel."""
    return visitor.evaluate(
        f"""(i) => {{
            const body = {SHADOW}.querySelector('.panel__body');
            const li = {SHADOW}.querySelectorAll('[role="log"] > ol > li')[i];
            const b = body.getBoundingClientRect(), r = li.getBoundingClientRect();
            return {{ top: r.top - b.top, panel: body.clientHeight,
                      below: body.scrollHeight - body.scrollTop - body.clientHeight,
                      tail: body.scrollHeight - (r.top - b.top + body.scrollTop) }};
        }}""",
        li_index,
    )


def test_a_reply_taller_than_the_panel_is_shown_from_its_first_line(visitor: Page) -> None:
    """Acute need: the emergency numbers come first, then the handoff message. The panel used to
    scroll to the end of the reply, so the visitor saw the last lines and not "ring 113"."""
    visitor.set_viewport_size({"width": 1280, "height": 560})
    open_and_start(visitor)
    # A short reply ends at the bottom, as before.
    # Counted before sending: a fast reply can be in the log as soon as the visitor's own line.
    thanks = messages(visitor).count() + 1  # the reply's place, after the visitor's line
    send(visitor, "takk")
    expect(messages(visitor)).to_have_count(thanks + 1, timeout=60_000)
    visitor.wait_for_timeout(300)
    assert _view_of(visitor, thanks)["below"] <= 1

    first_reply = messages(visitor).count() + 1  # after the visitor's own message
    send(visitor, "jeg vil ikke leve lenger")
    expect(messages(visitor).nth(first_reply)).to_contain_text("116 123", timeout=60_000)
    # The handoff's own reply follows (queued, or the alternatives when nobody can take it).
    expect(messages(visitor)).to_have_count(first_reply + 2, timeout=60_000)
    visitor.wait_for_timeout(300)
    view = _view_of(visitor, first_reply)
    assert view["tail"] > view["panel"], view  # the reply is taller than the panel: the test means something
    assert 0 <= view["top"] < 40, view  # its first line is at the top of the panel
    assert view["below"] > 0, view  # and the rest is below, to scroll to
