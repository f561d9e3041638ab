"""Visitor ↔ advisor, end to end: queue, claim, messages both ways with typing, reload, end, rating, transcript."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Site, shot
from helpers import WIDGET, chat_input, login_advisor, messages, open_and_start, queue_item, send
from hub.errors import FaqUnavailable
from playwright.sync_api import Page, expect


def test_visitor_gets_a_person(visitor: Page, advisor: Page, site: Site) -> None:
    # The advisor is logged in and available (otherwise the hub refuses the queue: no_advisors).
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    shot(advisor, "console-queue-empty-desktop")

    # The visitor asks the bot for a person and lands in the queue.
    open_and_start(visitor)
    question = "Jeg har et spørsmål om meldekortet mitt"
    send(visitor, question)
    expect(messages(visitor, "bot").last).to_be_visible(timeout=60_000)
    send(visitor, "Kan jeg få snakke med en veileder?")
    position = visitor.get_by_test_id("queue-position")
    expect(position).to_have_text(re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000)
    expect(visitor.locator(f"{WIDGET} .queue")).to_contain_text("ventetid")
    shot(visitor, "widget-queue-desktop")

    # The advisor sees the conversation in the live queue overview, with its first lines.
    item = queue_item(advisor, visitor)
    expect(item).to_be_visible()
    expect(item).to_contain_text(question)
    expect(item).to_contain_text("Har ventet")
    shot(advisor, "console-queue-desktop")
    item.get_by_role("button", name=re.compile("^Ta samtalen")).click()

    # The whole bot conversation is above the live part.
    log = advisor.get_by_role("log", name="Samtalen")
    expect(log).to_contain_text(question)
    expect(log).to_contain_text("Samtalen med chatboten")
    expect(visitor.get_by_test_id("queue-position")).to_have_count(0)
    expect(visitor.locator(f"{WIDGET} .panel__status")).to_have_text("Du chatter med en veileder")

    # Advisor → visitor, with the typing indicator first.
    reply = advisor.get_by_label("Svar til brukeren")
    reply.fill("Hei")
    expect(visitor.get_by_test_id("typing")).to_have_text("Veilederen skriver …")
    reply.fill(f"Hei, jeg heter {site.advisor_name} og jobber i Nav. Hva lurer du på om meldekortet?")
    reply.press("Enter")
    from_person = messages(visitor, "advisor").last
    expect(from_person).to_contain_text("Hva lurer du på om meldekortet?")
    expect(from_person).to_contain_text(f"{site.advisor_name}, veileder i Nav")
    expect(from_person).to_contain_text("Menneske")

    # Visitor → advisor, typing shown in the console.
    chat_input(visitor).fill("Jeg glemte å sende")
    expect(advisor.get_by_test_id("visitor-typing")).to_be_visible()
    chat_input(visitor).fill("Jeg glemte å sende meldekortet i går. Hva gjør jeg nå?")
    chat_input(visitor).press("Enter")
    expect(log).to_contain_text("Jeg glemte å sende meldekortet i går.")
    shot(visitor, "widget-advisor-desktop")

    # A reload in the middle of the live chat keeps everything, and the chat stays live.
    before = messages(visitor).all_inner_texts()
    visitor.reload()
    expect(messages(visitor)).to_have_count(len(before))
    assert messages(visitor).all_inner_texts() == before
    expect(visitor.locator(f"{WIDGET} .panel__status")).to_have_text("Du chatter med en veileder")

    # While the FAQ bank cannot be read (the hub answers 503 faq_unavailable when Rasa is down and
    # it has no copy yet), the console says so instead of "no answers".
    unavailable = FaqUnavailable()
    faq_down = {"status": unavailable.status, "json": unavailable.body()}
    advisor.route("**/api/advisor/faq?*", lambda route: route.fulfill(**faq_down))
    search = advisor.get_by_label("Søk etter et ferdig svar")
    search.fill("meldekort")
    faq_box = advisor.locator(".faq__results")
    expect(faq_box).to_contain_text(unavailable.message)
    expect(faq_box).not_to_contain_text("Fant ingen svar")
    advisor.unroute("**/api/advisor/faq?*")

    # The advisor answers from the FAQ bank.
    search.fill("")
    search.fill("meldekort")
    insert = advisor.get_by_role("button", name=re.compile("^Sett inn svaret")).first
    expect(insert).to_be_visible()
    shot(advisor, "console-chat-desktop")
    insert.click()
    expect(reply).not_to_have_value("")
    expect(reply).to_be_focused()
    faq_text = reply.input_value().strip()
    reply.press("Enter")
    expect(messages(visitor, "advisor").last).to_contain_text(faq_text[:40])

    # The advisor ends the chat with an outcome; the visitor rates and downloads the transcript.
    advisor.get_by_label("Utfall").select_option("besvart")
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
    expect(visitor.get_by_role("group", name="Fikk du svar på det du lurte på?")).to_be_visible()
    shot(visitor, "widget-rating-desktop")
    visitor.get_by_role("button", name="Ja", exact=True).click()
    expect(visitor.locator(f"{WIDGET} .thanks")).to_have_text("Takk for svaret ditt!")
    with visitor.expect_download() as info:
        visitor.get_by_role("button", name="Last ned samtalen").click()
    path = info.value.path()
    transcript = Path(path).read_text(encoding="utf-8")
    assert "Jeg glemte å sende meldekortet i går." in transcript
    assert "Hva lurer du på om meldekortet?" in transcript

    # Restart gives a fresh conversation with the bot.
    visitor.get_by_role("button", name="Start en ny chat").click()
    expect(messages(visitor, "advisor")).to_have_count(0)
    expect(messages(visitor, "bot").first).to_be_visible()
    expect(visitor.locator(f"{WIDGET} .panel__status")).to_have_text("Du chatter med chatboten")


def test_a_visible_button_takes_the_visitor_to_a_person(visitor: Page, advisor: Page, site: Site) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    button = visitor.get_by_role("button", name="Snakk med en veileder", exact=True)
    expect(button).to_be_visible()  # from the first message, without typing a keyword
    button.click()
    expect(messages(visitor, "visitor").last).to_have_text(re.compile("Jeg vil snakke med en veileder"))
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )
    expect(queue_item(advisor, visitor)).to_be_visible()
    expect(button).to_be_hidden()  # already on the way to a person

    # Leaving the queue hands the chat back to the bot, and the way to a person is back.
    visitor.get_by_role("button", name="Forlat køen").click()
    expect(visitor.get_by_test_id("queue-position")).to_have_count(0)
    expect(queue_item(advisor, visitor)).to_have_count(0)
    expect(button).to_be_visible()


def test_visitor_confirms_before_ending(visitor: Page) -> None:
    open_and_start(visitor)
    visitor.get_by_role("button", name="Avslutt").click()
    expect(visitor.get_by_role("heading", name="Vil du avslutte chatten?")).to_be_focused()
    visitor.get_by_role("button", name="Nei, fortsett").click()
    expect(chat_input(visitor)).to_be_focused()
    visitor.get_by_role("button", name="Avslutt").click()
    visitor.get_by_role("button", name="Ja, avslutt").click()
    expect(visitor.get_by_role("group", name="Fikk du svar på det du lurte på?")).to_be_visible()
    visitor.get_by_role("button", name="Delvis").click()
    expect(visitor.locator(f"{WIDGET} .thanks")).to_be_visible()
