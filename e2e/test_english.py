"""The widget's English/Norsk switch, English answers and the widget's own texts in English,
and the English answer on the editors' page, against the real stack."""

from __future__ import annotations

import re

from conftest import Site
from helpers import (
    WIDGET,
    chat_input,
    expect_bot_says,
    login_advisor,
    login_editor,
    messages,
    open_and_start,
    queue_item,
    send,
)
from playwright.sync_api import Locator, Page, expect
from test_accessibility import assert_no_serious
from test_content import content_site  # noqa: F401 - a fixture


def test_the_english_switch_gets_english_answers_and_norsk_switches_back(visitor: Page) -> None:
    open_and_start(visitor)
    switch = visitor.locator(f"{WIDGET} button.language")
    expect(switch).to_have_text("English")
    switch.click()
    expect_bot_says(visitor, "we will write in English")
    expect(switch).to_have_text("Norsk")

    send(visitor, "How do I apply for unemployment benefits?")
    expect_bot_says(visitor, "register as a job seeker")

    switch.click()
    expect_bot_says(visitor, "vi skriver på norsk")
    expect(switch).to_have_text("English")


def _widget(visitor: Page) -> Locator:
    return visitor.locator(WIDGET)


def _expect_english_fixed_texts(visitor: Page) -> None:
    """The widget's own texts in English, and its switch offering Norwegian."""
    widget = _widget(visitor)
    expect(widget.locator("button.language")).to_have_text("Norsk")
    expect(widget.locator("button.person")).to_have_text("Talk to an adviser")
    expect(chat_input(visitor)).to_have_attribute("placeholder", "Write your question here")
    expect(widget.locator(".panel__status")).to_have_text("You are chatting with the chatbot")
    expect(widget.get_by_role("button", name="Send message")).to_be_visible()
    expect(widget.locator("#navchat-panel")).to_have_attribute("lang", "en")


def test_an_english_chat_shows_its_own_texts_and_ratings_in_english_also_after_a_reload(
    visitor: Page,
) -> None:
    open_and_start(visitor)
    expect(_widget(visitor).locator("button.person")).to_have_text("Snakk med en veileder")
    _widget(visitor).locator("button.language").click()
    expect_bot_says(visitor, "we will write in English")
    _expect_english_fixed_texts(visitor)

    send(visitor, "How do I apply for unemployment benefits?")
    expect_bot_says(visitor, "register as a job seeker")
    answer = messages(visitor, "bot").filter(has_text="register as a job seeker").first
    expect(answer.get_by_role("group", name="Was this answer helpful?")).to_be_visible()
    assert_no_serious(visitor, "the widget in English")

    # After a reload: the hub's language, at once from storage and confirmed by the hub.
    visitor.reload()
    _expect_english_fixed_texts(visitor)
    answer = messages(visitor, "bot").filter(has_text="register as a job seeker").first
    group = answer.get_by_role("group", name="Was this answer helpful?")
    group.get_by_role("button", name="No, the answer was not helpful").click()
    expect(answer.get_by_text("Thank you for your answer!")).to_be_visible()
    expect(answer.get_by_text("Takk for svaret!")).to_have_count(0)

    # The end of the chat and its rating, in English.
    _widget(visitor).get_by_role("button", name="End", exact=True).click()
    expect(_widget(visitor).get_by_role("heading", name="Do you want to end the chat?")).to_be_visible()
    _widget(visitor).get_by_role("button", name="Yes, end it").click()
    rating = _widget(visitor).get_by_role("group", name="Did you get an answer to what you wanted to know?")
    expect(rating).to_be_visible()
    expect(_widget(visitor).locator(".panel__status")).to_have_text("The chat has ended")
    rating.get_by_role("button", name="Partly").click()
    expect(_widget(visitor).get_by_text("Thank you for your answer!").last).to_be_visible()
    expect(_widget(visitor).get_by_role("button", name="Download the conversation")).to_be_visible()
    footer = _widget(visitor).locator(".panel__footer")
    expect(footer.get_by_text(re.compile("[æøå]|Takk|Avslutt|Last ned|Slett"))).to_have_count(0)


def test_english_written_without_the_switch_makes_the_widget_english(visitor: Page) -> None:
    open_and_start(visitor)
    send(visitor, "How do I apply for unemployment benefits?")
    expect_bot_says(visitor, "register as a job seeker")
    # The bot's English answer tells the hub the language; the widget follows it live.
    answer = messages(visitor, "bot").filter(has_text="register as a job seeker").first
    expect(answer.get_by_role("group", name="Was this answer helpful?")).to_be_visible()
    _expect_english_fixed_texts(visitor)
    visitor.reload()
    _expect_english_fixed_texts(visitor)


def test_an_english_greeting_makes_the_widget_english_before_any_answer(visitor: Page) -> None:
    # Every bot message tells the hub its language, a greeting as much as an FAQ answer.
    open_and_start(visitor)
    send(visitor, "Hello there, good morning")
    expect_bot_says(visitor, "What would you like to know?")
    _expect_english_fixed_texts(visitor)


def test_an_editor_edits_the_english_answer_and_sees_it_go_stale(
    advisor: Page,
    content_site: Site,  # noqa: F811 - the fixture of test_content.py
) -> None:
    login_editor(advisor, content_site.editor_user, content_site.advisor_password, content_site.base_url)
    advisor.goto("/veileder/innhold")
    advisor.get_by_label("Søk i svarene").fill("dagpenger")
    advisor.get_by_test_id("faq-link").filter(has_text="Hvordan søker jeg om dagpenger?").click()
    english = advisor.get_by_label("Svaret på engelsk")
    expect(english).to_have_value(re.compile("^First, register as a job seeker"))
    expect(advisor.get_by_test_id("english-state")).to_have_text("Engelsk svar er oppdatert")

    # A broken English text is refused with the rules for English answers.
    english.fill("Apply on nav.no.")
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_role("alert")).to_contain_text("På engelsk: Svaret må ha lenken")
    expect(english).to_have_attribute("aria-invalid", "true")

    english.fill(
        "First of all, register as a job seeker on nav.no. Read more at https://www.nav.no/dagpenger"
    )
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    expect(english).to_have_value(re.compile("^First of all,"))
    expect(advisor.get_by_test_id("english-state")).to_have_text("Engelsk svar er oppdatert")

    # The Norwegian answer changes after it: the English one is older, on the page and in the list.
    norwegian = advisor.get_by_label("Svaret boten gir")
    norwegian.fill(norwegian.input_value().replace("Først", "Aller først"))
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("saved")).to_contain_text("Lagret.")
    expect(advisor.get_by_test_id("english-state")).to_have_text("Engelsk svar er eldre enn det norske")
    link = advisor.get_by_test_id("faq-link").filter(has_text="Hvordan søker jeg om dagpenger?")
    expect(link.get_by_test_id("english-tag")).to_have_text("Engelsk er eldre")
    assert_no_serious(advisor, "the content page with an English answer that is older")

    # The editor checks it and says it still fits: up to date again.
    advisor.get_by_label("Det engelske svaret stemmer fortsatt med det norske").check()
    advisor.get_by_role("button", name="Lagre").click()
    expect(advisor.get_by_test_id("english-state")).to_have_text("Engelsk svar er oppdatert")
    expect(link.get_by_test_id("english-tag")).to_have_count(0)


def test_an_english_visitor_asking_for_a_person_is_queued_in_english_and_the_advisor_sees_it(
    visitor: Page, advisor: Page, site: Site
) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    send(visitor, "I want to talk to a real person about my sick pay please")
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"You are number \d+ in the queue\."), timeout=60_000
    )
    expect(_widget(visitor).locator(".panel__status")).to_have_text("You are waiting for an adviser")

    # The queue entry says the visitor writes English, before the advisor takes it.
    item = queue_item(advisor, visitor)
    expect(item).to_contain_text("my sick pay")
    expect(item.get_by_text("Engelsk", exact=True)).to_be_visible()
    item.get_by_role("button", name=re.compile("^Ta samtalen")).click()
    expect(advisor.get_by_role("log", name="Samtalen")).to_contain_text("my sick pay")
    expect(advisor.get_by_text("Engelsk", exact=True).first).to_be_visible()

    # The advisor writes freely; the widget's own texts stay English.
    reply = advisor.get_by_label("Svar til brukeren")
    reply.fill("Hello, how can I help with your sick pay?")
    reply.press("Enter")
    expect(messages(visitor, "advisor").last).to_contain_text("how can I help with your sick pay?")
    expect(messages(visitor, "advisor").last).to_contain_text(f"{site.advisor_name}, adviser at Nav")
    expect(_widget(visitor).locator(".panel__status")).to_have_text("You are chatting with an adviser")

    # The advisor ends it (no chat is left for the next test); the visitor's rating is English.
    advisor.get_by_label("Utfall").select_option("besvart")
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
    rating = _widget(visitor).get_by_role("group", name="Did you get an answer to what you wanted to know?")
    expect(rating).to_be_visible()
