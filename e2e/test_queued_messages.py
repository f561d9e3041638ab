"""A message the visitor writes while waiting in the queue is acknowledged to them, and the
advisor who takes the chat sees it marked as new."""

from __future__ import annotations

import re

from conftest import Site
from helpers import login_advisor, messages, open_and_start, queue_item, send
from playwright.sync_api import Page, expect

ACK = "Vi har fått meldingen din. Veilederen ser den når samtalen starter."


def test_a_message_written_in_the_queue_is_acknowledged_and_marked_new_for_the_advisor(
    visitor: Page, advisor: Page, site: Site
) -> None:
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )
    send(visitor, "Jeg glemte å si at jeg er permittert.")
    expect(messages(visitor, "system").filter(has_text=ACK)).to_have_count(1)
    send(visitor, "Fra 1. desember.")
    visitor.wait_for_timeout(1000)
    expect(messages(visitor, "system").filter(has_text=ACK)).to_have_count(1)  # once for the run

    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    log = advisor.get_by_role("log", name="Samtalen")
    fresh = log.locator("li[data-id]").filter(has=advisor.locator(".msg__fresh"))
    expect(fresh).to_have_count(2)
    expect(fresh.first).to_contain_text("Jeg glemte å si at jeg er permittert.")
    expect(fresh.first).to_contain_text("Ny, ikke besvart")
    expect(fresh.last).to_contain_text("Fra 1. desember.")
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
