"""An urgent chat comes first in the console whatever its topic, above the fold."""

from __future__ import annotations

from conftest import Site
from helpers import login_advisor
from hub_api import hub_api
from playwright.sync_api import Page, expect


def test_an_urgent_chat_in_the_last_topic_is_listed_first_and_on_screen(advisor: Page, site: Site) -> None:
    with hub_api(site) as hub:
        login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
        # Chats that can wait in the first topic, an urgent one in the last ("Generelt").
        calm = [
            hub.visitor(f"Jeg har et spørsmål om meldekortet, nummer {n}", topic="arbeid") for n in range(5)
        ]
        urgent = hub.urgent_visitor("Jeg har ikke penger til mat i dag", topic="generell")
        items = advisor.locator(".queue-list .waiting__item")
        expect(items.filter(has=advisor.locator(f'[data-claim="{calm[-1].id}"]'))).to_have_count(1)
        first = items.first
        expect(first).to_have_attribute("data-conversation", urgent.id)
        expect(first).to_contain_text("Haster")
        expect(first).to_contain_text("Generelt")  # its topic, said where it is listed
        expect(
            first.get_by_role("button", name="Ta samtalen: Jeg har ikke penger til mat i dag")
        ).to_be_in_viewport()
        # Listed once, not again under its topic.
        expect(advisor.locator(f'[data-claim="{urgent.id}"]')).to_have_count(1)
        expect(advisor.get_by_role("heading", name="Haster")).to_be_visible()
