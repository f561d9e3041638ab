// The visitor chat widget. One script tag:
//   <script src="https://host/widget.js" data-hub="https://host" defer></script>
// It renders in a shadow root (so page CSS cannot break it, and it cannot break the page),
// talks to the hub over a WebSocket (HTTP polling as fallback) and keeps the conversation
// across reloads and page changes, until it ends or nobody has used it for a while
// (`data-forget-after-minutes`, 30 by default; see storage.ts and idle.ts).

import { append, h, icon, setChildren } from "../shared/dom";
import {
  chatIcon,
  closeIcon,
  infoIcon,
  clockIcon,
  minusIcon,
  personIcon,
  robotIcon,
  sendIcon,
} from "../shared/icons";
import { clock, minutes, renderText, renderVisitorText } from "../shared/text";
import { feedbackBox, type VoteResult } from "./feedback";
import { deleteConfirmView, endConfirmView, endedView } from "./footer";
import { type Farewell, farewellView } from "./forget";
import { forgetAfterMinutes, IdleWatch, isStale } from "./idle";
import {
  type Cached,
  dropOtherCopies,
  forgetStored,
  MESSAGES_KEY,
  NOTICE_KEY,
  OPEN_KEY,
  readActiveAt,
  readJson,
  type Saved,
  STORE_KEY,
  type Vote,
  writeJson,
} from "./storage";
import {
  MAX_MESSAGE_LENGTH,
  type ApiError,
  type ChatButton,
  type Message,
  type Owner,
  type QueueInfo,
  readError,
} from "../shared/types";

const POLL_MS = 2000;
const TYPING_HIDE_MS = 8000;
const BOT_WAIT_MS = 20000;
// Space kept above a reply scrolled to its start, so the visitor's message still peeks out.
const REPLY_TOP_GAP = 12;

interface ConversationView {
  id: string;
  owner: Owner;
  queue?: QueueInfo | null;
  messages: Message[];
  rating?: string | null;
}

type Footer = "composer" | "confirm" | "ended" | "confirm-delete";

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
}

/** Write a text only if it changed (a live region reads every write). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** What the visitor is told about the wait, honestly: no estimate when nobody is free. */
function waitText(q: QueueInfo): string {
  const estimate = q.estimated_wait_minutes;
  if (estimate === null || q.advisors_available === 0) {
    return "Ingen veileder er ledig akkurat nå, så vi vet ikke hvor lenge du må vente. Du kan også ringe oss på 55 55 33 33.";
  }
  return typeof estimate === "number" ? `Forventet ventetid er omtrent ${minutes(estimate)}.` : "";
}

class ChatWidget {
  private readonly hub: string;
  private readonly forcePolling: boolean;
  private saved: Saved | null;
  /** False once the conversation has ended: it stays in memory (rating, download), not in storage. */
  private stored = true;
  private readonly forgetMinutes: number;
  private readonly idle: IdleWatch;
  /** Shown in the body instead of the chat after the conversation was forgotten. */
  private farewell: Farewell | null = null;
  private votes = new Map<number, Vote>();
  private messages = new Map<number, Message>();
  private owner: Owner = "bot";
  private queue: QueueInfo | null = null;
  private rating: string | null = null;
  private open = false;
  private unread = 0;
  private footer: Footer = "composer";
  private ws: WebSocket | null = null;
  private wsFailures = 0;
  private wsEverOpened = false;
  private pollTimer: number | undefined;
  private reconnectTimer: number | undefined;
  private polling = false;
  private typingHideTimer: number | undefined;
  private botWaitTimer: number | undefined;
  private lastTypingSent = 0;
  private typingStopTimer: number | undefined;
  private counterAnnounceTimer: number | undefined;
  private starting = false;
  /** The queue box's changing parts, while the visitor is in the queue. */
  private queueParts: { position: HTMLElement; wait: HTMLElement } | null = null;

  // DOM
  private readonly wrap: HTMLDivElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLElement;
  private readonly status: HTMLParagraphElement;
  private readonly endButton: HTMLButtonElement;
  private readonly body: HTMLDivElement;
  private readonly log: HTMLOListElement;
  private readonly logRegion: HTMLDivElement;
  private readonly typing: HTMLDivElement;
  private readonly queueBox: HTMLDivElement;
  private readonly footerBox: HTMLDivElement;
  private readonly input: HTMLTextAreaElement;
  private readonly counter: HTMLParagraphElement;
  private readonly counterLive: HTMLSpanElement;
  private readonly error: HTMLParagraphElement;
  private readonly composer: HTMLFormElement;
  private readonly personButton: HTMLButtonElement;
  private readonly minimiseButton: HTMLButtonElement;

  constructor(hub: string, forcePolling: boolean, forgetMinutes: number) {
    this.hub = hub.replace(/\/$/, "");
    this.forcePolling = forcePolling;
    this.forgetMinutes = forgetMinutes;
    this.idle = new IdleWatch({
      limitMs: forgetMinutes * 60_000,
      paused: () => this.owner === "queue",
      holding: () => this.saved !== null,
      stored: () => this.stored,
      onIdle: () => this.forgetIdle(),
    });
    this.saved = readJson<Saved>(localStorage, STORE_KEY);
    // Left unused too long (the browser was closed on it): end it and forget it before
    // anything is shown, so the next person at this computer sees nothing of it.
    if (this.saved && isStale(readActiveAt(), Date.now(), forgetMinutes * 60_000)) {
      this.endQuietly(this.saved);
      forgetStored(this.saved.id);
      this.saved = null;
    }
    dropOtherCopies(this.saved?.id ?? null);

    const host = h("div", { id: "nav-chat-widget" });
    const shadow = host.attachShadow({ mode: "open" });

    this.badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
    this.launcher = h(
      "button",
      {
        type: "button",
        class: "aksel-button launcher",
        "data-variant": "primary",
        "aria-controls": "navchat-panel",
        "aria-expanded": "false",
        onclick: () => this.setOpen(true),
      },
      icon(chatIcon, "aksel-button__icon"),
      h("span", { class: "launcher__label" }, "Chat med Nav"),
      this.badge,
    );

    this.status = h("p", { class: "panel__status" });
    this.endButton = this.iconButton(closeIcon, "Avslutt", () => this.askEnd(), true);
    const header = h(
      "div",
      { class: "panel__header" },
      h(
        "div",
        { class: "titles" },
        h("h2", { class: "panel__title", id: "navchat-title" }, "Chat med Nav"),
        this.status,
      ),
      (this.minimiseButton = this.iconButton(minusIcon, "Minimer chatten", () => this.setOpen(false))),
      this.endButton,
    );

    this.log = h("ol", { class: "log" });
    this.logRegion = h(
      "div",
      { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Meldinger" },
      this.log,
    );
    this.typing = h("div", { class: "typing", "aria-live": "polite" });
    // Scrollable, so it must be reachable with the keyboard (WCAG 2.1.1).
    this.body = h("div", { class: "panel__body", tabindex: 0, role: "group", "aria-label": "Samtalen" });
    this.queueBox = h("div", { class: "queue", role: "status", hidden: true });

    this.input = h("textarea", {
      id: "navchat-input",
      rows: 2,
      "aria-describedby": "navchat-counter navchat-error",
      autocomplete: "off",
      placeholder: "Skriv spørsmålet ditt her",
      oninput: () => this.onInput(),
      onkeydown: (e: Event) => this.onKeyDown(e as KeyboardEvent),
    });
    this.counter = h("p", { class: "counter", id: "navchat-counter" });
    this.counterLive = h("span", { class: "sr-only", "aria-live": "polite" });
    this.error = h("p", { class: "error", id: "navchat-error", role: "alert" });
    // Always in sight while the bot is in charge: the research behind the product found
    // that visitors who struggle most need a visible way to a person, not a keyword.
    this.personButton = h(
      "button",
      {
        type: "button",
        class: "aksel-button aksel-button--small person",
        "data-variant": "tertiary",
        onclick: () => void this.askForPerson(),
      },
      icon(personIcon, "aksel-button__icon"),
      h("span", null, "Snakk med en veileder"),
    );
    this.composer = h(
      "form",
      { class: "composer", onsubmit: (e: Event) => this.onSubmit(e) },
      h("label", { for: "navchat-input", class: "sr-only" }, "Skriv meldingen din"),
      h(
        "div",
        { class: "composer__row" },
        this.input,
        h(
          "button",
          { type: "submit", class: "aksel-button", "data-variant": "primary", "aria-label": "Send melding" },
          icon(sendIcon, "aksel-button__icon"),
        ),
      ),
      h("div", { class: "composer__below" }, this.counter, this.personButton),
      this.counterLive,
      this.error,
    );
    this.footerBox = h("div", { class: "panel__footer" });

    this.panel = h(
      "section",
      {
        id: "navchat-panel",
        class: "panel",
        "aria-labelledby": "navchat-title",
        hidden: true,
        onkeydown: (e: Event) => this.onPanelKey(e as KeyboardEvent),
        onpointerdown: () => this.idle.use(),
        onwheel: () => this.idle.use(),
      },
      header,
      this.body,
      this.queueBox,
      this.footerBox,
    );
    this.wrap = h(
      "div",
      { class: "navchat", "data-color": "accent" },
      this.panel,
      this.launcher,
    );
    const landmark = h("aside", { "aria-label": "Chat med Nav" }, this.wrap);
    // A constructed stylesheet is not inline markup, so a strict Content-Security-Policy allows it.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(__WIDGET_CSS__);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.append(h("style", null, __WIDGET_CSS__));
    }
    shadow.append(landmark);
    document.body.appendChild(host);
    this.injectFonts();
    this.updateCounter();
    this.renderStatus();

    if (this.saved) {
      const cached = readJson<Cached | Message[]>(sessionStorage, MESSAGES_KEY + this.saved.id);
      // (An array is the copy of an older widget, which did not say what it had read.)
      const list = Array.isArray(cached) ? cached : (cached?.messages ?? []);
      for (const m of list) this.messages.set(m.id, m);
      if (!Array.isArray(cached)) {
        for (const [id, vote] of Object.entries(cached?.votes ?? {})) this.votes.set(Number(id), vote);
      }
      // The cursor is shared by every tab (localStorage), the copy is not: a new tab has none
      // and reads the conversation from the start; a tab reads on from what it has read.
      const readUpTo = Array.isArray(cached) ? 0 : Number(cached?.readUpTo) || 0;
      this.saved.lastSeenId = Math.min(Number(this.saved.lastSeenId) || 0, readUpTo);
      this.renderBody();
      // Stored by a widget that did not note its use yet: the time runs from now.
      if (readActiveAt() === null) this.idle.share();
      this.resume();
    }
    if (sessionStorage.getItem(OPEN_KEY) === "1") this.setOpen(true, false);
    this.idle.start();
    window.addEventListener("storage", (e) => {
      if (e.storageArea === localStorage && (e.key === STORE_KEY || e.key === null)) this.followStorage();
    });
    // Back to a page kept in the browser's back/forward cache: it missed what happened since.
    window.addEventListener("pageshow", (e) => {
      if (!e.persisted) return;
      this.followStorage();
      this.idle.check();
    });
  }

  // ---------- helpers ----------

  private iconButton(svg: string, label: string, onclick: () => void, withText = false): HTMLButtonElement {
    return h(
      "button",
      {
        type: "button",
        class: `aksel-button aksel-button--small${withText ? "" : " aksel-button--icon-only"}`,
        "data-variant": "tertiary",
        "aria-label": withText ? null : label,
        title: withText ? null : label,
        onclick,
      },
      icon(svg, "aksel-button__icon"),
      withText ? h("span", null, label) : null,
    );
  }

  private injectFonts(): void {
    if (document.getElementById("navchat-fonts")) return;
    const link = h("link", { id: "navchat-fonts", rel: "stylesheet", href: `${this.hub}/static/fonts.css` });
    document.head.appendChild(link);
  }

  private authHeaders(): Record<string, string> {
    return this.saved ? { Authorization: `Bearer ${this.saved.secret}` } : {};
  }

  private async api(path: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.authHeaders(), ...(init.headers as Record<string, string>) };
    if (init.body) headers["Content-Type"] = "application/json";
    return fetch(`${this.hub}${path}`, { ...init, headers });
  }

  private save(): void {
    if (!this.saved || !this.stored) return;
    writeJson(localStorage, STORE_KEY, this.saved);
    const messages = [...this.messages.values()].sort((a, b) => a.id - b.id).slice(-300);
    const cached: Cached = { readUpTo: this.saved.lastSeenId, messages, votes: Object.fromEntries(this.votes) };
    writeJson(sessionStorage, MESSAGES_KEY + this.saved.id, cached);
  }

  /** The conversation ended: out of the browser's storage now, out of memory when the chat closes. */
  private unstore(): void {
    if (!this.stored) return;
    this.stored = false;
    forgetStored(this.saved?.id ?? null);
  }

  /**
   * Forget the conversation entirely: storage, memory and what the panel shows. `storage`
   * false when another tab has already changed the storage (it may hold a new conversation).
   */
  private forget(storage = true): void {
    if (storage) forgetStored(this.saved?.id ?? null);
    else dropOtherCopies(null);
    this.saved = null;
    this.stored = true;
    this.stopTransport();
    this.messages.clear();
    this.votes.clear();
    this.log.replaceChildren();
    this.typing.replaceChildren();
    this.owner = "bot";
    this.queue = null;
    this.rating = null;
    this.footer = "composer";
    this.input.value = "";
    this.updateCounter();
    this.unread = 0;
    this.renderBadge();
  }

  /** Forget, and show why (or, with the panel closed, just the start the next person gets). */
  private forgetWith(farewell: Farewell | null, storage = true): void {
    this.forget(storage);
    // Shown while the panel is open; a conversation that ended with it closed says so when opened.
    this.farewell = this.open || farewell?.kind === "ended-closed" ? farewell : null;
    this.renderStatus();
    this.renderBody();
    this.renderFooter();
    if (this.open) this.body.querySelector<HTMLElement>(".farewell h3")?.focus();
  }

  /** Tell the hub the visitor is gone; the page may be on its way out, so keepalive. */
  private endQuietly(saved: Saved): void {
    try {
      void fetch(`${this.hub}/api/conversations/${encodeURIComponent(saved.id)}/end`, {
        method: "POST",
        headers: { Authorization: `Bearer ${saved.secret}` },
        keepalive: true,
      }).catch(() => undefined);
    } catch {
      /* the hub's retention deletes it in the end */
    }
  }

  private forgetIdle(): void {
    if (this.saved && this.owner !== "closed") this.endQuietly(this.saved);
    this.forgetWith({ kind: "idle", minutes: this.forgetMinutes });
  }

  /** Another tab or page ended, deleted or replaced the conversation: do the same here. */
  private followStorage(): void {
    const now = readJson<Saved>(localStorage, STORE_KEY);
    if (now?.id === this.saved?.id) return;
    if (!this.stored && !now) return; // this tab's ended chat was never in storage any more
    const had = this.saved !== null;
    this.forgetWith(had ? { kind: "other-tab" } : null, false);
    if (now) {
      this.farewell = null;
      this.saved = now;
      this.renderStatus();
      this.renderBody();
      void this.resume();
    }
  }

  // ---------- open / minimise ----------

  private setOpen(open: boolean, moveFocus = true): void {
    this.open = open;
    sessionStorage.setItem(OPEN_KEY, open ? "1" : "0");
    this.panel.hidden = !open;
    this.wrap.classList.toggle("navchat--open", open);
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      this.idle.use();
      this.unread = 0;
      this.renderBadge();
      if (!this.saved && localStorage.getItem(NOTICE_KEY) === "1") void this.start();
      this.renderBody();
      this.renderFooter();
      this.scrollToNewest();
      if (moveFocus) this.focusDefault();
    } else {
      // A closed chat is not kept: closing the panel clears it from the screen too.
      if (!this.stored || this.farewell) this.forgetWith(null);
      if (moveFocus) this.launcher.focus();
    }
  }

  private focusDefault(): void {
    const notice = this.body.querySelector<HTMLElement>(".notice h3");
    const farewell = this.body.querySelector<HTMLElement>(".farewell h3");
    if (notice) notice.focus();
    else if (farewell) farewell.focus();
    else if (this.footer === "composer") this.input.focus();
    else this.footerBox.querySelector<HTMLElement>("h3, button")?.focus();
  }

  private onPanelKey(e: KeyboardEvent): void {
    if (e.key !== "Escape") return;
    e.stopPropagation();
    if (this.footer === "confirm") this.setFooter("composer");
    else if (this.footer === "confirm-delete") this.setFooter("ended");
    else this.setOpen(false);
  }

  private renderBadge(): void {
    this.badge.hidden = this.unread === 0;
    this.badge.textContent = String(this.unread);
    this.launcher.setAttribute(
      "aria-label",
      this.unread === 0
        ? "Chat med Nav"
        : `Chat med Nav, ${this.unread} ${this.unread === 1 ? "ny melding" : "nye meldinger"}`,
    );
  }

  // ---------- body: notice or messages ----------

  private renderBody(): void {
    if (this.farewell) {
      setChildren(this.body, farewellView(this.farewell, () => void this.restart()));
      return;
    }
    if (!this.saved && localStorage.getItem(NOTICE_KEY) !== "1") {
      setChildren(this.body, this.noticeView());
      return;
    }
    if (!this.body.contains(this.logRegion)) {
      setChildren(this.body, this.logRegion, this.typing);
    }
    this.renderLog();
  }

  private noticeView(): HTMLElement {
    const heading = h("h3", { tabindex: -1, id: "navchat-notice-title" }, "Før du starter");
    return h(
      "div",
      { class: "notice" },
      heading,
      h(
        "ul",
        null,
        h("li", null, "Du chatter først med en chatbot. Chatboten er ikke et menneske."),
        h("li", null, "Vi lagrer samtalen i 30 dager. Deretter sletter vi den."),
        h(
          "li",
          null,
          h("strong", null, "Ikke skriv personopplysninger"),
          ", for eksempel fødselsnummer, navn, adresse eller opplysninger om helse.",
        ),
        h("li", null, "Vil du snakke med et menneske? Veiledere svarer på chat hverdager kl. 09–15."),
      ),
      h(
        "button",
        {
          type: "button",
          class: "aksel-button",
          "data-variant": "primary",
          onclick: () => {
            localStorage.setItem(NOTICE_KEY, "1");
            void this.start();
          },
        },
        h("span", null, "Start chatten"),
      ),
    );
  }

  private sortedMessages(): Message[] {
    return [...this.messages.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Bring the message list up to date. Items already in the log stay (the log is a live region
   * that reads additions: an item taken out and put back would be read again); only the answer
   * choices under a message come and go, and new messages are added.
   */
  private renderLog(): void {
    const list = this.sortedMessages();
    const lastVisitor = list.reduce((acc, m) => (m.sender === "visitor" ? m.id : acc), 0);
    const existing = new Map<string, HTMLLIElement>();
    for (const li of Array.from(this.log.children) as HTMLLIElement[]) {
      if (li.dataset.id) existing.set(li.dataset.id, li);
    }
    let prev: Element | null = null;
    for (const m of list) {
      const showChoices = (m.sender === "bot" || m.sender === "system") && m.id > lastVisitor && this.owner === "bot" && this.footer !== "ended";
      const key = String(m.id);
      let li = existing.get(key);
      if (li) {
        if (li.dataset.choices !== String(showChoices)) this.setChoices(li, m, showChoices);
      } else {
        li = this.messageItem(m, showChoices);
        if (prev) prev.after(li);
        else this.log.prepend(li);
      }
      existing.delete(key);
      prev = li;
    }
    for (const li of existing.values()) li.remove();
  }

  private setChoices(li: HTMLLIElement, m: Message, show: boolean): void {
    li.dataset.choices = String(show);
    const current = li.querySelector(":scope > .choices");
    if (show && !current) append(li, [this.choices(m.buttons ?? [])]);
    else if (!show) current?.remove();
  }

  private messageItem(m: Message, showChoices: boolean): HTMLLIElement {
    const li = h("li", { "data-id": m.id, "data-sender": m.sender, "data-choices": String(showChoices) });
    const time = clock(m.created_at);
    if (m.sender === "system") {
      append(li, [
        // A notice may quote the visitor ("answer lost"): plain text, no markup and no links,
        // or a visitor's link would come with Nav's name on it.
        h("div", { class: "msg-system" }, icon(infoIcon), h("p", null, h("span", { class: "sr-only" }, "Melding fra Nav: "), m.text)),
      ]);
      if (showChoices) append(li, [this.choices(m.buttons ?? [])]);
      return li;
    }
    const who =
      m.sender === "visitor"
        ? "Du"
        : m.sender === "bot"
          ? "Chatbot"
          : `${m.advisor_name || "Veileder"}, veileder i Nav`;
    const srWho = m.sender === "visitor" ? "Du skrev: " : m.sender === "bot" ? "Chatboten skriver: " : `${m.advisor_name || "Veilederen"} fra Nav skriver: `;
    const top = h(
      "p",
      { class: "aksel-chat__top-text", "aria-hidden": "true" },
      h("span", null, who),
      m.sender === "advisor" ? h("span", { class: "aksel-tag aksel-tag--xsmall", "data-variant": "moderate", "data-color": "brand-beige" }, "Menneske") : null,
      time ? h("span", null, time) : null,
    );
    const bubble = h("div", { class: "aksel-chat__bubble" }, h("div", { class: "text" }, h("span", { class: "sr-only" }, srWho), m.sender === "visitor" ? renderVisitorText(m.text) : renderText(m.text)));
    const row = h(
      "div",
      { class: `aksel-chat msg-${m.sender}${m.sender === "visitor" ? " aksel-chat--right" : ""}`, "data-color": m.sender === "visitor" ? "accent" : "neutral" },
      m.sender === "visitor" ? null : h("div", { class: "aksel-chat__avatar", "aria-hidden": "true" }, icon(m.sender === "bot" ? robotIcon : personIcon)),
      h("div", { class: "aksel-chat__bubble-wrapper" }, top, bubble),
    );
    if (m.text.trim()) li.appendChild(row);
    if (m.sender === "bot" && m.faq_id && m.text.trim()) {
      li.appendChild(feedbackBox(m.id, this.votes.get(m.id), (id, vote) => this.sendVote(id, vote)));
    }
    if (showChoices) append(li, [this.choices(m.buttons ?? [])]);
    return li;
  }

  private choices(buttons: ChatButton[]): HTMLElement | null {
    if (buttons.length === 0) return null;
    return h(
      "ul",
      { class: "choices", "aria-label": "Svaralternativer" },
      buttons.map((b) =>
        h(
          "li",
          null,
          h(
            "button",
            { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => void this.choose(b) },
            h("span", null, b.title),
          ),
        ),
      ),
    );
  }

  private scrollToEnd(): void {
    this.body.scrollTop = this.body.scrollHeight;
  }

  /**
   * To the end, but not past the start of the bot's reply to the visitor's last message:
   * a reply taller than the panel (the emergency numbers before the suggestions) is read
   * from its first line, not from its last. An advisor's messages always show the newest.
   */
  private scrollToNewest(): void {
    const list = this.sortedMessages();
    const lastVisitor = list.reduce((acc, m) => (m.sender === "visitor" ? m.id : acc), 0);
    const replies = list.filter((m) => m.id > lastVisitor && m.sender !== "visitor");
    const first = replies[0];
    const li = first ? this.log.querySelector<HTMLElement>(`li[data-id="${first.id}"]`) : null;
    if (!li || replies.some((m) => m.sender === "advisor")) {
      this.scrollToEnd();
      return;
    }
    const end = this.body.scrollHeight - this.body.clientHeight;
    const top = li.getBoundingClientRect().top - this.body.getBoundingClientRect().top + this.body.scrollTop;
    this.body.scrollTop = Math.max(0, Math.min(end, top - REPLY_TOP_GAP));
  }

  /**
   * Add messages to the conversation. `read` says they are the hub's answer to "what is new"
   * (GET …?after=, WebSocket), which moves the cursor. The visitor's own message echoed by
   * POST …/messages does not: an advisor's message with a lower id may not be read yet.
   */
  private addMessages(list: Message[], read: boolean): void {
    let added = 0;
    let moved = false;
    for (const m of list) {
      if (!m || typeof m.id !== "number") continue;
      if (read && this.saved && m.id > this.saved.lastSeenId) {
        this.saved.lastSeenId = m.id;
        moved = true;
      }
      if (this.messages.has(m.id)) continue;
      this.messages.set(m.id, m);
      added++;
      if (m.sender !== "visitor" && !this.open) this.unread++;
      if (m.sender === "bot" || m.sender === "system") this.setBotWaiting(false);
      if (m.sender === "advisor" || m.sender === "bot") this.showTyping(null);
    }
    if (!added) {
      if (moved) this.save();
      return;
    }
    this.save();
    this.renderBadge();
    if (this.body.contains(this.logRegion)) {
      const nearEnd = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 120;
      this.renderLog();
      if (nearEnd || this.open) this.scrollToNewest();
    }
  }

  // ---------- state ----------

  private setState(owner: Owner, queue: QueueInfo | null | undefined): void {
    const changed = owner !== this.owner;
    this.owner = owner;
    if (owner === "closed") this.unstore();
    this.queue = owner === "queue" ? (queue ?? this.queue) : null;
    if (owner !== "bot") this.setBotWaiting(false);
    this.renderStatus();
    if (owner === "closed") {
      this.stopTransport();
      if (!this.open) {
        // Nobody is looking (the panel is closed, perhaps in another tab): nothing is kept,
        // not even in memory; opening the chat says it ended.
        this.forgetWith({ kind: "ended-closed" }, false);
        return;
      }
      if (this.footer !== "ended") this.setFooter("ended", this.open && changed);
    }
    if (changed && this.body.contains(this.logRegion)) this.renderLog();
  }

  private renderStatus(): void {
    const text: Record<Owner, string> = {
      bot: "Du chatter med chatboten",
      queue: "Du venter på en veileder",
      advisor: "Du chatter med en veileder",
      closed: "Chatten er avsluttet",
    };
    setText(this.status, this.saved ? text[this.owner] : "Chatbot og veiledere");
    this.endButton.hidden = !this.saved || this.owner === "closed";
    const closes = !this.stored || this.farewell !== null;
    const label = closes ? "Lukk chatten" : "Minimer chatten";
    if (this.minimiseButton.getAttribute("aria-label") !== label) {
      this.minimiseButton.setAttribute("aria-label", label);
      this.minimiseButton.title = label;
      setChildren(this.minimiseButton, icon(closes ? closeIcon : minusIcon, "aksel-button__icon"));
    }
    this.personButton.hidden = this.owner !== "bot";
    this.renderQueue();
  }

  /**
   * The queue box is a status region: whatever is written into it is read aloud, and a button
   * put there anew loses keyboard focus. So it is made once when the visitor enters the queue,
   * and afterwards only a text that changed is written.
   */
  private renderQueue(): void {
    if (this.owner === "queue" && this.queue) {
      if (!this.queueParts) {
        const position = h("strong", { "data-testid": "queue-position" });
        const wait = h("span");
        setChildren(
          this.queueBox,
          icon(clockIcon),
          h("p", null, position, " ", wait),
          h(
            "button",
            { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => void this.leaveQueue() },
            h("span", null, "Forlat køen"),
          ),
        );
        this.queueParts = { position, wait };
      }
      setText(this.queueParts.position, `Du er nummer ${this.queue.position} i køen.`);
      setText(this.queueParts.wait, waitText(this.queue));
      this.queueBox.hidden = false;
      return;
    }
    if (!this.queueParts) return;
    const focused = (this.queueBox.getRootNode() as ShadowRoot | Document).activeElement;
    const hadFocus = focused !== null && this.queueBox.contains(focused);
    this.queueParts = null;
    this.queueBox.hidden = true;
    this.queueBox.replaceChildren();
    // An advisor took the chat while "Forlat køen" had focus: go on where the visitor writes.
    if (hadFocus && this.open && this.footer === "composer") this.input.focus();
  }

  private showTyping(sender: "bot" | "advisor" | null): void {
    window.clearTimeout(this.typingHideTimer);
    if (!sender) {
      if (this.botWaitTimer !== undefined) return this.renderTyping("bot");
      this.typing.replaceChildren();
      return;
    }
    this.renderTyping(sender);
    this.typingHideTimer = window.setTimeout(() => this.showTyping(null), TYPING_HIDE_MS);
  }

  private renderTyping(sender: "bot" | "advisor"): void {
    setChildren(
      this.typing,
      h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { "data-testid": "typing" }, sender === "bot" ? "Chatboten skriver …" : "Veilederen skriver …"),
    );
  }

  /** While the bot owns the chat, show it "typing" between the visitor's message and its answer. */
  private setBotWaiting(waiting: boolean): void {
    window.clearTimeout(this.botWaitTimer);
    this.botWaitTimer = undefined;
    if (waiting) {
      this.botWaitTimer = window.setTimeout(() => this.setBotWaiting(false), BOT_WAIT_MS);
      this.renderTyping("bot");
    } else {
      this.typing.replaceChildren();
    }
  }

  // ---------- footer: composer / confirm / ended ----------

  private setFooter(footer: Footer, moveFocus = true): void {
    this.footer = footer;
    this.renderFooter();
    if (this.body.contains(this.logRegion)) this.renderLog();
    if (moveFocus && this.open) this.focusDefault();
  }

  private renderFooter(): void {
    if (!this.saved) {
      this.footerBox.hidden = true;
      return;
    }
    this.footerBox.hidden = false;
    if (this.footer === "composer") {
      setChildren(this.footerBox, this.composer);
    } else if (this.footer === "confirm") {
      setChildren(this.footerBox, endConfirmView(() => void this.end(), () => this.setFooter("composer")));
    } else if (this.footer === "confirm-delete") {
      setChildren(this.footerBox, deleteConfirmView(() => void this.deleteConversation(), () => this.setFooter("ended")));
    } else {
      setChildren(
        this.footerBox,
        endedView(this.rating !== null, {
          rate: (value) => void this.rate(value),
          download: () => void this.download(),
          restart: () => void this.restart(),
          askDelete: () => this.setFooter("confirm-delete"),
        }),
      );
    }
  }

  private footerError(text: string): void {
    const el = this.footerBox.querySelector<HTMLElement>(".error");
    if (el) el.textContent = text;
  }

  // ---------- composer ----------

  private updateCounter(): void {
    const left = MAX_MESSAGE_LENGTH - this.input.value.length;
    const over = left < 0;
    this.counter.textContent = over ? `Du har ${-left} tegn for mye` : `Du har ${left} tegn igjen`;
    this.counter.classList.toggle("counter--over", over);
    this.input.setAttribute("aria-invalid", String(over));
    window.clearTimeout(this.counterAnnounceTimer);
    if (left <= 100) {
      this.counterAnnounceTimer = window.setTimeout(() => {
        this.counterLive.textContent = this.counter.textContent ?? "";
      }, 1000);
    }
  }

  private onInput(): void {
    this.updateCounter();
    this.error.textContent = "";
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 144)}px`;
    this.sendTyping(this.input.value.length > 0);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.composer.requestSubmit();
    }
  }

  private sendTyping(typing: boolean): void {
    if (!this.saved || this.owner !== "advisor") return;
    window.clearTimeout(this.typingStopTimer);
    const now = Date.now();
    if (typing) {
      this.typingStopTimer = window.setTimeout(() => this.sendTyping(false), 4000);
      if (now - this.lastTypingSent < 2500) return;
      this.lastTypingSent = now;
    } else {
      this.lastTypingSent = 0;
    }
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "typing", typing }));
    } else {
      void this.api(`/api/conversations/${this.saved.id}/typing`, { method: "POST", body: JSON.stringify({ typing }) }).catch(() => undefined);
    }
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    const text = this.input.value.trim();
    if (!text) {
      this.error.textContent = "Skriv en melding før du sender.";
      this.input.focus();
      return;
    }
    if (text.length > MAX_MESSAGE_LENGTH) {
      this.error.textContent = `Meldingen er for lang. Du kan skrive opptil ${MAX_MESSAGE_LENGTH} tegn.`;
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.onInput();
    this.sendTyping(false);
    void this.send(text, null).then((ok) => {
      if (!ok && !this.input.value) {
        this.input.value = text;
        this.updateCounter();
      }
    });
  }

  // The same request as the bot's own "Snakk med en veileder" button: the bot decides
  // (queue, or the alternatives when advisors are closed or busy).
  private async askForPerson(): Promise<void> {
    await this.send("Jeg vil snakke med en veileder", "/request_human");
    this.input.focus();
  }

  private async choose(b: ChatButton): Promise<void> {
    await this.send(b.title, b.payload);
    this.input.focus();
  }

  private async send(text: string, payload: string | null): Promise<boolean> {
    if (!this.saved) return false;
    const body: Record<string, string> = { text };
    if (payload) body.payload = payload;
    if (this.owner === "bot") this.setBotWaiting(true);
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}/messages`, { method: "POST", body: JSON.stringify(body) });
      if (!res.ok) {
        this.setBotWaiting(false);
        this.showError(await readError(res));
        return false;
      }
      const data = (await res.json()) as { message?: Message };
      if (data.message) this.addMessages([data.message], false);
      if (this.polling) void this.poll();
      return true;
    } catch {
      this.setBotWaiting(false);
      this.error.textContent = "Vi fikk ikke sendt meldingen. Sjekk nettet ditt og prøv igjen.";
      return false;
    }
  }

  private showError(err: ApiError): void {
    if (err.error === "conversation_closed") {
      this.setState("closed", null);
      return;
    }
    if (err.error === "not_found" || err.error === "unauthorized") {
      this.lost();
      return;
    }
    const text =
      err.error === "message_too_long"
        ? `Meldingen er for lang. Du kan skrive opptil ${err.limit ?? MAX_MESSAGE_LENGTH} tegn.`
        : err.message || "Noe gikk galt. Prøv igjen om litt.";
    if (this.footer === "composer") this.error.textContent = text;
    else this.footerError(text);
  }

  // ---------- conversation lifecycle ----------

  private async start(): Promise<void> {
    if (this.saved || this.starting) return;
    this.starting = true;
    setChildren(this.body, this.logRegion, this.typing);
    this.renderTyping("bot");
    try {
      const res = await fetch(`${this.hub}/api/conversations`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ page: location.pathname }),
      });
      if (!res.ok) throw await readError(res);
      const data = (await res.json()) as ConversationView & { secret: string };
      this.saved = { id: data.id, secret: data.secret, lastSeenId: 0 };
      this.stored = true;
      this.farewell = null;
      this.idle.share();
      this.messages.clear();
      this.footer = "composer";
      this.rating = null;
      this.typing.replaceChildren();
      this.setState(data.owner ?? "bot", null);
      // Not a read: the cursor stays at 0, and the first read brings these again (kept once).
      this.addMessages(data.messages ?? [], false);
      this.save();
      this.renderStatus();
      this.renderBody();
      this.renderFooter();
      this.connect();
      if (this.open) this.input.focus();
    } catch (e) {
      this.typing.replaceChildren();
      // Only the hub's own errors carry Norwegian text; a network or CORS failure is a TypeError in English.
      const fromHub = typeof (e as ApiError)?.error === "string" ? (e as ApiError).message : "";
      const msg = fromHub || "Chatten er ikke tilgjengelig akkurat nå. Prøv igjen senere, eller ring oss på 55 55 33 33.";
      setChildren(
        this.body,
        h("div", { class: "aksel-base-alert", "data-color": "danger", role: "alert" }, h("p", null, msg)),
        h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => void this.start() }, h("span", null, "Prøv igjen")),
      );
    } finally {
      this.starting = false;
    }
  }

  /** After a reload or a page change: catch up over HTTP, then go live. */
  private async resume(): Promise<void> {
    if (!this.saved) return;
    this.renderFooter();
    const ok = await this.poll();
    if (ok) this.connect();
  }

  private lost(): void {
    this.forget();
    this.renderStatus();
    setChildren(
      this.body,
      h("p", null, "Samtalen finnes ikke lenger. Du kan starte en ny chat."),
      h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "primary", onclick: () => void this.start() }, h("span", null, "Start en ny chat")),
    );
    this.renderFooter();
  }

  private askEnd(): void {
    if (!this.saved || this.owner === "closed") return;
    this.setFooter("confirm");
  }

  private async end(): Promise<void> {
    if (!this.saved) return;
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}/end`, { method: "POST" });
      if (!res.ok && res.status !== 409) {
        this.showError(await readError(res));
        return;
      }
    } catch {
      this.footerError("Vi fikk ikke avsluttet chatten. Prøv igjen.");
      return;
    }
    this.setState("closed", null);
    this.setFooter("ended");
  }

  private async rate(value: string): Promise<void> {
    if (!this.saved) return;
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}/rating`, { method: "POST", body: JSON.stringify({ value }) });
      if (!res.ok && res.status !== 409) {
        this.showError(await readError(res));
        return;
      }
    } catch {
      this.footerError("Vi fikk ikke lagret svaret ditt. Prøv igjen.");
      return;
    }
    this.rating = value;
    this.renderFooter();
    this.footerBox.querySelector<HTMLElement>(".thanks")?.focus();
  }

  private async download(): Promise<void> {
    if (!this.saved) return;
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}/transcript`);
      if (!res.ok) {
        this.showError(await readError(res));
        return;
      }
      const blob = await res.blob();
      const disposition = res.headers.get("Content-Disposition") ?? "";
      const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? "samtale-med-nav.txt";
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: decodeURIComponent(name), hidden: true });
      this.footerBox.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch {
      this.footerError("Vi fikk ikke lastet ned samtalen. Prøv igjen.");
    }
  }

  private async restart(): Promise<void> {
    this.forget();
    this.farewell = null;
    // The visitor asked for a new chat: they have read the notice (forgetting cleared it).
    localStorage.setItem(NOTICE_KEY, "1");
    this.renderStatus();
    await this.start();
  }

  /** "Slett samtalen", confirmed: delete it at the hub (or end it, if an advisor took part). */
  private async deleteConversation(): Promise<void> {
    if (!this.saved) return;
    let farewell: Farewell = { kind: "deleted" };
    try {
      const res = await this.api(`/api/conversations/${encodeURIComponent(this.saved.id)}`, { method: "DELETE" });
      if (res.ok) {
        const data = (await res.json()) as { deleted?: boolean; retention_days?: number };
        if (data.deleted === false) farewell = { kind: "kept", retentionDays: data.retention_days ?? 30 };
      } else if (res.status !== 404) {
        // (404: already gone, which is what the visitor asked for.)
        this.footerError((await readError(res)).message || "Vi fikk ikke slettet samtalen. Prøv igjen.");
        return;
      }
    } catch {
      this.footerError("Vi fikk ikke slettet samtalen. Sjekk nettet ditt og prøv igjen.");
      return;
    }
    this.forgetWith(farewell);
  }

  /** "Var svaret nyttig?": sent once; the hub says 409 if this answer was already rated. */
  private async sendVote(messageId: number, vote: Vote): Promise<VoteResult> {
    if (!this.saved) return "failed";
    let result: VoteResult;
    try {
      const res = await this.api(`/api/conversations/${encodeURIComponent(this.saved.id)}/messages/${messageId}/feedback`, {
        method: "POST",
        body: JSON.stringify({ value: vote }),
      });
      result = res.ok ? "sent" : res.status === 409 ? "already" : "failed";
    } catch {
      result = "failed";
    }
    if (result !== "failed") {
      this.votes.set(messageId, vote);
      this.save();
    }
    return result;
  }

  private async leaveQueue(): Promise<void> {
    if (!this.saved) return;
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}/queue`, { method: "DELETE" });
      if (!res.ok) {
        this.showError(await readError(res));
        return;
      }
      this.setState("bot", null);
      this.input.focus();
    } catch {
      this.error.textContent = "Vi fikk ikke tatt deg ut av køen. Prøv igjen.";
    }
  }

  // ---------- transport: WebSocket, HTTP polling as fallback ----------

  private stopTransport(): void {
    window.clearTimeout(this.reconnectTimer);
    window.clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.polling = false;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
  }

  private connect(): void {
    if (!this.saved || this.owner === "closed") return;
    if (this.forcePolling || typeof WebSocket === "undefined" || this.wsFailures >= 3) {
      this.startPolling();
      return;
    }
    const url = `${this.hub.replace(/^http/, "ws")}/api/conversations/${encodeURIComponent(this.saved.id)}/ws`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.wsFailures++;
      this.startPolling();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      if (!this.saved) return;
      ws.send(JSON.stringify({ type: "auth", secret: this.saved.secret, last_seen_id: this.saved.lastSeenId }));
    };
    ws.onmessage = (ev) => {
      this.wsFailures = 0;
      this.wsEverOpened = true;
      if (this.polling) {
        window.clearInterval(this.pollTimer);
        this.polling = false;
      }
      try {
        this.onFrame(JSON.parse(String(ev.data)) as { type: string; data: Record<string, unknown> });
      } catch {
        /* ignore malformed frames */
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!opened || !this.wsEverOpened) this.wsFailures++;
      if (this.wsFailures >= 2) this.startPolling();
      const delay = Math.min(10000, 1000 * 2 ** Math.min(this.wsFailures, 4));
      this.reconnectTimer = window.setTimeout(() => {
        // Catch up over HTTP first, so nothing is missed while the socket was down.
        void this.poll().then((ok) => {
          if (ok && !this.ws) this.connect();
        });
      }, delay);
    };
  }

  private onFrame(frame: { type: string; data: Record<string, unknown> }): void {
    const d = frame.data ?? {};
    switch (frame.type) {
      case "message":
        this.addMessages([d as unknown as Message], true);
        break;
      case "state":
        this.setState(d.owner as Owner, (d.queue as QueueInfo | null) ?? null);
        break;
      case "typing":
        if (d.sender === "advisor" || d.sender === "bot") {
          if (d.typing) this.showTyping(d.sender);
          else this.showTyping(null);
        }
        break;
      case "error":
        if (d.error === "unauthorized" || d.error === "not_found") this.lost();
        else if (d.error === "conversation_closed") this.setState("closed", null);
        break;
    }
  }

  private startPolling(): void {
    if (this.polling || !this.saved) return;
    this.polling = true;
    window.clearInterval(this.pollTimer);
    this.pollTimer = window.setInterval(() => void this.poll(), POLL_MS);
  }

  /** GET the conversation after the last seen message; returns false if it is gone. */
  private async poll(): Promise<boolean> {
    if (!this.saved) return false;
    try {
      const res = await this.api(`/api/conversations/${this.saved.id}?after=${this.saved.lastSeenId}`);
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        this.lost();
        return false;
      }
      if (!res.ok) return true;
      const data = (await res.json()) as ConversationView;
      this.rating = data.rating ?? this.rating;
      this.addMessages(data.messages ?? [], true);
      if (data.owner !== this.owner || data.owner === "queue") this.setState(data.owner, data.queue ?? null);
      return true;
    } catch {
      return true;
    }
  }

}

// document.currentScript is only set while the script first runs.
const SCRIPT = findScript();

function boot(): void {
  if (document.getElementById("nav-chat-widget")) return;
  const script = SCRIPT;
  const hub = script?.dataset.hub || (script?.src ? new URL(script.src, location.href).origin : location.origin);
  const transport = script?.dataset.transport ?? new URLSearchParams(location.search).get("navchat-transport");
  const widget = new ChatWidget(hub, transport === "polling", forgetAfterMinutes(script?.dataset.forgetAfterMinutes));
  (window as unknown as { navChat?: ChatWidget }).navChat = widget;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
