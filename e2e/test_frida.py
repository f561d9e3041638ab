"""Nav's own widget, @navikt/nav-chatbot 2.5.13 unchanged, on the hub's /frida page against its
boost.ai API (POST /api/chat/v2): consent, a bot answer with a link, thumbs, a bot answer with a
button, the button to a person, the queue, an advisor (the console in another browser context)
claiming, typing and writing both ways, a reload in the middle (RESUME, nothing lost or doubled),
the advisor ending, the transcript, the rating and the end (STOP)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import httpx
from conftest import Site, shot
from helpers import login_advisor
from hub.rules import texts
from playwright.sync_api import Locator, Page, Request, expect

API = "/api/chat/v2"
CONVERSATION_COOKIE = "nav-chatbot%3Aconversation"


def key_of(visitor: Page) -> str:
    """The widget's conversation id (the hub's id and secret), from its cookie."""
    cookies = {c["name"]: c["value"] for c in visitor.context.cookies()}
    return unquote(cookies[CONVERSATION_COOKIE])


def message_box(visitor: Page) -> Locator:
    return visitor.locator("#nav-chatbot textarea")


def send(visitor: Page, text: str) -> None:
    box = message_box(visitor)
    box.fill(text)
    box.press("Enter")


def test_frida_against_the_hub(visitor: Page, advisor: Page, site: Site) -> None:
    commands: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(API) and request.post_data:
            body = json.loads(request.post_data)
            commands.append(body["command"] + ("/" + body["type"] if "type" in body else ""))

    visitor.on("request", record)
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)

    # Consent (the widget's own dialog), then START and the bot's welcome.
    page = visitor.goto("/frida")
    assert page is not None and page.status == 200
    # Only this page lets the widget's styled-components write inline styles.
    csp = page.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in (visitor.request.get("/").headers["content-security-policy"])
    visitor.locator("#chatbot-frida-knapp").click()
    visitor.get_by_role("button", name="Ja, jeg forstår").click()
    chat = visitor.locator("#nav-chatbot")
    log = chat.locator('[role="log"]')
    expect(log).to_contain_text("Jeg er Navs chatbot, ikke et menneske", timeout=60_000)
    assert commands[:1] == ["START"]

    # An FAQ answer: its address is a link that opens a new tab; thumbs up is stored.
    send(visitor, "hvor mye får jeg i dagpenger")
    link = log.locator('a[href="https://www.nav.no/dagpenger"]')
    expect(link).to_be_visible(timeout=60_000)
    expect(link).to_have_attribute("target", "_blank")
    with visitor.expect_response(lambda r: r.url.endswith(API)) as voted:
        chat.get_by_role("button", name="Gi tommel opp til dette svaret").last.click()
    assert voted.value.status == 200, voted.value.text()
    shot(visitor, "frida-answer-desktop")

    # A bot answer with a button; the button asks for a person, the visitor waits in the queue.
    send(visitor, "er du en robot")
    expect(log).to_contain_text("Jeg er en chatbot, ikke et menneske", timeout=60_000)
    button = log.locator("label", has_text="Snakk med en veileder").last
    expect(button).to_be_visible()
    button.click()
    expect(chat).to_contain_text("Venter på ledig veileder...", timeout=60_000)
    expect(log).to_contain_text(re.compile(r"Du er (nestemann|nummer \d+) i køen"))
    assert "POST/action_link" in commands
    shot(visitor, "frida-queue-desktop")

    # The advisor sees an ordinary conversation in the queue and takes it.
    conversation_id = key_of(visitor).split(".", 1)[0]
    item = advisor.locator(f'.waiting__item[data-conversation="{conversation_id}"]')
    expect(item).to_be_visible()
    expect(item).to_contain_text("hvor mye får jeg i dagpenger")
    item.get_by_role("button", name=re.compile("^Ta samtalen")).click()
    console_log = advisor.get_by_role("log", name="Samtalen")
    expect(console_log).to_contain_text("er du en robot")
    expect(chat).not_to_contain_text("Venter på ledig veileder...", timeout=30_000)

    # Advisor → visitor: typing first, then the message (a person's bubble, "NAV sier").
    reply = advisor.get_by_label("Svar til brukeren")
    reply.fill("Hei")
    expect(chat).to_contain_text("NAV skriver...", timeout=15_000)
    reply.fill(f"Hei, jeg heter {site.advisor_name}. Hva lurer du på om dagpengene?")
    reply.press("Enter")
    expect(log).to_contain_text("Hva lurer du på om dagpengene?", timeout=15_000)
    expect(chat).not_to_contain_text("NAV skriver...")

    # Visitor → advisor: typing shown in the console, then the message.
    # Typed as a person types: the widget sends TYPING on a keystroke at least 2 s after
    # its last check, which any re-render makes.
    box = message_box(visitor)
    box.press_sequentially("Jeg lurer på", delay=300)
    expect(advisor.get_by_test_id("visitor-typing")).to_be_visible(timeout=15_000)
    box.fill("Jeg lurer på når pengene kommer.")
    box.press("Enter")
    expect(console_log).to_contain_text("Jeg lurer på når pengene kommer.")
    # Its pending bubble ("Sender...", outside the log) goes when a poll brings it back.
    expect(chat).not_to_contain_text("Sender...", timeout=15_000)
    expect(log).to_contain_text("Sendt")
    shot(visitor, "frida-advisor-desktop")

    # A reload in the middle: RESUME brings back every response, once.
    groups = log.locator('[role="document"]')
    before = groups.all_inner_texts()
    resumes = commands.count("RESUME")
    visitor.reload()
    chat = visitor.locator("#nav-chatbot")
    log = chat.locator('[role="log"]')
    groups = log.locator('[role="document"]')
    expect(log).to_contain_text("Hva lurer du på om dagpengene?")
    visitor.wait_for_timeout(3000)  # RESUME answered, and a poll after it
    assert groups.all_inner_texts() == before
    assert commands.count("RESUME") > resumes
    expect(log.get_by_text("Jeg lurer på når pengene kommer.", exact=True)).to_have_count(1)

    # The chat goes on after the reload, and the advisor ends it.
    send(visitor, "Takk for hjelpen!")
    expect(console_log).to_contain_text("Takk for hjelpen!")
    advisor.get_by_label("Utfall").select_option("besvart")
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(log).to_contain_text(texts.ADVISOR_ENDED, timeout=30_000)

    # The visitor ends too: the transcript, the rating, STOP.
    key = key_of(visitor)
    chat.get_by_role("button", name="Avslutt chat").click()
    with visitor.expect_download() as info:
        chat.get_by_role("button", name="Last ned samtalen").click()
    transcript = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Du: Jeg lurer på når pengene kommer." in transcript
    assert f"{site.advisor_name}: Hei, jeg heter {site.advisor_name}." in transcript
    chat.get_by_role("button", name="Ja, avslutt").click()
    chat.locator("label", has_text=re.compile(r"^Ja$")).first.click()
    shot(visitor, "frida-rating-desktop")
    chat.get_by_role("button", name="Send inn").click()
    expect(chat.locator('[role="log"]')).to_have_count(0)
    visitor.wait_for_timeout(500)
    assert commands[-2:] == ["FEEDBACK", "STOP"] or commands[-3:-1] == ["FEEDBACK", "STOP"]
    assert "DOWNLOAD" in commands and "TYPING" in commands and "POST/feedback" in commands

    # What the hub kept: the rating, the conversation closed.
    conversation_id, secret = key.split(".", 1)
    state = httpx.get(
        f"{site.base_url}/api/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {secret}"},
    ).json()
    assert state["owner"] == "closed" and state["rating"] == "ja"
