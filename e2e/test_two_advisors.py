"""Two advisors at work at once: both claim the same chat at the same moment (one gets it,
the other is told), and one hands a chat over to the other through a queue."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from conftest import DESKTOP, Site
from helpers import login_advisor
from hub_api import hub_api
from playwright.sync_api import Browser, Page, expect


@pytest.fixture
def second_advisor(browser: Browser, site: Site) -> Iterator[Page]:
    ctx = browser.new_context(
        base_url=site.base_url, viewport=DESKTOP, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors on the second advisor's console: {errors}"


def claim_at(page: Page, conversation_id: str, at_ms: float) -> None:
    """Click "Ta samtalen" at the wall-clock time ``at_ms`` (both pages share the clock)."""
    page.evaluate(
        """([id, at]) => setTimeout(() => {
             document.querySelector(`[data-claim="${id}"]`)?.click();
           }, Math.max(0, at - Date.now()))""",
        [conversation_id, at_ms],
    )


def test_two_advisors_claim_the_same_chat_at_once_one_gets_it_and_the_other_is_told(
    advisor: Page, second_advisor: Page, site: Site
) -> None:
    kari, per = advisor, second_advisor
    with hub_api(site) as hub:
        login_advisor(kari, site.advisor_user, site.advisor_password, site.advisor_name)
        login_advisor(per, site.second_advisor_user, site.advisor_password, site.second_advisor_name)
        v = hub.visitor("Jeg trenger hjelp med søknaden om dagpenger")
        for page in (kari, per):
            expect(page.locator(f'[data-claim="{v.id}"]')).to_be_visible()
        at = time.time() * 1000 + 1500
        claim_at(kari, v.id, at)
        claim_at(per, v.id, at)

        told = "Du fikk ikke samtalen. En annen veileder tok den før deg."
        panels = [page.locator(f'#chat-panel[data-conversation="{v.id}"]') for page in (kari, per)]
        notices = [page.get_by_role("region", name="Køer").get_by_role("alert") for page in (kari, per)]
        deadline = time.time() + 20
        while time.time() < deadline and not any(p.count() for p in panels):
            time.sleep(0.2)
        winner = 0 if panels[0].count() else 1
        loser = 1 - winner
        expect(panels[winner]).to_contain_text("Jeg trenger hjelp med søknaden om dagpenger")
        expect(notices[loser]).to_contain_text(told)
        expect(panels[loser]).to_have_count(0)
        expect(notices[winner]).to_have_count(0)
        # The visitor has exactly one advisor, and was told so once.
        state = hub.state(v)
        assert state["owner"] == "advisor"
        joined = [
            m for m in state["messages"] if m["sender"] == "system" and "har tatt over samtalen" in m["text"]
        ]
        assert len(joined) == 1
        # The loser's queue no longer offers it.
        expect((kari, per)[loser].locator(f'[data-claim="{v.id}"]')).to_have_count(0)
        (kari, per)[winner].get_by_role("button", name="Avslutt samtalen").click()
        expect(panels[winner]).to_contain_text("Du har avsluttet chatten.")
        per.get_by_role("button", name="Logg ut").click()


def test_an_advisor_transfers_a_chat_and_the_other_takes_it_with_the_whole_conversation(
    advisor: Page, second_advisor: Page, site: Site
) -> None:
    kari, per = advisor, second_advisor
    with hub_api(site) as hub:
        login_advisor(kari, site.advisor_user, site.advisor_password, site.advisor_name)
        login_advisor(per, site.second_advisor_user, site.advisor_password, site.second_advisor_name)
        v = hub.visitor("Jeg er syk og lurer på sykepenger", topic="arbeid")
        kari.locator(f'[data-claim="{v.id}"]').click()
        reply = kari.get_by_label("Svar til brukeren")
        reply.fill("Dette tar en kollega som kan sykepenger.")
        reply.press("Enter")
        kari_log = kari.get_by_role("log", name="Samtalen")
        expect(kari_log).to_contain_text("Dette tar en kollega som kan sykepenger.")
        kari.get_by_label("Overfør til kø").select_option("helse")
        kari.get_by_role("button", name="Overfør", exact=True).click()
        expect(kari.locator("#chat-panel")).to_contain_text("Samtalen er overført til køen Helse og sykdom.")

        # Per sees it in the Helse queue and takes it, with all that was said before.
        item = per.locator(f'.waiting__item[data-conversation="{v.id}"]')
        expect(item).to_have_attribute("data-topic", "helse")
        item.get_by_role("button", name=re.compile("^Ta samtalen")).click()
        per_log = per.get_by_role("log", name="Samtalen")
        expect(per_log).to_contain_text("Jeg er syk og lurer på sykepenger")
        expect(per_log).to_contain_text("Dette tar en kollega som kan sykepenger.")
        per.get_by_label("Svar til brukeren").fill("Hei, jeg heter Per. Jeg hjelper deg med sykepengene.")
        per.get_by_label("Svar til brukeren").press("Enter")
        expect(per_log).to_contain_text("Jeg hjelper deg med sykepengene.")
        state = hub.state(v)
        assert state["owner"] == "advisor"
        names = [m.get("advisor_name") for m in state["messages"] if m["sender"] == "advisor"]
        assert names == [site.advisor_name, site.second_advisor_name]
        # Kari can no longer write in it.
        expect(kari.get_by_label("Svar til brukeren")).to_have_count(0)
        per.get_by_role("button", name="Avslutt samtalen").click()
        expect(per.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
        per.get_by_role("button", name="Logg ut").click()
