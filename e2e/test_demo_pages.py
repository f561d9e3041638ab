"""The demo site's pages (`/?side=…`) each show their own text, not the Dagpenger page's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


def test_the_sykepenger_page_shows_sykepenger_text_and_no_dagpenger_text(visitor: Page) -> None:
    visitor.goto("/?side=sykepenger")
    article = visitor.locator("article.content")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Sykepenger")
    expect(article).to_contain_text("Du er sykmeldt av lege.")
    expect(article).not_to_contain_text("dagpenger", ignore_case=True)
    expect(article).not_to_contain_text("arbeidsledig")
    expect(visitor).to_have_title("Sykepenger – demoside for Nav-chat")


@pytest.mark.parametrize("side", ["barnetrygd", "meldekort", "arbeidsgiver", "samarbeid", "logg-inn"])
def test_no_other_demo_page_shows_the_dagpenger_lists(visitor: Page, side: str) -> None:
    visitor.goto(f"/?side={side}")
    article = visitor.locator("article.content")
    expect(article).not_to_contain_text("Du har mistet arbeidsinntekt og arbeidstid.")
    expect(article).not_to_contain_text("Du kan ikke få dagpenger for dagene før du søker.")


def test_the_front_page_is_still_the_dagpenger_page(visitor: Page) -> None:
    visitor.goto("/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Dagpenger")
    expect(visitor.locator("article.content")).to_contain_text("Du har mistet arbeidsinntekt og arbeidstid.")
