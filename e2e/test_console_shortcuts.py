"""The console's keyboard shortcuts for the frequent actions, listed in the console."""

from __future__ import annotations

from conftest import Site
from helpers import login_advisor
from hub_api import hub_api
from playwright.sync_api import Page, expect


def test_the_advisor_takes_answers_and_ends_a_chat_with_the_keyboard_only(advisor: Page, site: Site) -> None:
    with hub_api(site) as hub:
        login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
        hub.visitor("Jeg har et spørsmål om barnetrygd", topic="familie")
        urgent = hub.urgent_visitor("Jeg har ikke penger til husleia", topic="generell")
        expect(advisor.locator(f'[data-claim="{urgent.id}"]')).to_be_visible()

        advisor.get_by_text("Hurtigtaster").click()
        listed = advisor.locator(".shortcuts dl")
        expect(listed).to_contain_text("Alt + N")
        expect(listed).to_contain_text("Ta neste samtale")
        expect(listed).to_contain_text("Alt + A")

        advisor.keyboard.press("Alt+n")  # the urgent one first
        panel = advisor.locator(f'#chat-panel[data-conversation="{urgent.id}"]')
        expect(panel).to_contain_text("Jeg har ikke penger til husleia")
        reply = advisor.get_by_label("Svar til brukeren")
        expect(reply).to_be_focused()
        advisor.keyboard.type("Hei, jeg hjelper deg nå.")
        advisor.keyboard.press("Enter")
        expect(advisor.get_by_role("log", name="Samtalen")).to_contain_text("Hei, jeg hjelper deg nå.")
        advisor.keyboard.press("Alt+a")
        expect(panel).to_contain_text("Du har avsluttet chatten.")
        assert hub.state(urgent)["owner"] == "closed"
