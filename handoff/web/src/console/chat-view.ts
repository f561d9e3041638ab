// The advisor's open chats: a tab per chat, the active chat's log, the reply field, the answer
// bank (Svarbank) and the actions (transfer, end, hand back). Drawing only: what a click does
// is the controller's (ChatActions).

import { h, icon, setChildren } from "../shared/dom";
import { personIcon, robotIcon, searchIcon } from "../shared/icons";
import { clock, counterText, renderText, renderVisitorText, tooLongText } from "../shared/text";
import { maxMessageLength, topicName } from "../shared/settings";
import type { Message } from "../shared/types";
import { alertBox } from "./view";
import { type Chat, type ChatSummary, type Faq, faqExcerpt, OUTCOMES, reasonText, sortedMessages, tabText, withFaqAnswer } from "./state";

export interface ChatActions {
  select: (id: string) => void;
  closeTab: (id: string) => void;
  transfer: (chat: Chat, topic: string) => void;
  end: (chat: Chat, outcome: string) => void;
  handback: (chat: Chat) => void;
  /** Send a reply; the error to show, or null when it was sent. */
  reply: (chat: Chat, text: string) => Promise<string | null>;
  typing: (chat: Chat) => void;
  /** Search the answer bank for chat.faqQuery; false when the query changed meanwhile. */
  searchFaq: (chat: Chat) => Promise<boolean>;
  isActive: (id: string) => boolean;
  announce: (text: string) => void;
}

export class ChatArea {
  private faqTimer: number | undefined;

  constructor(
    readonly box: HTMLElement,
    private readonly on: ChatActions,
  ) {}

  renderEmpty(): void {
    setChildren(
      this.box,
      h(
        "div",
        { class: "empty" },
        h("h2", { class: "aksel-heading aksel-heading--small" }, "Du har ingen åpne samtaler"),
        h("p", null, "Ta en samtale fra køen til venstre. Du kan ha flere samtaler samtidig."),
      ),
    );
  }

  /** The tabs and the active chat, drawn again without taking focus (or the caret) away. */
  render(chats: Map<string, Chat>, active: Chat, topics: string[]): void {
    const tabs = this.tabList(chats, active.id);
    const focused = document.activeElement as HTMLElement | null;
    const focusId = focused && this.box.contains(focused) ? focused.id : "";
    const caret = focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement ? focused.selectionStart : null;
    this.saveDraft(chats);
    setChildren(this.box, tabs, this.chatPanel(active, topics));
    if (focusId) {
      const again = this.box.querySelector<HTMLElement>(`#${CSS.escape(focusId)}`);
      again?.focus();
      if (caret !== null && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
        again.setSelectionRange(caret, caret);
      }
    }
    this.scrollLog();
  }

  /** Only the tab row drawn again (titles, unread badges): the open chat's log and composer
   * stay as they are, so a screen reader does not hear the log again. False if there is none. */
  renderTabs(chats: Map<string, Chat>, active: string): boolean {
    const old = this.box.querySelector<HTMLElement>('[role="tablist"]');
    if (!old) return false;
    const focused = document.activeElement as HTMLElement | null;
    const focusId = focused && old.contains(focused) ? focused.id : "";
    const tabs = this.tabList(chats, active);
    old.replaceWith(tabs);
    if (focusId) tabs.querySelector<HTMLElement>(`#${CSS.escape(focusId)}`)?.focus();
    return true;
  }

  private tabList(chats: Map<string, Chat>, active: string): HTMLElement {
    const ids = [...chats.keys()];
    return h(
      "div",
      { class: "tabs", role: "tablist", "aria-label": "Mine samtaler" },
      ids.map((id, i) => {
        const c = chats.get(id) as Chat;
        const selected = id === active;
        return h(
          "button",
          {
            type: "button",
            role: "tab",
            id: `tab-${id}`,
            class: `tab${selected ? " tab--active" : ""}${c.owner !== "advisor" ? " tab--ended" : ""}`,
            "aria-selected": String(selected),
            "aria-controls": "chat-panel",
            tabindex: selected ? 0 : -1,
            "data-chat": id,
            onclick: () => this.on.select(id),
            onkeydown: (e: Event) => {
              const k = (e as KeyboardEvent).key;
              if (k === "ArrowRight" || k === "ArrowLeft") {
                const next = ids[(i + (k === "ArrowRight" ? 1 : ids.length - 1)) % ids.length];
                this.on.select(next);
                this.box.querySelector<HTMLElement>(`#tab-${CSS.escape(next)}`)?.focus();
              }
            },
          },
          h("span", { class: "tab__title" }, `${topicName(c.topic)}: ${tabText(c)}`),
          c.unread ? h("span", { class: "tab__badge", "aria-label": `${c.unread} nye` }, String(c.unread)) : null,
          c.owner !== "advisor" ? h("span", { class: "aksel-sr-only" }, " (avsluttet)") : null,
        );
      }),
    );
  }

  /** Keep what is written in the reply field with its chat. */
  saveDraft(chats: Map<string, Chat>): void {
    const ta = this.box.querySelector<HTMLTextAreaElement>("#reply");
    const id = ta?.closest<HTMLElement>("[data-conversation]")?.dataset.conversation;
    const chat = id ? chats.get(id) : undefined;
    if (chat && ta) chat.draft = ta.value;
  }

  private chatPanel(chat: Chat, topics: string[]): HTMLElement {
    const live = chat.owner === "advisor";
    const log = h("ol", { class: "log", id: "chat-log" });
    const typing = h("div", { class: "typing", id: "chat-typing", "aria-live": "polite" });
    const panel = h(
      "div",
      { class: "chat", id: "chat-panel", role: "tabpanel", "aria-labelledby": `tab-${chat.id}`, "data-conversation": chat.id },
      h(
        "div",
        { class: "chat__head" },
        h(
          "div",
          { class: "chat__title" },
          h("h2", { class: "aksel-heading aksel-heading--small" }, topicName(chat.topic)),
          h("span", { class: "aksel-tag aksel-tag--small", "data-variant": "moderate", "data-color": chat.reason === "urgent" ? "danger" : "info" }, reasonText(chat.reason)),
          h("span", { class: "chat__id" }, `Samtale ${chat.id}`),
        ),
        live ? this.actions(chat, topics) : h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => this.on.closeTab(chat.id) }, h("span", null, "Lukk samtalen")),
      ),
      chat.notice ? h("div", { role: "status" }, alertBox("info", chat.notice)) : null,
      live && chat.summary ? summaryBox(chat, chat.summary) : null,
      h("div", { class: "chat__body" }, h("div", { class: "chat__scroll", tabindex: 0, role: "group", "aria-label": "Meldinger i samtalen" }, h("div", { role: "log", "aria-label": "Samtalen", "aria-live": "polite" }, log), typing), live ? this.faqPanel(chat) : null),
      live ? this.composer(chat) : null,
    );
    this.fillLog(log, chat);
    this.fillTyping(typing, chat);
    return panel;
  }

  private fillLog(log: HTMLElement, chat: Chat): void {
    const list = sortedMessages(chat);
    const firstAdvisor = list.find((m) => m.sender === "advisor")?.id;
    const items: HTMLElement[] = [h("li", { class: "divider" }, h("span", null, "Samtalen med chatboten"))];
    for (const m of list) {
      if (m.id === firstAdvisor) items.push(h("li", { class: "divider divider--live" }, h("span", null, "Veileder i samtalen")));
      items.push(messageItem(m));
    }
    log.replaceChildren(...items);
  }

  private fillTyping(el: HTMLElement, chat: Chat): void {
    if (chat.typing && chat.owner === "advisor") {
      setChildren(el, h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")), h("span", { "data-testid": "visitor-typing" }, "Brukeren skriver …"));
    } else {
      el.replaceChildren();
    }
  }

  /** "Brukeren skriver …" of the chat on screen, drawn again. */
  refreshTyping(chat: Chat): void {
    const t = this.box.querySelector<HTMLElement>("#chat-typing");
    if (t) this.fillTyping(t, chat);
  }

  /** The active chat's new messages added to its log. */
  renderActiveLog(chat: Chat): void {
    const log = this.box.querySelector<HTMLElement>("#chat-log");
    if (!log) return;
    // The log is a live region that reads additions: the messages already shown stay where
    // they are (taken out and put back, they would be read again); new ones go in by id, also
    // one that was missed and comes after a later one (read again after a `chats` frame).
    const shown = Array.from(log.querySelectorAll<HTMLElement>("li[data-id]"));
    const known = new Set(shown.map((el) => Number(el.dataset.id)));
    const fresh = sortedMessages(chat).filter((m) => !known.has(m.id));
    for (const m of fresh) {
      const next = shown.find((el) => Number(el.dataset.id) > m.id);
      const item = messageItem(m);
      if (next) next.before(item);
      else log.appendChild(item);
      shown.splice(next ? shown.indexOf(next) : shown.length, 0, item);
    }
    if (fresh.length) placeLiveDivider(log, chat);
    this.scrollLog();
  }

  private scrollLog(): void {
    const scroll = this.box.querySelector<HTMLElement>(".chat__scroll");
    if (scroll) scroll.scrollTop = scroll.scrollHeight;
  }

  private actions(chat: Chat, queueTopics: string[]): HTMLElement {
    const topics = queueTopics.filter((t) => t !== chat.topic);
    const transferSel = h(
      "select",
      { id: "transfer-topic", class: "field field--small" },
      (topics.length ? topics : ["generell"]).map((t) => h("option", { value: t }, topicName(t))),
    );
    const outcomeSel = h("select", { id: "end-outcome", class: "field field--small" }, OUTCOMES.map(([v, label]) => h("option", { value: v }, label)));
    const button = (variant: string, label: string, onclick: () => void, action?: string) =>
      h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": variant, "data-action": action, onclick }, h("span", null, label));
    return h(
      "div",
      { class: "chat__actions" },
      h(
        "div",
        { class: "action" },
        h("label", { for: "transfer-topic", class: "aksel-label aksel-label--small" }, "Overfør til kø"),
        h("div", { class: "action__row" }, transferSel, button("secondary", "Overfør", () => this.on.transfer(chat, transferSel.value))),
      ),
      h(
        "div",
        { class: "action" },
        h("label", { for: "end-outcome", class: "aksel-label aksel-label--small" }, "Utfall"),
        h("div", { class: "action__row" }, outcomeSel, button("primary", "Avslutt samtalen", () => this.on.end(chat, outcomeSel.value), "end")),
      ),
      h(
        "div",
        { class: "action action--end" },
        h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: () => this.on.handback(chat) }, icon(robotIcon, "aksel-button__icon"), h("span", null, "Gi tilbake til chatboten")),
      ),
    );
  }

  private composer(chat: Chat): HTMLElement {
    const counter = h("p", { class: "counter", id: "reply-counter" });
    const error = h("p", { class: "form-error", id: "reply-error", role: "alert" });
    const ta = h("textarea", {
      id: "reply",
      class: "field",
      rows: 3,
      "aria-describedby": "reply-counter reply-error",
      oninput: () => {
        update();
        error.textContent = "";
        this.on.typing(chat);
      },
      onkeydown: (e: Event) => {
        const ke = e as KeyboardEvent;
        if (ke.key === "Enter" && !ke.shiftKey && !ke.isComposing) {
          ke.preventDefault();
          form.requestSubmit();
        }
      },
    });
    ta.value = chat.draft;
    const update = () => {
      const max = maxMessageLength();
      if (max === null) return; // not known yet (the hub checks the length too)
      const { text, over } = counterText(ta.value.length, max);
      counter.textContent = text;
      counter.classList.toggle("counter--over", over);
      ta.setAttribute("aria-invalid", String(over));
    };
    update();
    const send = async (): Promise<void> => {
      const text = ta.value.trim();
      if (!text) {
        error.textContent = "Skriv en melding før du sender.";
        return;
      }
      const max = maxMessageLength();
      if (max !== null && text.length > max) {
        error.textContent = tooLongText(max);
        return;
      }
      const failed = await this.on.reply(chat, text);
      if (failed !== null) {
        error.textContent = failed;
        return;
      }
      ta.value = "";
      chat.draft = "";
      update();
    };
    const form = h(
      "form",
      {
        class: "composer",
        onsubmit: (e: Event) => {
          e.preventDefault();
          void send();
        },
      },
      h("label", { for: "reply", class: "aksel-label" }, "Svar til brukeren"),
      h("div", { class: "composer__row" }, ta, h("button", { type: "submit", class: "aksel-button", "data-variant": "primary" }, h("span", null, "Send"))),
      counter,
      error,
    );
    return form;
  }

  focusComposer(): void {
    this.box.querySelector<HTMLTextAreaElement>("#reply")?.focus();
  }

  private faqPanel(chat: Chat): HTMLElement {
    const results = h("div", { class: "faq__results", "aria-live": "polite" });
    const input = h("input", {
      id: "faq-search",
      type: "search",
      class: "field field--small",
      placeholder: "For eksempel dagpenger søknad",
      value: chat.faqQuery,
      oninput: () => {
        chat.faqQuery = input.value;
        window.clearTimeout(this.faqTimer);
        this.faqTimer = window.setTimeout(() => void this.searchFaq(chat, results), 250);
      },
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === "Enter") {
          e.preventDefault();
          window.clearTimeout(this.faqTimer);
          void this.searchFaq(chat, results);
        }
      },
    });
    this.fillFaq(results, chat);
    return h(
      "aside",
      { class: "faq", "aria-labelledby": "faq-title" },
      h("h3", { class: "aksel-heading aksel-heading--xsmall", id: "faq-title" }, "Svarbank"),
      h("label", { for: "faq-search", class: "aksel-label aksel-label--small" }, "Søk etter et ferdig svar"),
      h("div", { class: "faq__search" }, icon(searchIcon), input),
      results,
    );
  }

  private async searchFaq(chat: Chat, box: HTMLElement): Promise<void> {
    if (!(await this.on.searchFaq(chat))) return;
    // The panel may have been drawn again meanwhile: fill the box that is on screen now.
    const live = this.on.isActive(chat.id) ? this.box.querySelector<HTMLElement>(".faq__results") : null;
    this.fillFaq(live ?? box, chat);
  }

  /** The answer bank of the chat on screen, drawn again (new suggestions came). */
  refreshFaq(chat: Chat): void {
    const box = this.on.isActive(chat.id) ? this.box.querySelector<HTMLElement>(".faq__results") : null;
    if (box) this.fillFaq(box, chat);
  }

  private fillFaq(box: HTMLElement, chat: Chat): void {
    if (chat.faqResults === null) {
      const hint = h("p", { class: "faq__hint" }, "Søk med noen ord. Velg et svar for å sette det inn i meldingen din.");
      if (!chat.suggestions?.length) {
        setChildren(box, hint);
        return;
      }
      // Before any search: the answers for the visitor's newest message.
      setChildren(
        box,
        h("p", { class: "faq__suggested", id: "faq-suggested" }, "Forslag til brukerens siste melding:"),
        this.faqList(chat.suggestions.slice(0, 3), "faq-suggested", "suggestion"),
        hint,
      );
      return;
    }
    if (chat.faqError) {
      setChildren(box, alertBox("warning", chat.faqError));
      return;
    }
    if (chat.faqResults.length === 0) {
      setChildren(box, h("p", { class: "faq__hint" }, "Fant ingen svar. Prøv andre ord."));
      return;
    }
    setChildren(box, h("p", { class: "aksel-sr-only" }, `${chat.faqResults.length} svar funnet.`), this.faqList(chat.faqResults.slice(0, 8)));
  }

  private faqList(list: Faq[], labelledBy?: string, testid?: string): HTMLElement {
    return h(
        "ul",
        { class: "faq__list", "aria-labelledby": labelledBy, "data-testid": testid },
        list.map((f) =>
          h(
            "li",
            { class: "faq__item" },
            h("p", { class: "faq__q" }, f.question),
            h("p", { class: "faq__a" }, faqExcerpt(f.answer)),
            h(
              "button",
              { type: "button", class: "aksel-button aksel-button--xsmall", "data-variant": "secondary", "data-faq": f.id, onclick: () => this.insertFaq(f) },
              h("span", null, "Sett inn svaret"),
              h("span", { class: "aksel-sr-only" }, `: ${f.question}`),
            ),
          ),
        ),
    );
  }

  private insertFaq(f: Faq): void {
    const ta = this.box.querySelector<HTMLTextAreaElement>("#reply");
    if (!ta) return;
    ta.value = withFaqAnswer(ta.value, f.answer);
    ta.dispatchEvent(new Event("input"));
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    this.on.announce("Svaret er satt inn i meldingen. Les gjennom før du sender.");
  }

  /** An error under the chat's head that goes away by itself. */
  chatError(text: string): void {
    const panel = this.box.querySelector<HTMLElement>(".chat__head");
    if (!panel) return;
    const box = h("div", { role: "alert" }, alertBox("danger", text));
    panel.after(box);
    window.setTimeout(() => box.remove(), 8000);
  }
}

function messageItem(m: Message): HTMLElement {
  if (m.sender === "system") {
    // A notice may quote the visitor ("answer lost"): plain text, no markup and no links.
    return h("li", { class: "msg msg--system", "data-id": m.id }, h("p", null, m.text), h("span", { class: "msg__time" }, clock(m.created_at)));
  }
  const who = m.sender === "visitor" ? "Bruker" : m.sender === "bot" ? "Chatbot" : m.advisor_name || "Veileder";
  return h(
    "li",
    { class: `msg msg--${m.sender}`, "data-id": m.id, "data-sender": m.sender },
    h(
      "div",
      { class: "msg__top" },
      m.sender === "visitor" ? null : icon(m.sender === "bot" ? robotIcon : personIcon),
      h("span", { class: "msg__who" }, who),
      h("span", { class: "msg__time" }, clock(m.created_at)),
    ),
    h(
      "div",
      { class: "msg__bubble" },
      h("span", { class: "aksel-sr-only" }, `${who}: `),
      // A visitor's text gets no markdown: no link labelled by the visitor (phishing).
      m.sender === "visitor" ? renderVisitorText(m.text) : renderText(m.text),
    ),
  );
}

/** The divider «Veileder i samtalen» stands before the first advisor message. */
function placeLiveDivider(log: HTMLElement, chat: Chat): void {
  const firstAdvisor = sortedMessages(chat).find((m) => m.sender === "advisor");
  const target = firstAdvisor ? log.querySelector<HTMLElement>(`li[data-id="${firstAdvisor.id}"]`) : null;
  const divider = log.querySelector<HTMLElement>(".divider--live");
  if (!target) return;
  if (target.previousElementSibling === divider) return;
  target.before(divider ?? h("li", { class: "divider divider--live" }, h("span", null, "Veileder i samtalen")));
}

/** The bot's part in short, above a claimed chat: the advisor need not read all of it.
 * A disclosure, open at first; closing it leaves more room for the chat (kept per chat). */
function summaryBox(chat: Chat, s: ChatSummary): HTMLElement {
  const row = (term: string, ...detail: (Node | string)[]) => h("div", { class: "summary__row" }, h("dt", null, term), h("dd", null, ...detail));
  const answers = s.bot_answers.length
    ? h("ul", { class: "summary__answers" }, ...s.bot_answers.map((a) => h("li", null, a.title)))
    : "Ingen ferdige svar";
  const box = h(
    "details",
    { class: "summary", "data-testid": "chat-summary", open: !chat.summaryClosed },
    h("summary", { class: "summary__title" }, "Kort om samtalen med chatboten"),
    h(
      "dl",
      { class: "summary__list" },
      row("Tema og grunn", `${topicName(s.topic)} – ${reasonText(s.reason)}`),
      s.first_question ? row("Spurte først", `«${s.first_question}»`) : null,
      s.last_question ? row("Spurte sist", `«${s.last_question}»`) : null,
      row("Chatboten svarte med", answers),
    ),
  );
  box.addEventListener("toggle", () => {
    chat.summaryClosed = !box.open;
  });
  return box;
}
