"""The widget's English/Norsk switch and English answers, against the real stack."""

from __future__ import annotations

from helpers import WIDGET, expect_bot_says, open_and_start, send
from playwright.sync_api import Page, expect


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
