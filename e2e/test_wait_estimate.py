"""The wait a queued visitor is told counts the advisors' free seats: one advisor who takes
5 chats at once has a seat for each of the first 5 in line."""

from __future__ import annotations

import re

from conftest import Site
from helpers import WIDGET, login_advisor, open_and_start
from hub_api import hub_api
from playwright.sync_api import Page, expect


def test_the_sixth_in_line_with_one_advisor_of_five_seats_is_told_minutes_not_half_an_hour(
    visitor: Page, advisor: Page, site: Site
) -> None:
    with hub_api(site) as hub:
        login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
        for n in range(5):
            hub.visitor(f"Jeg venter i kø, nummer {n + 1}")
        open_and_start(visitor)
        visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
        position = visitor.get_by_test_id("queue-position")
        expect(position).to_have_text(re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000)
        wait = visitor.locator(f"{WIDGET} .queue p")
        expect(wait).to_contain_text(re.compile(r"Forventet ventetid er omtrent \d+ minutt"))
        told = int(re.search(r"omtrent (\d+) minutt", wait.inner_text()).group(1))  # type: ignore[union-attr]
        # 5 ahead and 5 seats (fewer if a chat is still open): a chat must end first, one of 5
        # of about 6 minutes. The old estimate, (place - 1) / advisors + ½ chats, said 33.
        assert 1 <= told <= 6, told
        visitor.get_by_role("button", name="Forlat køen").click()
