"""Claims the hub refuses are told to the advisor, and the message stays until it is read."""

from __future__ import annotations

import re

from conftest import Site
from helpers import login_advisor
from hub_api import hub_api
from playwright.sync_api import Page, expect

LIMIT = 5  # the stack's advisors take 5 chats at a time


def claim_button(page: Page, conversation_id: str):  # type: ignore[no-untyped-def]
    item = page.locator(f'.waiting__item[data-conversation="{conversation_id}"]')
    return item.get_by_role("button", name=re.compile("^Ta samtalen"))


def test_a_claim_over_the_chat_limit_is_told_and_the_message_stays_until_closed(
    advisor: Page, site: Site
) -> None:
    with hub_api(site) as hub:
        login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
        token = hub.login(site.advisor_user)  # the same advisor, a second login (as a script)
        for n in range(LIMIT):
            v = hub.visitor(f"Fullt hus nummer {n + 1}")
            assert hub.claim(token, v).status_code == 200
        extra = hub.visitor("Jeg venter på en veileder")
        claim_button(advisor, extra.id).click()

        notice = advisor.get_by_role("region", name="Køer").get_by_role("alert")
        expect(notice).to_contain_text("Du fikk ikke samtalen")
        expect(notice).to_contain_text(f"Du kan ha {LIMIT} samtaler samtidig")
        # The queues are drawn again (a new visitor arrives): the message is still there.
        later = hub.visitor("Jeg kom etterpå")
        expect(advisor.locator(f'.waiting__item[data-conversation="{later.id}"]')).to_be_visible()
        advisor.wait_for_timeout(4000)  # and after the next poll and `queues` frame
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Du fikk ikke samtalen")
        # Until the advisor closes it.
        notice.get_by_role("button", name="Lukk meldingen").click()
        expect(notice).to_have_count(0)
        expect(advisor.get_by_role("region", name="Køer")).to_be_focused()
        # The visitor still waits.
        assert hub.state(extra)["owner"] == "queue"
        hub.logout(token)
