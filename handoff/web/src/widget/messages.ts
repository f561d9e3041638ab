// The widget's message list: one <li> per message, answer choices under the bot's newest turn,
// and "Var svaret nyttig?" under an FAQ answer.

import { append, h, icon } from "../shared/dom";
import { infoIcon, personIcon, robotIcon } from "../shared/icons";
import { clock, renderText, renderVisitorText } from "../shared/text";
import type { ChatButton, Message } from "../shared/types";
import { feedbackBox, type VoteResult } from "./feedback";
import { lastVisitorId, senderLabels, showsChoices, sortedMessages, type WidgetState } from "./state";
import type { Vote } from "./storage";
import { textsFor, type WidgetTexts } from "./texts";

// Space kept above a reply scrolled to its start, so the visitor's message still peeks out.
const REPLY_TOP_GAP = 12;

export interface MessageActions {
  choose: (b: ChatButton) => void;
  vote: (messageId: number, vote: Vote) => Promise<VoteResult>;
}

/**
 * Bring the message list up to date. Items already in the log stay (the log is a live region
 * that reads additions: an item taken out and put back would be read again); only the answer
 * choices under a message come and go, and new messages are added.
 */
export function renderLog(log: HTMLOListElement, state: WidgetState, on: MessageActions): void {
  const t = textsFor(state.language);
  const list = sortedMessages(state.messages);
  const lastVisitor = lastVisitorId(list);
  const existing = new Map<string, HTMLLIElement>();
  for (const li of Array.from(log.children) as HTMLLIElement[]) {
    if (li.dataset.id) existing.set(li.dataset.id, li);
  }
  let prev: Element | null = null;
  for (const m of list) {
    const showChoices = showsChoices(m, lastVisitor, state.owner, state.footer);
    const key = String(m.id);
    let li = existing.get(key);
    if (li) {
      if (li.dataset.choices !== String(showChoices)) setChoices(li, m, showChoices, on, t);
    } else {
      li = messageItem(m, showChoices, state.votes.get(m.id), on, t);
      if (prev) prev.after(li);
      else log.prepend(li);
    }
    existing.delete(key);
    prev = li;
  }
  for (const li of existing.values()) li.remove();
}

function setChoices(li: HTMLLIElement, m: Message, show: boolean, on: MessageActions, t: WidgetTexts): void {
  li.dataset.choices = String(show);
  const current = li.querySelector(":scope > .choices");
  if (show && !current) append(li, [choices(m.buttons ?? [], on, t)]);
  else if (!show) current?.remove();
}

function messageItem(m: Message, showChoices: boolean, vote: Vote | undefined, on: MessageActions, t: WidgetTexts): HTMLLIElement {
  const li = h("li", { "data-id": m.id, "data-sender": m.sender, "data-choices": String(showChoices) });
  const time = clock(m.created_at);
  if (m.sender === "system") {
    append(li, [
      // A notice may quote the visitor ("answer lost"): plain text, no markup and no links,
      // or a visitor's link would come with Nav's name on it.
      h("div", { class: "msg-system" }, icon(infoIcon), h("p", null, h("span", { class: "sr-only" }, t.fromNav), m.text)),
    ]);
    if (showChoices) append(li, [choices(m.buttons ?? [], on, t)]);
    return li;
  }
  const { who, spoken } = senderLabels(m, t);
  const top = h(
    "p",
    { class: "aksel-chat__top-text", "aria-hidden": "true" },
    h("span", null, who),
    m.sender === "advisor" ? h("span", { class: "aksel-tag aksel-tag--xsmall", "data-variant": "moderate", "data-color": "brand-beige" }, t.advisorTag) : null,
    time ? h("span", null, time) : null,
  );
  const bubble = h(
    "div",
    { class: "aksel-chat__bubble" },
    h("div", { class: "text" }, h("span", { class: "sr-only" }, spoken), m.sender === "visitor" ? renderVisitorText(m.text) : renderText(m.text)),
  );
  const row = h(
    "div",
    { class: `aksel-chat msg-${m.sender}${m.sender === "visitor" ? " aksel-chat--right" : ""}`, "data-color": m.sender === "visitor" ? "accent" : "neutral" },
    m.sender === "visitor" ? null : h("div", { class: "aksel-chat__avatar", "aria-hidden": "true" }, icon(m.sender === "bot" ? robotIcon : personIcon)),
    h("div", { class: "aksel-chat__bubble-wrapper" }, top, bubble),
  );
  if (m.text.trim()) li.appendChild(row);
  if (m.sender === "bot" && m.faq_id && m.text.trim()) {
    li.appendChild(feedbackBox(m.id, vote, on.vote, t));
  }
  if (showChoices) append(li, [choices(m.buttons ?? [], on, t)]);
  return li;
}

function choices(buttons: ChatButton[], on: MessageActions, t: WidgetTexts): HTMLElement | null {
  if (buttons.length === 0) return null;
  return h(
    "ul",
    { class: "choices", "aria-label": t.choicesLabel },
    buttons.map((b) =>
      h(
        "li",
        null,
        h(
          "button",
          { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => on.choose(b) },
          h("span", null, b.title),
        ),
      ),
    ),
  );
}

/**
 * To the end, but not past the start of the bot's reply to the visitor's last message:
 * a reply taller than the panel (the emergency numbers before the suggestions) is read
 * from its first line, not from its last. An advisor's messages always show the newest.
 */
export function scrollToNewest(body: HTMLElement, log: HTMLElement, messages: Map<number, Message>): void {
  const list = sortedMessages(messages);
  const lastVisitor = lastVisitorId(list);
  const replies = list.filter((m) => m.id > lastVisitor && m.sender !== "visitor");
  const first = replies[0];
  const li = first ? log.querySelector<HTMLElement>(`li[data-id="${first.id}"]`) : null;
  if (!li || replies.some((m) => m.sender === "advisor")) {
    body.scrollTop = body.scrollHeight;
    return;
  }
  const end = body.scrollHeight - body.clientHeight;
  const top = li.getBoundingClientRect().top - body.getBoundingClientRect().top + body.scrollTop;
  body.scrollTop = Math.max(0, Math.min(end, top - REPLY_TOP_GAP));
}
