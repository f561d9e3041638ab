"""The advisor console notices a message event it never got: the hub's `chats` frame (every
HUB_WS_POLL_SECONDS, 3 s in the test stack) names each open chat's newest message, and the
console reads the chat again. The messages already in the log stay the same nodes (a live
region reads additions: a message taken out and put back would be read again)."""

from __future__ import annotations

import re

from conftest import Site
from helpers import WIDGET, login_advisor, open_and_start, queue_item, send
from playwright.sync_api import Page, expect

# Wraps the console's WebSocket handler: while window.__dropMessages is true, `message`
# frames are thrown away (as when the hub dropped them for a slow socket); every frame's
# type is counted in window.__frames.
DROP_MESSAGE_FRAMES = """
(() => {
  const own = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage");
  window.__dropMessages = false;
  window.__dropped = 0;
  window.__frames = {};
  Object.defineProperty(WebSocket.prototype, "onmessage", {
    configurable: true,
    get() { return own.get.call(this); },
    set(handler) {
      own.set.call(this, handler && function (ev) {
        let type = "";
        try { type = JSON.parse(ev.data).type; } catch (e) {}
        window.__frames[type] = (window.__frames[type] || 0) + 1;
        if (type === "message" && window.__dropMessages) { window.__dropped++; return; }
        return handler.call(this, ev);
      });
    },
  });
})();
"""


def test_a_lost_message_event_is_caught_up_by_the_next_chats_frame(
    visitor: Page, advisor: Page, site: Site
) -> None:
    advisor.add_init_script(DROP_MESSAGE_FRAMES)
    login_advisor(advisor, site.advisor_user, site.advisor_password, site.advisor_name)
    open_and_start(visitor)
    visitor.get_by_role("button", name="Snakk med en veileder", exact=True).click()
    expect(visitor.get_by_test_id("queue-position")).to_have_text(
        re.compile(r"Du er nummer \d+ i køen\."), timeout=60_000
    )
    queue_item(advisor, visitor).get_by_role("button", name=re.compile("^Ta samtalen")).click()
    expect(visitor.locator(f"{WIDGET} .panel__status")).to_have_text("Du chatter med en veileder")
    log = advisor.get_by_role("log", name="Samtalen")
    reply = advisor.get_by_label("Svar til brukeren")
    reply.fill("Hei, hva kan jeg hjelpe deg med?")
    reply.press("Enter")
    expect(log).to_contain_text("Hei, hva kan jeg hjelpe deg med?")

    # Mark the nodes on screen, then lose every message event from here on.
    shown = advisor.evaluate(
        """() => {
          const items = [...document.querySelectorAll('#chat-log li[data-id]')];
          items.forEach((el) => { el.__before = true; });
          return items.map((el) => Number(el.dataset.id));
        }"""
    )
    assert shown, "the log shows the conversation so far"
    reads: list[str] = []
    advisor.on("request", lambda r: reads.append(r.url) if r.method == "GET" else None)
    advisor.evaluate("() => { window.__dropMessages = true; }")
    missed = "Jeg lurer på når dagpengene kommer."
    send(visitor, missed)
    advisor.wait_for_function("() => window.__dropped >= 1")
    expect(log).not_to_contain_text(missed)
    chats_frames = advisor.evaluate("() => window.__frames.chats || 0")

    # The next `chats` frame says there is a newer message: the console reads the chat again.
    expect(log.locator("li[data-id]").filter(has_text=missed)).to_have_count(1, timeout=15_000)
    assert any(re.search(r"/api/advisor/conversations/c_[^/?]+$", url) for url in reads)
    assert advisor.evaluate("() => window.__frames.chats || 0") > chats_frames
    after = advisor.evaluate(
        """() => [...document.querySelectorAll('#chat-log li[data-id]')].map((el) => ({
          id: Number(el.dataset.id), before: el.__before === true }))"""
    )
    ids = [m["id"] for m in after]
    assert ids == sorted(set(ids)), "in order, each message once"
    # The messages shown before are the very same nodes (not drawn again) …
    assert [m["id"] for m in after if m["before"]] == shown
    # … and the only new node is the missed message.
    assert len(after) == len(shown) + 1

    # A later `chats` frame changes nothing more; events get through again and are not doubled.
    advisor.evaluate("() => { window.__dropMessages = false; }")
    send(visitor, "Takk for hjelpen.")
    expect(log).to_contain_text("Takk for hjelpen.")
    advisor.wait_for_function(f"() => (window.__frames.chats || 0) > {chats_frames + 1}")
    expect(log.locator("li[data-id]")).to_have_count(len(shown) + 2)
    expect(log.locator("li[data-id]").filter(has_text=missed)).to_have_count(1)
    advisor.get_by_role("button", name="Avslutt samtalen").click()
    expect(advisor.locator("#chat-panel")).to_contain_text("Du har avsluttet chatten.")
