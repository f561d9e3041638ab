""" "Var svaret nyttig? Ja / Nei" under the bot's answers, from the visitor's keyboard to the editors' list."""

from __future__ import annotations

from typing import Any

from conftest import Site
from helpers import WIDGET, expect_bot_says, login_editor, messages, open_and_start, send
from playwright.sync_api import Locator, Page, expect
from test_accessibility import assert_no_serious

QUESTION = "Hvordan søker jeg dagpenger?"


def faq_answers(visitor: Page) -> list[dict[str, Any]]:
    """The bot's FAQ answers in the visitor's conversation, as the hub has them."""
    saved = visitor.evaluate("() => JSON.parse(localStorage.getItem('navchat:conversation'))")
    r = visitor.request.get(
        f"/api/conversations/{saved['id']}", headers={"Authorization": f"Bearer {saved['secret']}"}
    )
    assert r.ok, r.text()
    return [m for m in r.json()["messages"] if m["sender"] == "bot" and m["faq_id"]]


def votes(page: Page) -> dict[str, tuple[int, int]]:
    """Yes and no per answer, from the editors' API (the page's login cookie)."""
    r = page.request.get("/api/advisor/unanswered?days=1")
    assert r.ok, r.text()
    return {a["id"]: (a["yes"], a["no"]) for a in r.json()["answers"]}


def feedback_of(answer: Locator) -> Locator:
    return answer.get_by_role("group", name="Var svaret nyttig?")


def test_feedback_buttons_feed_the_editors_list(visitor: Page, advisor: Page, site: Site) -> None:
    login_editor(advisor, site.editor_user, site.advisor_password, site.base_url)
    before = votes(advisor)

    open_and_start(visitor)
    expect(messages(visitor, "bot").first.get_by_test_id("feedback")).to_have_count(0)  # the welcome
    send(visitor, QUESTION)
    expect_bot_says(visitor, "arbeidssøker")
    answer = messages(visitor, "bot").filter(has_text="arbeidssøker").first
    group = feedback_of(answer)
    expect(group).to_be_visible()
    assert_no_serious(visitor, "the widget with 'Var svaret nyttig?'")

    # Keyboard only: Tab from "Ja" to "Nei", Enter. The thank-you takes the focus, inside the
    # log (a polite live region), and the buttons are gone: sent once.
    group.get_by_role("button", name="Ja, svaret var nyttig").focus()
    visitor.keyboard.press("Tab")
    no = group.get_by_role("button", name="Nei, svaret var ikke nyttig")
    expect(no).to_be_focused()
    visitor.keyboard.press("Enter")
    thanks = answer.get_by_text("Takk for svaret!")
    expect(thanks).to_be_focused()
    assert thanks.evaluate("el => el.closest('[aria-live]')?.getAttribute('aria-live')") == "polite"
    expect(answer.locator(".feedback button")).to_have_count(0)

    # A second answer, reached by the bot's own suggestions, gets a "Ja".
    send(visitor, "jeg har et spørsmål om en ytelse")
    expect(messages(visitor, "bot").last).to_contain_text("Mente du", timeout=60_000)
    count = messages(visitor, "bot").count()
    messages(visitor, "bot").last.locator(".choices button").first.click()
    expect(messages(visitor, "bot")).to_have_count(count + 1, timeout=60_000)
    second = messages(visitor, "bot").last
    feedback_of(second).get_by_role("button", name="Ja, svaret var nyttig").click()
    expect(second.get_by_text("Takk for svaret!")).to_be_visible()

    wrong, helped = faq_answers(visitor)
    # The hub takes each answer's vote once.
    saved = visitor.evaluate("() => JSON.parse(localStorage.getItem('navchat:conversation'))")
    again = visitor.request.post(
        f"/api/conversations/{saved['id']}/messages/{wrong['id']}/feedback",
        headers={"Authorization": f"Bearer {saved['secret']}"},
        data={"value": "ja"},
    )
    assert again.status == 409
    # After a reload the answers still say thank you, with no buttons to press again.
    visitor.reload()
    expect(
        messages(visitor, "bot").filter(has_text="arbeidssøker").first.get_by_text("Takk for svaret!")
    ).to_be_visible()
    expect(visitor.locator(f"{WIDGET} .feedback button")).to_have_count(0)

    # The editors' list: the question with "Svaret var feil eller hjalp ikke" and the answer it got.
    after = votes(advisor)
    was = {k: before.get(k, (0, 0)) for k in (wrong["faq_id"], helped["faq_id"])}
    assert after[wrong["faq_id"]][1] == was[wrong["faq_id"]][1] + 1
    assert after[helped["faq_id"]][0] == was[helped["faq_id"]][0] + 1
    advisor.goto("/veileder/ubesvart")
    row = (
        advisor.get_by_test_id("question")
        .filter(has_text=QUESTION)
        .filter(has_text="Svaret var feil eller hjalp ikke")
    )
    expect(row.first).to_be_visible()
    title = next(
        a["title"]
        for a in advisor.request.get("/api/advisor/unanswered?days=1").json()["answers"]
        if a["id"] == wrong["faq_id"]
    )
    expect(row.first).to_contain_text(title)
    counts = advisor.locator(f'[data-testid="answer-votes"][data-faq="{wrong["faq_id"]}"]')
    expect(counts).to_contain_text(title)
    expect(counts.get_by_test_id("no")).to_have_text(str(after[wrong["faq_id"]][1]))
    expect(counts.get_by_test_id("yes")).to_have_text(str(after[wrong["faq_id"]][0]))
    assert_no_serious(advisor, "the editors' list with the answers' votes")

    link = advisor.get_by_test_id("csv-answers")
    expect(link).to_have_attribute("href", "/api/advisor/unanswered?days=30&format=csv&list=answers")
    csv = advisor.request.get(link.get_attribute("href") or "").text()
    assert f"{title};{wrong['faq_id']};{after[wrong['faq_id']][0]};{after[wrong['faq_id']][1]}" in csv
    questions = advisor.request.get("/api/advisor/unanswered?days=30&format=csv").text()
    assert any(QUESTION in line and title in line.split(";")[-1] for line in questions.splitlines())
