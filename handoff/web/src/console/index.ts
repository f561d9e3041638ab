// The advisor (veileder) console: log in, watch the queues, claim, chat with several visitors,
// insert FAQ answers, transfer, end or hand back to the bot.

import { h, icon, setChildren } from "../shared/dom";
import { leaveIcon, personIcon, robotIcon, searchIcon, warningIcon } from "../shared/icons";
import { clock, renderText, renderVisitorText, waited } from "../shared/text";
import { MAX_MESSAGE_LENGTH, type Message, type Owner, readError, topicName } from "../shared/types";

// Where an older console kept the login; read by no one now, only removed. The login is
// the hub's HttpOnly cookie, which no script on the page can read.
const OLD_TOKEN_KEY = "navchat:advisor-token";
const POLL_MS = 3000;

interface Advisor {
  id: number | string;
  name: string;
  status: "available" | "away" | string;
  max_chats: number;
  role?: "advisor" | "editor" | string;
}

interface Waiting {
  conversation_id: string;
  reason: string;
  urgent: boolean;
  waiting_seconds: number;
  first_lines: string[];
}

interface QueueTopic {
  topic: string;
  waiting: Waiting[];
}

interface ConversationDetail {
  id: string;
  owner: Owner;
  topic?: string | null;
  reason?: string | null;
  messages?: Message[];
}

interface Chat {
  id: string;
  owner: Owner;
  topic: string | null;
  reason: string | null;
  messages: Map<number, Message>;
  typing: boolean;
  typingTimer?: number;
  unread: number;
  draft: string;
  faqQuery: string;
  faqResults: Faq[] | null;
  /** Why the last search failed (the hub's Norwegian message), or "". */
  faqError: string;
  notice: string;
}

/** One entry of the WebSocket's `chats` frame: an open chat and its newest message id. */
interface ChatHead {
  conversation_id: string;
  last_message_id: number;
}

interface Faq {
  id: string;
  topic: string;
  question: string;
  answer: string;
}

const REASONS: Record<string, string> = {
  asked_for_person: "Ba om veileder",
  unsure: "Chatboten var usikker",
  urgent: "Haster",
};

const OUTCOMES: [string, string][] = [
  ["besvart", "Besvart"],
  ["henvist", "Henvist videre"],
  ["ikke_besvart", "Ikke besvart"],
];

function reasonText(reason: string | null | undefined): string {
  return (reason && REASONS[reason]) || "Ba om veileder";
}

class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

class Console {
  private me: Advisor | null = null;
  private queues: QueueTopic[] = [];
  private queuesAt = Date.now();
  private chats = new Map<string, Chat>();
  private active: string | null = null;
  private ws: WebSocket | null = null;
  private wsFailures = 0;
  private pollTimer: number | undefined;
  private tickTimer: number | undefined;
  private reconnectTimer: number | undefined;
  private lastTypingSent = 0;
  private faqTimer: number | undefined;
  /** Chats being read again after a `chats` frame (one reading each at a time). */
  private catchingUp = new Set<string>();

  private readonly app = document.getElementById("app") as HTMLElement;
  private queueBox!: HTMLElement;
  private chatBox!: HTMLElement;
  private announcer!: HTMLElement;
  private headerStatus!: HTMLSelectElement;

  async init(): Promise<void> {
    sessionStorage.removeItem(OLD_TOKEN_KEY);
    // Logged in already (the cookie)? A 401 just means "log in".
    const res = await fetch("/api/advisor/me", { credentials: "same-origin" }).catch(() => null);
    if (res?.ok) {
      this.me = (await res.json()) as Advisor;
      await this.enter();
      return;
    }
    this.renderLogin();
  }

  // ---------- HTTP ----------

  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    if (res.status === 401 && path !== "/api/advisor/login") {
      this.loggedOut("Du er logget ut. Logg inn igjen.");
      throw new ApiFailure("unauthorized", "Du er logget ut.", 401);
    }
    if (!res.ok) {
      const err = await readError(res);
      throw new ApiFailure(err.error, err.message || "Noe gikk galt. Prøv igjen.", res.status);
    }
    if (res.status === 204) return undefined as T;
    const type = res.headers.get("Content-Type") ?? "";
    return (type.includes("json") ? await res.json() : undefined) as T;
  }

  private announce(text: string): void {
    if (!this.announcer) return;
    this.announcer.textContent = "";
    window.setTimeout(() => (this.announcer.textContent = text), 50);
  }

  // ---------- login ----------

  private renderLogin(message = ""): void {
    this.stop();
    document.title = "Logg inn – chat for veiledere – Nav";
    const error = h("div", { class: "login-error", role: "alert" });
    if (message) error.append(this.alert("warning", message));
    const user = h("input", { id: "username", name: "username", class: "field", autocomplete: "username", required: true });
    const pass = h("input", { id: "password", name: "password", type: "password", class: "field", autocomplete: "current-password", required: true });
    const submit = h("button", { type: "submit", class: "aksel-button", "data-variant": "primary" }, h("span", null, "Logg inn"));
    const form = h(
      "form",
      {
        class: "login-card",
        "aria-labelledby": "login-title",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          error.replaceChildren();
          submit.disabled = true;
          try {
            // The hub sets the login cookie; the token in the answer is for scripts, not kept here.
            const res = await this.api<{ advisor: Advisor }>("POST", "/api/advisor/login", {
              username: user.value.trim(),
              password: pass.value,
            });
            this.me = res.advisor;
            await this.enter();
          } catch (err) {
            const status = (err as ApiFailure).status;
            error.append(
              this.alert("danger", status === 401 ? "Feil brukernavn eller passord." : (err as Error).message || "Innloggingen feilet. Prøv igjen."),
            );
            pass.value = "";
            pass.focus();
          } finally {
            submit.disabled = false;
          }
        },
      },
      h("h1", { class: "aksel-heading aksel-heading--large", id: "login-title" }, "Logg inn som veileder"),
      h("p", { class: "aksel-body-short" }, "Chat med Nav – for veiledere"),
      error,
      h("div", { class: "form-field" }, h("label", { for: "username", class: "aksel-label" }, "Brukernavn"), user),
      h("div", { class: "form-field" }, h("label", { for: "password", class: "aksel-label" }, "Passord"), pass),
      submit,
    );
    setChildren(this.app, h("main", { class: "login-page" }, form));
    user.focus();
  }

  private loggedOut(message: string): void {
    this.me = null;
    this.chats.clear();
    this.active = null;
    this.renderLogin(message);
  }

  private async logout(): Promise<void> {
    try {
      await this.api("POST", "/api/advisor/logout");
    } catch {
      /* logged out anyway */
    }
    this.loggedOut("");
  }

  // ---------- main view ----------

  private async enter(): Promise<void> {
    if (this.me?.role === "editor") {
      // Editors have one page here: what the bot could not answer.
      window.location.assign("/veileder/ubesvart");
      return;
    }
    document.title = "Chat for veiledere – Nav";
    this.renderShell();
    await Promise.all([this.loadQueues(), this.loadChats()]);
    this.connect();
    this.tickTimer = window.setInterval(() => this.tick(), 15000);
  }

  private renderShell(): void {
    const me = this.me as Advisor;
    this.headerStatus = h(
      "select",
      { id: "status", class: "status-select", onchange: () => void this.setStatus(this.headerStatus.value) },
      h("option", { value: "available" }, "Tilgjengelig"),
      h("option", { value: "away" }, "Borte"),
    );
    this.headerStatus.value = me.status === "available" ? "available" : "away";
    this.queueBox = h("div", { class: "queue-list" });
    this.chatBox = h("div", { class: "chat-area" });
    this.announcer = h("div", { class: "aksel-sr-only", "aria-live": "polite", role: "status" });
    setChildren(
      this.app,
      h(
        "header",
        { class: "topbar", "data-color": "neutral" },
        h("span", { class: "topbar__brand" }, h("strong", null, "Nav"), " Chat for veiledere"),
        h("div", { class: "topbar__spacer" }),
        // A new tab: the chats here stay open while an editor reads the list.
        h("a", { href: "/veileder/ubesvart", target: "_blank", rel: "noopener", class: "topbar__link" }, "Ubesvarte spørsmål"),
        h("label", { for: "status", class: "topbar__label" }, "Status"),
        this.headerStatus,
        h("span", { class: "topbar__name", "data-testid": "advisor-name" }, icon(personIcon), me.name),
        h(
          "button",
          { type: "button", class: "aksel-button aksel-button--small topbar__logout", "data-variant": "tertiary", onclick: () => void this.logout() },
          icon(leaveIcon, "aksel-button__icon"),
          h("span", null, "Logg ut"),
        ),
      ),
      h(
        "main",
        { class: "console" },
        h("section", { class: "queues", "aria-labelledby": "queues-title", tabindex: 0 }, h("h1", { class: "aksel-heading aksel-heading--medium", id: "queues-title" }, "Køer"), this.queueBox),
        h("section", { class: "chats", "aria-labelledby": "chats-title" }, h("h2", { class: "aksel-sr-only", id: "chats-title" }, "Mine samtaler"), this.chatBox),
      ),
      this.announcer,
    );
    this.renderQueues();
    this.renderChats();
  }

  private alert(kind: "danger" | "warning" | "info" | "success", text: string): HTMLElement {
    return h("div", { class: `alert alert--${kind}` }, icon(warningIcon), h("p", null, text));
  }

  private async setStatus(status: string): Promise<void> {
    try {
      this.me = await this.api<Advisor>("PUT", "/api/advisor/status", { status });
      this.announce(status === "available" ? "Du er tilgjengelig." : "Du er satt som borte.");
    } catch (err) {
      this.announce((err as Error).message);
      this.headerStatus.value = this.me?.status === "available" ? "available" : "away";
    }
  }

  // ---------- queues ----------

  private async loadQueues(): Promise<void> {
    try {
      this.setQueues(await this.api<QueueTopic[]>("GET", "/api/advisor/queues"));
    } catch {
      /* shown as empty until the next update */
    }
  }

  private setQueues(list: QueueTopic[]): void {
    this.queues = Array.isArray(list) ? list : [];
    this.queuesAt = Date.now();
    this.renderQueues();
  }

  private tick(): void {
    const elapsed = (Date.now() - this.queuesAt) / 1000;
    for (const el of Array.from(this.queueBox.querySelectorAll<HTMLElement>("[data-waited]"))) {
      el.textContent = `Har ventet ${waited(Number(el.dataset.waited) + elapsed)}`;
    }
  }

  private renderQueues(): void {
    if (!this.queueBox) return;
    const focused = (this.queueBox.getRootNode() as Document).activeElement as HTMLElement | null;
    const focusId = focused && this.queueBox.contains(focused) ? focused.dataset.claim : undefined;
    const total = this.queues.reduce((n, q) => n + q.waiting.length, 0);
    const sections = this.queues.map((q) => {
      const id = `topic-${q.topic}`;
      const items = [...q.waiting].sort((a, b) => Number(b.urgent) - Number(a.urgent) || b.waiting_seconds - a.waiting_seconds);
      return h(
        "section",
        { class: "topic", "aria-labelledby": id, "data-topic": q.topic },
        h(
          "h2",
          { class: "topic__title", id },
          h("span", null, topicName(q.topic)),
          h("span", { class: `count${q.waiting.length ? " count--busy" : ""}`, "aria-label": `${q.waiting.length} venter` }, String(q.waiting.length)),
        ),
        items.length === 0
          ? h("p", { class: "topic__empty" }, "Ingen venter")
          : h(
              "ul",
              { class: "waiting" },
              items.map((w) =>
                h(
                  "li",
                  { class: `waiting__item${w.urgent ? " waiting__item--urgent" : ""}`, "data-conversation": w.conversation_id },
                  h(
                    "div",
                    { class: "waiting__meta" },
                    h(
                      "span",
                      { class: "aksel-tag aksel-tag--small", "data-variant": w.urgent ? "strong" : "moderate", "data-color": w.urgent ? "danger" : w.reason === "unsure" ? "warning" : "info" },
                      w.urgent ? "Haster" : reasonText(w.reason),
                    ),
                    h("span", { class: "waiting__time", "data-waited": w.waiting_seconds }, `Har ventet ${waited(w.waiting_seconds)}`),
                  ),
                  h(
                    "blockquote",
                    { class: "waiting__lines" },
                    (w.first_lines ?? []).slice(0, 3).map((line) => h("p", null, line)),
                  ),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "aksel-button aksel-button--small",
                      "data-variant": "primary",
                      "data-claim": w.conversation_id,
                      "aria-label": `Ta samtalen: ${(w.first_lines ?? [])[0] ?? topicName(q.topic)}`,
                      onclick: () => void this.claim(w.conversation_id),
                    },
                    h("span", null, "Ta samtalen"),
                  ),
                ),
              ),
            ),
      );
    });
    setChildren(
      this.queueBox,
      h("p", { class: "queue-total", "data-testid": "queue-total" }, total === 0 ? "Ingen venter på svar." : total === 1 ? "1 person venter." : `${total} personer venter.`),
      sections,
    );
    if (focusId) this.queueBox.querySelector<HTMLElement>(`[data-claim="${CSS.escape(focusId)}"]`)?.focus();
  }

  private async claim(id: string): Promise<void> {
    try {
      const conv = await this.api<ConversationDetail>("POST", `/api/advisor/conversations/${encodeURIComponent(id)}/claim`);
      this.upsertChat({ ...conv, id: conv?.id ?? id, owner: conv?.owner ?? "advisor" });
      this.active = id;
      await this.refreshChat(id);
      this.renderChats();
      this.focusComposer();
      this.announce("Du har tatt samtalen.");
      void this.loadQueues();
    } catch (err) {
      const e = err as ApiFailure;
      const text =
        e.code === "already_claimed"
          ? "En annen veileder har allerede tatt denne samtalen."
          : e.code === "too_many_chats"
            ? `Du har allerede så mange samtaler som du kan ha samtidig (${this.me?.max_chats ?? ""}). Avslutt en samtale først.`
            : e.message;
      this.showQueueError(text);
      void this.loadQueues();
    }
  }

  private showQueueError(text: string): void {
    const box = h("div", { role: "alert" }, this.alert("warning", text));
    this.queueBox.prepend(box);
    window.setTimeout(() => box.remove(), 8000);
  }

  // ---------- chats ----------

  private async loadChats(): Promise<void> {
    try {
      const list = await this.api<ConversationDetail[]>("GET", "/api/advisor/conversations");
      for (const c of list ?? []) this.upsertChat(c);
      await Promise.all([...this.chats.keys()].map((id) => this.refreshChat(id)));
      if (!this.active && this.chats.size) this.active = [...this.chats.keys()][0];
      this.renderChats();
    } catch {
      /* keep what we have */
    }
  }

  private upsertChat(c: ConversationDetail): Chat {
    let chat = this.chats.get(c.id);
    if (!chat) {
      chat = {
        id: c.id,
        owner: c.owner ?? "advisor",
        topic: c.topic ?? null,
        reason: c.reason ?? null,
        messages: new Map(),
        typing: false,
        unread: 0,
        draft: "",
        faqQuery: "",
        faqResults: null,
        faqError: "",
        notice: "",
      };
      this.chats.set(c.id, chat);
    } else {
      if (c.owner) chat.owner = c.owner;
      if (c.topic) chat.topic = c.topic;
      if (c.reason) chat.reason = c.reason;
    }
    for (const m of c.messages ?? []) chat.messages.set(m.id, m);
    return chat;
  }

  private async refreshChat(id: string): Promise<void> {
    try {
      const detail = await this.api<ConversationDetail>("GET", `/api/advisor/conversations/${encodeURIComponent(id)}`);
      const before = this.chats.get(id)?.messages.size ?? 0;
      const chat = this.upsertChat(detail);
      if (chat.owner !== "advisor") this.markEnded(chat, chat.owner);
      if (chat.messages.size !== before && id === this.active) this.renderActiveLog();
    } catch {
      /* try again later */
    }
  }

  /** A `chats` frame: read again each chat whose newest message the console does not have
   * (a `message` event it never got: dropped for a slow socket, or lost on the way). */
  private onChatHeads(heads: ChatHead[]): void {
    for (const head of heads) {
      if (typeof head?.conversation_id !== "string" || typeof head.last_message_id !== "number") continue;
      const chat = this.chats.get(head.conversation_id);
      const newest = chat ? Math.max(0, ...chat.messages.keys()) : 0;
      if (!chat || head.last_message_id > newest) void this.catchUp(head.conversation_id);
    }
  }

  private async catchUp(id: string): Promise<void> {
    if (this.catchingUp.has(id)) return;
    this.catchingUp.add(id);
    try {
      let detail: ConversationDetail;
      try {
        detail = await this.api<ConversationDetail>("GET", `/api/advisor/conversations/${encodeURIComponent(id)}`);
      } catch {
        return; // the next `chats` frame tries again
      }
      // What the console has now, after the wait: a `message` event may have come meanwhile.
      const before = this.chats.get(id);
      const had = new Set(before?.messages.keys() ?? []);
      const owner = before?.owner;
      const chat = this.upsertChat(detail); // merged by id: no duplicates
      if (chat.owner !== "advisor") this.markEnded(chat, chat.owner);
      if (!before || chat.owner !== owner) {
        // A chat this console did not know, or one that ended meanwhile: its tab and panel change.
        this.renderChats();
        return;
      }
      const missed = [...chat.messages.values()].filter((m) => !had.has(m.id));
      if (!missed.length) return;
      const fromVisitor = missed.filter((m) => m.sender === "visitor").length;
      if (fromVisitor) chat.typing = false;
      if (id === this.active) {
        // Only the missed messages are added to the log; those shown stay as they are.
        this.renderActiveLog();
        const t = this.chatBox.querySelector<HTMLElement>("#chat-typing");
        if (t) this.fillTyping(t, chat);
        return;
      }
      if (fromVisitor) {
        chat.unread += fromVisitor;
        this.renderTabs();
        this.announce(`Ny melding i en annen samtale (${topicName(chat.topic)}).`);
      }
    } finally {
      this.catchingUp.delete(id);
    }
  }

  private markEnded(chat: Chat, owner: Owner): void {
    chat.owner = owner;
    chat.typing = false;
    if (!chat.notice) {
      chat.notice =
        owner === "closed"
          ? "Chatten er avsluttet."
          : owner === "bot"
            ? "Chatboten har tatt over samtalen."
            : owner === "queue"
              ? "Samtalen er overført til en kø."
              : "";
    }
  }

  private renderChats(): void {
    if (!this.chatBox) return;
    if (this.chats.size === 0) {
      setChildren(
        this.chatBox,
        h(
          "div",
          { class: "empty" },
          h("h2", { class: "aksel-heading aksel-heading--small" }, "Du har ingen åpne samtaler"),
          h("p", null, "Ta en samtale fra køen til venstre. Du kan ha flere samtaler samtidig."),
        ),
      );
      return;
    }
    if (!this.active || !this.chats.has(this.active)) this.active = [...this.chats.keys()][0];
    const tabs = this.tabList();
    const chat = this.chats.get(this.active as string) as Chat;
    chat.unread = 0;
    // Re-rendering must not take focus (or the caret) away from the advisor.
    const focused = document.activeElement as HTMLElement | null;
    const focusId = focused && this.chatBox.contains(focused) ? focused.id : "";
    const caret = focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement ? focused.selectionStart : null;
    this.saveDraft();
    setChildren(this.chatBox, tabs, this.chatPanel(chat));
    if (focusId) {
      const again = this.chatBox.querySelector<HTMLElement>(`#${CSS.escape(focusId)}`);
      again?.focus();
      if (caret !== null && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
        again.setSelectionRange(caret, caret);
      }
    }
    this.scrollLog();
  }

  /** Only the tab row drawn again (titles, unread badges): the open chat's log and composer
   * stay as they are, so a screen reader does not hear the log again. */
  private renderTabs(): void {
    const old = this.chatBox?.querySelector<HTMLElement>('[role="tablist"]');
    if (!old || !this.active || !this.chats.has(this.active)) {
      this.renderChats();
      return;
    }
    const focused = document.activeElement as HTMLElement | null;
    const focusId = focused && old.contains(focused) ? focused.id : "";
    const tabs = this.tabList();
    old.replaceWith(tabs);
    if (focusId) tabs.querySelector<HTMLElement>(`#${CSS.escape(focusId)}`)?.focus();
  }

  private tabList(): HTMLElement {
    const ids = [...this.chats.keys()];
    return h(
      "div",
      { class: "tabs", role: "tablist", "aria-label": "Mine samtaler" },
      ids.map((id, i) => {
        const c = this.chats.get(id) as Chat;
        const selected = id === this.active;
        const first = [...c.messages.values()].find((m) => m.sender === "visitor")?.text ?? "Samtale";
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
            onclick: () => this.select(id),
            onkeydown: (e: Event) => {
              const k = (e as KeyboardEvent).key;
              if (k === "ArrowRight" || k === "ArrowLeft") {
                const next = ids[(i + (k === "ArrowRight" ? 1 : ids.length - 1)) % ids.length];
                this.select(next);
                this.chatBox.querySelector<HTMLElement>(`#tab-${CSS.escape(next)}`)?.focus();
              }
            },
          },
          h("span", { class: "tab__title" }, `${topicName(c.topic)}: ${first.slice(0, 28)}${first.length > 28 ? "…" : ""}`),
          c.unread ? h("span", { class: "tab__badge", "aria-label": `${c.unread} nye` }, String(c.unread)) : null,
          c.owner !== "advisor" ? h("span", { class: "aksel-sr-only" }, " (avsluttet)") : null,
        );
      }),
    );
  }

  private select(id: string): void {
    this.saveDraft();
    this.active = id;
    this.renderChats();
  }

  private saveDraft(): void {
    const ta = this.chatBox?.querySelector<HTMLTextAreaElement>("#reply");
    const id = ta?.closest<HTMLElement>("[data-conversation]")?.dataset.conversation;
    const chat = id ? this.chats.get(id) : undefined;
    if (chat && ta) chat.draft = ta.value;
  }

  private chatPanel(chat: Chat): HTMLElement {
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
        live ? this.actions(chat) : h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => this.closeTab(chat.id) }, h("span", null, "Lukk samtalen")),
      ),
      chat.notice ? h("div", { role: "status" }, this.alert("info", chat.notice)) : null,
      h("div", { class: "chat__body" }, h("div", { class: "chat__scroll", tabindex: 0, role: "group", "aria-label": "Meldinger i samtalen" }, h("div", { role: "log", "aria-label": "Samtalen", "aria-live": "polite" }, log), typing), live ? this.faqPanel(chat) : null),
      live ? this.composer(chat) : null,
    );
    this.fillLog(log, chat);
    this.fillTyping(typing, chat);
    return panel;
  }

  private fillLog(log: HTMLElement, chat: Chat): void {
    const list = [...chat.messages.values()].sort((a, b) => a.id - b.id);
    const firstAdvisor = list.find((m) => m.sender === "advisor")?.id;
    const items: HTMLElement[] = [h("li", { class: "divider" }, h("span", null, "Samtalen med chatboten"))];
    for (const m of list) {
      if (m.id === firstAdvisor) items.push(h("li", { class: "divider divider--live" }, h("span", null, "Veileder i samtalen")));
      items.push(this.messageItem(m));
    }
    log.replaceChildren(...items);
  }

  private messageItem(m: Message): HTMLElement {
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

  private fillTyping(el: HTMLElement, chat: Chat): void {
    if (chat.typing && chat.owner === "advisor") {
      setChildren(el, h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")), h("span", { "data-testid": "visitor-typing" }, "Brukeren skriver …"));
    } else {
      el.replaceChildren();
    }
  }

  private renderActiveLog(): void {
    const chat = this.active ? this.chats.get(this.active) : undefined;
    const log = this.chatBox?.querySelector<HTMLElement>("#chat-log");
    if (!chat || !log) return;
    // The log is a live region that reads additions: the messages already shown stay where
    // they are (taken out and put back, they would be read again); new ones go in by id, also
    // one that was missed and comes after a later one (read again after a `chats` frame).
    const shown = Array.from(log.querySelectorAll<HTMLElement>("li[data-id]"));
    const known = new Set(shown.map((el) => Number(el.dataset.id)));
    const fresh = [...chat.messages.values()].filter((m) => !known.has(m.id)).sort((a, b) => a.id - b.id);
    for (const m of fresh) {
      const next = shown.find((el) => Number(el.dataset.id) > m.id);
      const item = this.messageItem(m);
      if (next) next.before(item);
      else log.appendChild(item);
      shown.splice(next ? shown.indexOf(next) : shown.length, 0, item);
    }
    if (fresh.length) this.placeLiveDivider(log, chat);
    this.scrollLog();
  }

  /** The divider «Veileder i samtalen» stands before the first advisor message. */
  private placeLiveDivider(log: HTMLElement, chat: Chat): void {
    const firstAdvisor = [...chat.messages.values()].filter((m) => m.sender === "advisor").sort((a, b) => a.id - b.id)[0];
    const target = firstAdvisor ? log.querySelector<HTMLElement>(`li[data-id="${firstAdvisor.id}"]`) : null;
    const divider = log.querySelector<HTMLElement>(".divider--live");
    if (!target) return;
    if (target.previousElementSibling === divider) return;
    target.before(divider ?? h("li", { class: "divider divider--live" }, h("span", null, "Veileder i samtalen")));
  }

  private scrollLog(): void {
    const scroll = this.chatBox?.querySelector<HTMLElement>(".chat__scroll");
    if (scroll) scroll.scrollTop = scroll.scrollHeight;
  }

  private actions(chat: Chat): HTMLElement {
    const topics = this.queues.map((q) => q.topic).filter((t) => t !== chat.topic);
    const transferSel = h(
      "select",
      { id: "transfer-topic", class: "field field--small" },
      (topics.length ? topics : ["generell"]).map((t) => h("option", { value: t }, topicName(t))),
    );
    const outcomeSel = h("select", { id: "end-outcome", class: "field field--small" }, OUTCOMES.map(([v, label]) => h("option", { value: v }, label)));
    return h(
      "div",
      { class: "chat__actions" },
      h(
        "div",
        { class: "action" },
        h("label", { for: "transfer-topic", class: "aksel-label aksel-label--small" }, "Overfør til kø"),
        h(
          "div",
          { class: "action__row" },
          transferSel,
          h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => void this.transfer(chat, transferSel.value) }, h("span", null, "Overfør")),
        ),
      ),
      h(
        "div",
        { class: "action" },
        h("label", { for: "end-outcome", class: "aksel-label aksel-label--small" }, "Utfall"),
        h(
          "div",
          { class: "action__row" },
          outcomeSel,
          h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "primary", "data-action": "end", onclick: () => void this.end(chat, outcomeSel.value) }, h("span", null, "Avslutt samtalen")),
        ),
      ),
      h(
        "div",
        { class: "action action--end" },
        h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: () => void this.handback(chat) }, icon(robotIcon, "aksel-button__icon"), h("span", null, "Gi tilbake til chatboten")),
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
        this.sendTyping(chat);
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
      const left = MAX_MESSAGE_LENGTH - ta.value.length;
      counter.textContent = left < 0 ? `Du har ${-left} tegn for mye` : `Du har ${left} tegn igjen`;
      counter.classList.toggle("counter--over", left < 0);
      ta.setAttribute("aria-invalid", String(left < 0));
    };
    update();
    const form = h(
      "form",
      {
        class: "composer",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const text = ta.value.trim();
          if (!text) {
            error.textContent = "Skriv en melding før du sender.";
            return;
          }
          if (text.length > MAX_MESSAGE_LENGTH) {
            error.textContent = `Meldingen er for lang. Du kan skrive opptil ${MAX_MESSAGE_LENGTH} tegn.`;
            return;
          }
          try {
            const res = await this.api<{ message: Message }>("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/messages`, { text });
            ta.value = "";
            chat.draft = "";
            update();
            this.lastTypingSent = 0;
            if (res?.message) {
              chat.messages.set(res.message.id, res.message);
              this.renderActiveLog();
            }
          } catch (err) {
            error.textContent = (err as Error).message;
          }
        },
      },
      h("label", { for: "reply", class: "aksel-label" }, "Svar til brukeren"),
      h("div", { class: "composer__row" }, ta, h("button", { type: "submit", class: "aksel-button", "data-variant": "primary" }, h("span", null, "Send"))),
      counter,
      error,
    );
    return form;
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
    const q = chat.faqQuery.trim();
    if (!q) {
      chat.faqResults = null;
      chat.faqError = "";
      this.fillFaq(box, chat);
      return;
    }
    try {
      chat.faqResults = await this.api<Faq[]>("GET", `/api/advisor/faq?q=${encodeURIComponent(q)}`);
      chat.faqError = "";
    } catch (err) {
      // E.g. 503 faq_unavailable while the bot is down: say so, not "no answers".
      chat.faqResults = [];
      chat.faqError = err instanceof ApiFailure ? err.message : "Søket virket ikke. Prøv igjen om litt.";
    }
    if (chat.faqQuery.trim() !== q) return;
    // The panel may have been drawn again meanwhile: fill the box that is on screen now.
    const live = chat.id === this.active ? this.chatBox.querySelector<HTMLElement>(".faq__results") : null;
    this.fillFaq(live ?? box, chat);
  }

  private fillFaq(box: HTMLElement, chat: Chat): void {
    if (chat.faqResults === null) {
      setChildren(box, h("p", { class: "faq__hint" }, "Søk med noen ord. Velg et svar for å sette det inn i meldingen din."));
      return;
    }
    if (chat.faqError) {
      setChildren(box, this.alert("warning", chat.faqError));
      return;
    }
    if (chat.faqResults.length === 0) {
      setChildren(box, h("p", { class: "faq__hint" }, "Fant ingen svar. Prøv andre ord."));
      return;
    }
    setChildren(
      box,
      h("p", { class: "aksel-sr-only" }, `${chat.faqResults.length} svar funnet.`),
      h(
        "ul",
        { class: "faq__list" },
        chat.faqResults.slice(0, 8).map((f) =>
          h(
            "li",
            { class: "faq__item" },
            h("p", { class: "faq__q" }, f.question),
            h("p", { class: "faq__a" }, f.answer.length > 180 ? `${f.answer.slice(0, 180)}…` : f.answer),
            h(
              "button",
              { type: "button", class: "aksel-button aksel-button--xsmall", "data-variant": "secondary", "data-faq": f.id, onclick: () => this.insertFaq(f) },
              h("span", null, "Sett inn svaret"),
              h("span", { class: "aksel-sr-only" }, `: ${f.question}`),
            ),
          ),
        ),
      ),
    );
  }

  private insertFaq(f: Faq): void {
    const ta = this.chatBox.querySelector<HTMLTextAreaElement>("#reply");
    if (!ta) return;
    ta.value = ta.value.trim() ? `${ta.value.trimEnd()}\n\n${f.answer}` : f.answer;
    ta.dispatchEvent(new Event("input"));
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
    this.announce("Svaret er satt inn i meldingen. Les gjennom før du sender.");
  }

  private focusComposer(): void {
    this.chatBox.querySelector<HTMLTextAreaElement>("#reply")?.focus();
  }

  private sendTyping(chat: Chat): void {
    const now = Date.now();
    if (now - this.lastTypingSent < 2500) return;
    this.lastTypingSent = now;
    void this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/typing`, { typing: true }).catch(() => undefined);
  }

  private async transfer(chat: Chat, topic: string): Promise<void> {
    try {
      await this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/transfer`, { topic });
      this.markEnded(chat, "queue");
      chat.notice = `Samtalen er overført til køen ${topicName(topic)}.`;
      this.renderChats();
      this.announce(chat.notice);
    } catch (err) {
      this.chatError((err as Error).message);
    }
  }

  private async end(chat: Chat, outcome: string): Promise<void> {
    try {
      await this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/end`, { outcome });
      this.markEnded(chat, "closed");
      chat.notice = "Du har avsluttet chatten.";
      this.renderChats();
      this.announce(chat.notice);
      this.chatBox.querySelector<HTMLElement>(".chat__head button")?.focus();
    } catch (err) {
      this.chatError((err as Error).message);
    }
  }

  private async handback(chat: Chat): Promise<void> {
    try {
      await this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/handback`);
      this.markEnded(chat, "bot");
      chat.notice = "Du har gitt samtalen tilbake til chatboten.";
      this.renderChats();
      this.announce(chat.notice);
    } catch (err) {
      this.chatError((err as Error).message);
    }
  }

  private chatError(text: string): void {
    const panel = this.chatBox.querySelector<HTMLElement>(".chat__head");
    if (!panel) return;
    const box = h("div", { role: "alert" }, this.alert("danger", text));
    panel.after(box);
    window.setTimeout(() => box.remove(), 8000);
  }

  private closeTab(id: string): void {
    this.chats.delete(id);
    if (this.active === id) this.active = null;
    this.renderChats();
    (this.chatBox.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ?? this.queueBox.querySelector<HTMLElement>("button"))?.focus();
  }

  // ---------- live updates ----------

  private stop(): void {
    window.clearInterval(this.pollTimer);
    window.clearInterval(this.tickTimer);
    window.clearTimeout(this.reconnectTimer);
    this.pollTimer = undefined;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
  }

  private connect(): void {
    if (!this.me) return;
    if (this.wsFailures >= 2 || typeof WebSocket === "undefined") {
      this.startPolling();
      return;
    }
    const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/advisor/ws`);
    this.ws = ws;
    let gotFrame = false;
    // The handshake carries the login cookie.
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth" }));
    ws.onmessage = (ev) => {
      gotFrame = true;
      this.wsFailures = 0;
      try {
        this.onFrame(JSON.parse(String(ev.data)) as { type: string; data: unknown });
      } catch {
        /* ignore */
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!gotFrame) this.wsFailures++;
      if (this.wsFailures >= 2) {
        this.startPolling();
        return;
      }
      this.reconnectTimer = window.setTimeout(() => {
        void Promise.all([this.loadQueues(), this.loadChats()]).then(() => this.connect());
      }, 1500);
    };
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = window.setInterval(() => {
      void this.loadQueues();
      for (const id of this.chats.keys()) {
        const c = this.chats.get(id);
        if (c && c.owner === "advisor") void this.refreshChat(id);
      }
    }, POLL_MS);
  }

  private onFrame(frame: { type: string; data: unknown }): void {
    switch (frame.type) {
      case "queues":
        this.setQueues(frame.data as QueueTopic[]);
        break;
      case "chats":
        if (Array.isArray(frame.data)) this.onChatHeads(frame.data as ChatHead[]);
        break;
      case "message": {
        const d = frame.data as { conversation_id: string; message: Message };
        const chat = this.chats.get(d.conversation_id);
        if (!chat) {
          void this.refreshChat(d.conversation_id).then(() => this.renderChats());
          return;
        }
        if (chat.messages.has(d.message.id)) return;
        chat.messages.set(d.message.id, d.message);
        if (d.message.sender === "visitor") {
          chat.typing = false;
          if (d.conversation_id !== this.active) {
            chat.unread++;
            this.saveDraft();
            const ta = this.chatBox.querySelector<HTMLTextAreaElement>("#reply");
            const hadFocus = ta !== null && document.activeElement === ta;
            const pos = ta?.selectionStart ?? 0;
            this.renderChats();
            if (hadFocus) {
              const nta = this.chatBox.querySelector<HTMLTextAreaElement>("#reply");
              nta?.focus();
              nta?.setSelectionRange(pos, pos);
            }
            this.announce(`Ny melding i en annen samtale (${topicName(chat.topic)}).`);
            return;
          }
        }
        if (d.conversation_id === this.active) {
          this.renderActiveLog();
          const t = this.chatBox.querySelector<HTMLElement>("#chat-typing");
          if (t) this.fillTyping(t, chat);
        }
        break;
      }
      case "typing": {
        const d = frame.data as { conversation_id: string; typing: boolean };
        const chat = this.chats.get(d.conversation_id);
        if (!chat) return;
        chat.typing = Boolean(d.typing);
        window.clearTimeout(chat.typingTimer);
        if (chat.typing) {
          chat.typingTimer = window.setTimeout(() => {
            chat.typing = false;
            if (chat.id === this.active) {
              const t = this.chatBox.querySelector<HTMLElement>("#chat-typing");
              if (t) this.fillTyping(t, chat);
            }
          }, 8000);
        }
        if (chat.id === this.active) {
          const t = this.chatBox.querySelector<HTMLElement>("#chat-typing");
          if (t) this.fillTyping(t, chat);
        }
        break;
      }
      case "conversation": {
        const d = frame.data as { conversation_id: string; owner: Owner };
        const chat = this.chats.get(d.conversation_id);
        if (!chat) {
          if (d.owner === "advisor") void this.loadChats();
          return;
        }
        if (d.owner === chat.owner) return;
        if (d.owner === "advisor") {
          chat.owner = "advisor";
          chat.notice = "";
        } else {
          const wasLive = chat.owner === "advisor";
          this.markEnded(chat, d.owner);
          if (wasLive && d.owner === "closed") chat.notice = "Brukeren har avsluttet chatten.";
          this.announce(chat.notice);
        }
        this.saveDraft();
        this.renderChats();
        break;
      }
      case "error": {
        const d = frame.data as { error?: string };
        if (d?.error === "unauthorized") this.loggedOut("Du er logget ut. Logg inn igjen.");
        break;
      }
    }
  }
}

void new Console().init();
