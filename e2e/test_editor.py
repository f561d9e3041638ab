"""Content editors: what the bot could not answer, from the widget to the editor's list."""

from __future__ import annotations

from conftest import Site, shot
from helpers import login_advisor, login_editor, messages, open_and_start, send
from playwright.sync_api import BrowserContext, Page, expect
from test_accessibility import assert_no_horizontal_scroll, assert_no_serious


def test_an_unanswered_question_reaches_the_editors_list(advisor: Page, visitor: Page, site: Site) -> None:
    open_and_start(visitor)
    # Which benefit? The bot is unsure and suggests answers; the visitor picks the first.
    send(visitor, "jeg har et spørsmål om en ytelse")
    expect(messages(visitor, "bot").last).to_contain_text("Mente du", timeout=60_000)
    suggestions = messages(visitor, "bot").last.locator(".choices button")
    expect(suggestions.last).to_have_text("Snakk med en veileder")
    chosen = suggestions.first.inner_text().strip()
    answers_before = messages(visitor, "bot").count()
    suggestions.first.click()
    expect(messages(visitor, "bot")).to_have_count(answers_before + 1, timeout=60_000)

    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    link = advisor.get_by_role("link", name="Ubesvarte spørsmål")
    expect(link).to_have_attribute("href", "/veileder/ubesvart")
    advisor.goto("/veileder/ubesvart")
    expect(advisor.get_by_role("heading", name="Spørsmål chatboten ikke kunne svare på")).to_be_visible()
    row = advisor.get_by_test_id("question").filter(has_text="jeg har et spørsmål om en ytelse").first
    expect(row).to_contain_text("Usikker, foreslo svar")
    expect(row).to_contain_text(f"Valgte «{chosen}»")
    expect(advisor.get_by_test_id("csv")).to_have_attribute(
        "href", "/api/advisor/unanswered?days=30&format=csv"
    )
    assert_no_serious(advisor, "the editors' list of unanswered questions")
    shot(advisor, "editor-unanswered-desktop")

    advisor.get_by_label("Periode").select_option("90")
    expect(advisor.get_by_role("status").filter(has_text="Samtaler slettes etter 30 dager")).to_be_visible()
    advisor.get_by_label("Periode").select_option("7")
    expect(advisor.get_by_test_id("csv")).to_have_attribute(
        "href", "/api/advisor/unanswered?days=7&format=csv"
    )
    expect(row).to_be_visible()


def test_the_editors_list_asks_for_a_login(visitor: Page) -> None:
    visitor.goto("/veileder/ubesvart")
    expect(visitor.get_by_text("Du må logge inn først.")).to_be_visible()
    expect(visitor.get_by_role("link", name="Logg inn")).to_have_attribute("href", "/veileder")


def test_an_editor_logs_in_to_the_list_not_to_the_queues(advisor: Page, site: Site) -> None:
    login_editor(advisor, site.editor_user, site.advisor_password, site.base_url)
    expect(advisor.get_by_role("heading", name="Spørsmål chatboten ikke kunne svare på")).to_be_visible()


def test_the_unanswered_list_fits_a_phone_and_the_editor_logs_out(
    phone: BrowserContext, visitor: Page, site: Site
) -> None:
    # A question on the list, so the table is drawn.
    open_and_start(visitor)
    send(visitor, "jeg har et spørsmål om en ytelse")
    expect(messages(visitor, "bot").last).to_contain_text("Mente du", timeout=60_000)

    page = phone.new_page()
    login_editor(page, site.editor_user, site.advisor_password, site.base_url)
    row = page.get_by_test_id("question").filter(has_text="jeg har et spørsmål om en ytelse").first
    expect(row).to_be_visible()
    assert_no_horizontal_scroll(page, "the editors' list of unanswered questions")
    assert_no_serious(page, "the editors' list on a phone")
    shot(page, "editor-unanswered-phone")

    # "Logg ut": the login page, and the list asks for a login again.
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(f"{site.base_url}/veileder")
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    assert page.request.get(f"{site.base_url}/api/advisor/me").status == 401
    page.goto("/veileder/ubesvart")
    expect(page.get_by_text("Du må logge inn først.")).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_be_hidden()


def test_an_editor_logs_out_from_the_content_page(advisor: Page, site: Site) -> None:
    login_editor(advisor, site.editor_user, site.advisor_password, site.base_url)
    advisor.goto("/veileder/innhold")
    expect(advisor.get_by_role("heading", name="Chatbotens svar", level=1)).to_be_visible()
    advisor.get_by_role("button", name="Logg ut").click()
    expect(advisor).to_have_url(f"{site.base_url}/veileder")
    advisor.goto("/veileder/innhold")
    expect(advisor.get_by_text("Du må logge inn først.")).to_be_visible()
