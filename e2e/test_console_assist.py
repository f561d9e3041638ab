"""Less typing for advisors: a claimed chat opens with a short summary of the bot's part, and the
answer bank (Svarbank) suggests the catalogue's answers for the visitor's latest message before
the advisor searches; a new message from the visitor brings new suggestions."""

from __future__ import annotations

import re

from conftest import Site, shot
from helpers import expect_bot_says, login_advisor, open_and_start, queue_item, send
from playwright.sync_api import Page, expect


def test_a_claimed_chat_has_a_summary_and_suggested_answers(visitor: Page, advisor: Page, site: Site) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    send(visitor, "Hvordan søker jeg dagpenger?")
    expect_bot_says(visitor, "arbeidssøker")  # the bot's FAQ answer
    send(visitor, "Kan jeg få snakke med en veileder?")
    expect(visitor.get_by_test_id("queue-position")).to_have_text(re.compile(r"i køen"), timeout=60_000)
    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()

    # The summary: what was asked and which answer the bot gave, by its title.
    summary = advisor.get_by_test_id("chat-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Kort om samtalen med chatboten")
    expect(summary).to_contain_text("Ba om veileder")
    expect(summary).to_contain_text("«Hvordan søker jeg dagpenger?»")
    expect(summary.locator(".summary__answers li").first).to_have_text("Hvordan søker jeg om dagpenger?")

    # Before any search: the answers for the visitor's question ("snakke med en veileder" says nothing).
    suggested = advisor.get_by_test_id("suggestion")
    expect(advisor.get_by_text("Forslag til brukerens siste melding:")).to_be_visible()
    expect(suggested.locator(".faq__q").first).to_have_text("Hvordan søker jeg om dagpenger?")
    assert suggested.locator(".faq__item").count() <= 3
    shot(advisor, "console-summary-suggestions-desktop")

    # One click puts the answer in the reply field.
    suggested.get_by_role("button", name=re.compile("^Sett inn svaret")).first.click()
    expect(advisor.get_by_label("Svar til brukeren")).to_have_value(re.compile("arbeidssøker"))
    advisor.get_by_label("Svar til brukeren").fill("")

    # A new question from the visitor: new suggestions, without a search.
    send(visitor, "Hvor mye får jeg i barnetrygd for to barn?")
    expect(advisor.get_by_role("log", name="Samtalen")).to_contain_text("barnetrygd for to barn")
    expect(suggested.locator(".faq__q").first).to_contain_text("barnetrygd")

    # A search replaces the suggestions; an empty search brings them back.
    search = advisor.get_by_label("Søk etter et ferdig svar")
    search.fill("sykepenger")
    expect(advisor.locator(".faq__results .faq__q").first).to_contain_text(
        re.compile("sykepenger", re.IGNORECASE)
    )
    expect(suggested).to_have_count(0)
    search.fill("")
    expect(suggested.locator(".faq__q").first).to_contain_text("barnetrygd")

    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
