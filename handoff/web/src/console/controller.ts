// The advisor console's controller: log in, follow the queues, claim, chat with several
// visitors, insert FAQ answers, transfer, end or hand back to the bot. It keeps the state
// (state.ts), draws it (view.ts, chat-view.ts), talks to the hub (shared/api.ts) and follows
// it live (shared/live.ts).

import { ApiFailure, call, type Request } from "../shared/api";
import { setChildren } from "../shared/dom";
import { LiveConnection, type Frame } from "../shared/live";
import { loadSettings, topicName } from "../shared/settings";
import type { Message, Owner } from "../shared/types";
import { ChatArea } from "./chat-view";
import {
  type Advisor,
  type Chat,
  type ChatHead,
  claimErrorText,
  type ConversationDetail,
  type Faq,
  markEnded,
  needsSuggestions,
  latestVisitorId,
  type QueueTopic,
  staleChats,
  type Suggestions,
  upsertChat,
} from "./state";
import { loginView, queueError, renderQueues, renderShell, type Shell, tickWaited } from "./view";

// Where an older console kept the login; read by no one now, only removed. The login is
// the hub's HttpOnly cookie, which no script on the page can read.
const OLD_TOKEN_KEY = "navchat:advisor-token";
const POLL_MS = 3000;
const LOGIN = "/api/advisor/login";

export class Console {
  private me: Advisor | null = null;
  private queues: QueueTopic[] = [];
  private queuesAt = Date.now();
  private chats = new Map<string, Chat>();
  private active: string | null = null;
  private tickTimer: number | undefined;
  private lastTypingSent = 0;
  /** Chats being read again after a `chats` frame (one reading each at a time). */
  private catchingUp = new Set<string>();
  private readonly live: LiveConnection;

  private readonly app = document.getElementById("app") as HTMLElement;
  private shell: Shell | null = null;
  private area: ChatArea | null = null;

  constructor() {
    this.live = new LiveConnection({
      active: () => this.me !== null,
      url: () => `${location.origin.replace(/^http/, "ws")}/api/advisor/ws`,
      // The handshake carries the login cookie.
      auth: () => ({ type: "auth" }),
      onFrame: (frame) => this.onFrame(frame),
      poll: () => {
        void this.loadQueues();
        for (const c of this.chats.values()) if (c.owner === "advisor") void this.refreshChat(c.id);
      },
      pollMs: POLL_MS,
      catchUp: () => Promise.all([this.loadQueues(), this.loadChats()]).then(() => true),
    });
  }

  async init(): Promise<void> {
    sessionStorage.removeItem(OLD_TOKEN_KEY);
    void loadSettings(); // read while the login is checked; enter() waits for it
    // Logged in already (the cookie)? A 401 just means "log in".
    try {
      this.me = await call<Advisor>("/api/advisor/me");
      await this.enter();
    } catch {
      this.renderLogin();
    }
  }

  // ---------- HTTP ----------

  /** A request to the hub; a 401 (the login cookie is gone) logs out. */
  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const req: Request = { method, body };
    try {
      return await call<T>(path, req, "Noe gikk galt. Prøv igjen.");
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401 && path !== LOGIN) {
        this.loggedOut("Du er logget ut. Logg inn igjen.");
        throw new ApiFailure("unauthorized", "Du er logget ut.", 401);
      }
      throw err;
    }
  }

  private announce(text: string): void {
    const announcer = this.shell?.announcer;
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(() => (announcer.textContent = text), 50);
  }

  // ---------- login ----------

  private renderLogin(message = ""): void {
    this.stop();
    document.title = "Logg inn – chat for veiledere – Nav";
    const { page, focus } = loginView(message, async (username, password) => {
      // The hub sets the login cookie; the token in the answer is for scripts, not kept here.
      const res = await this.api<{ advisor: Advisor }>("POST", LOGIN, { username, password });
      this.me = res.advisor;
      await this.enter();
    });
    this.shell = null;
    this.area = null;
    setChildren(this.app, page);
    focus.focus();
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

  private stop(): void {
    window.clearInterval(this.tickTimer);
    this.live.stop();
  }

  // ---------- main view ----------

  private async enter(): Promise<void> {
    const me = this.me as Advisor;
    if (me.role === "editor") {
      // Editors have one page here: what the bot could not answer.
      window.location.assign("/veileder/ubesvart");
      return;
    }
    if (me.role === "leder") {
      // Supervisors watch the queues and the advisors; they take no chats.
      window.location.assign("/veileder/oversikt");
      return;
    }
    // The topic names and the length limit before the first drawing (a failure leaves ids and no limit).
    await loadSettings();
    document.title = "Chat for veiledere – Nav";
    this.shell = renderShell(this.app, me, {
      setStatus: (status) => void this.setStatus(status),
      logout: () => void this.logout(),
    });
    this.area = new ChatArea(this.shell.chatBox, {
      select: (id) => this.select(id),
      closeTab: (id) => this.closeTab(id),
      transfer: (chat, topic) => void this.transfer(chat, topic),
      end: (chat, outcome) => void this.end(chat, outcome),
      handback: (chat) => void this.handback(chat),
      reply: (chat, text) => this.reply(chat, text),
      typing: (chat) => this.sendTyping(chat),
      searchFaq: (chat) => this.searchFaq(chat),
      isActive: (id) => id === this.active,
      announce: (text) => this.announce(text),
    });
    this.renderQueues();
    this.renderChats();
    await Promise.all([this.loadQueues(), this.loadChats()]);
    this.live.connect();
    this.tickTimer = window.setInterval(() => tickWaited(this.shell?.queueBox ?? this.app, (Date.now() - this.queuesAt) / 1000), 15000);
  }

  private async setStatus(status: string): Promise<void> {
    try {
      this.me = await this.api<Advisor>("PUT", "/api/advisor/status", { status });
      this.announce(status === "available" ? "Du er tilgjengelig." : "Du er satt som borte.");
    } catch (err) {
      this.announce((err as Error).message);
      if (this.shell) this.shell.headerStatus.value = this.me?.status === "available" ? "available" : "away";
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

  private renderQueues(): void {
    if (this.shell) renderQueues(this.shell.queueBox, this.queues, (id) => void this.claim(id));
  }

  private async claim(id: string): Promise<void> {
    try {
      const conv = await this.api<ConversationDetail>("POST", `/api/advisor/conversations/${encodeURIComponent(id)}/claim`);
      upsertChat(this.chats, { ...conv, id: conv?.id ?? id, owner: conv?.owner ?? "advisor" });
      this.active = id;
      await this.refreshChat(id);
      this.renderChats();
      this.area?.focusComposer();
      this.announce("Du har tatt samtalen.");
      void this.loadQueues();
    } catch (err) {
      const e = err as ApiFailure;
      if (this.shell) queueError(this.shell.queueBox, claimErrorText(e.code, e.message, this.me?.max_chats));
      void this.loadQueues();
    }
  }

  // ---------- chats ----------

  private async loadChats(): Promise<void> {
    try {
      const list = await this.api<ConversationDetail[]>("GET", "/api/advisor/conversations");
      for (const c of list ?? []) upsertChat(this.chats, c);
      await Promise.all([...this.chats.keys()].map((id) => this.refreshChat(id)));
      if (!this.active && this.chats.size) this.active = [...this.chats.keys()][0];
      this.renderChats();
    } catch {
      /* keep what we have */
    }
  }

  private async refreshChat(id: string): Promise<void> {
    try {
      const detail = await this.api<ConversationDetail>("GET", `/api/advisor/conversations/${encodeURIComponent(id)}`);
      const before = this.chats.get(id)?.messages.size ?? 0;
      const chat = upsertChat(this.chats, detail);
      if (chat.owner !== "advisor") markEnded(chat, chat.owner);
      if (chat.messages.size !== before && id === this.active) this.area?.renderActiveLog(chat);
      void this.suggest(chat);
    } catch {
      /* try again later */
    }
  }

  /** The answer bank's suggestions for the visitor's newest message, read once per message. */
  private async suggest(chat: Chat): Promise<void> {
    if (!needsSuggestions(chat)) return;
    chat.suggestedFor = latestVisitorId(chat);
    try {
      const found = await this.api<Suggestions>("GET", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/suggestions`);
      chat.suggestions = found?.answers ?? [];
    } catch {
      chat.suggestions = []; // the search still works, and says why if it does not
    }
    if (chat.id === this.active) this.area?.refreshFaq(chat);
  }

  /** A `chats` frame: read again each chat whose newest message the console does not have
   * (a `message` event it never got: dropped for a slow socket, or lost on the way). */
  private onChatHeads(heads: ChatHead[]): void {
    for (const id of staleChats(heads, this.chats)) void this.catchUp(id);
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
      const chat = upsertChat(this.chats, detail); // merged by id: no duplicates
      if (chat.owner !== "advisor") markEnded(chat, chat.owner);
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
        this.area?.renderActiveLog(chat);
        this.area?.refreshTyping(chat);
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

  private renderChats(): void {
    const area = this.area;
    if (!area) return;
    if (this.chats.size === 0) {
      area.renderEmpty();
      return;
    }
    if (!this.active || !this.chats.has(this.active)) this.active = [...this.chats.keys()][0];
    const chat = this.chats.get(this.active) as Chat;
    chat.unread = 0;
    area.render(this.chats, chat, this.queues.map((q) => q.topic));
  }

  private renderTabs(): void {
    if (!this.area || !this.active || !this.chats.has(this.active) || !this.area.renderTabs(this.chats, this.active)) {
      this.renderChats();
    }
  }

  private select(id: string): void {
    this.area?.saveDraft(this.chats);
    this.active = id;
    this.renderChats();
  }

  private closeTab(id: string): void {
    this.chats.delete(id);
    if (this.active === id) this.active = null;
    this.renderChats();
    const box = this.area?.box;
    (box?.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ?? this.shell?.queueBox.querySelector<HTMLElement>("button"))?.focus();
  }

  // ---------- a chat's actions ----------

  private async reply(chat: Chat, text: string): Promise<string | null> {
    try {
      const res = await this.api<{ message: Message }>("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/messages`, { text });
      this.lastTypingSent = 0;
      if (res?.message) {
        chat.messages.set(res.message.id, res.message);
        if (chat.id === this.active) this.area?.renderActiveLog(chat);
      }
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  private sendTyping(chat: Chat): void {
    const now = Date.now();
    if (now - this.lastTypingSent < 2500) return;
    this.lastTypingSent = now;
    void this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/typing`, { typing: true }).catch(() => undefined);
  }

  private async searchFaq(chat: Chat): Promise<boolean> {
    const q = chat.faqQuery.trim();
    if (!q) {
      chat.faqResults = null;
      chat.faqError = "";
      return true;
    }
    try {
      chat.faqResults = await this.api<Faq[]>("GET", `/api/advisor/faq?q=${encodeURIComponent(q)}`);
      chat.faqError = "";
    } catch (err) {
      // E.g. 503 faq_unavailable while the bot is down: say so, not "no answers".
      chat.faqResults = [];
      chat.faqError = err instanceof ApiFailure ? err.message : "Søket virket ikke. Prøv igjen om litt.";
    }
    return chat.faqQuery.trim() === q;
  }

  /** Transfer, end or hand back: the chat leaves this advisor, and says so. */
  private async leave(chat: Chat, action: string, body: unknown, owner: Owner, notice: string): Promise<boolean> {
    try {
      await this.api("POST", `/api/advisor/conversations/${encodeURIComponent(chat.id)}/${action}`, body);
    } catch (err) {
      this.area?.chatError((err as Error).message);
      return false;
    }
    markEnded(chat, owner);
    chat.notice = notice;
    this.renderChats();
    this.announce(chat.notice);
    return true;
  }

  private async transfer(chat: Chat, topic: string): Promise<void> {
    await this.leave(chat, "transfer", { topic }, "queue", `Samtalen er overført til køen ${topicName(topic)}.`);
  }

  private async end(chat: Chat, outcome: string): Promise<void> {
    if (await this.leave(chat, "end", { outcome }, "closed", "Du har avsluttet chatten.")) {
      this.area?.box.querySelector<HTMLElement>(".chat__head button")?.focus();
    }
  }

  private async handback(chat: Chat): Promise<void> {
    await this.leave(chat, "handback", undefined, "bot", "Du har gitt samtalen tilbake til chatboten.");
  }

  // ---------- live updates ----------

  private onFrame(frame: Frame): void {
    switch (frame.type) {
      case "queues":
        this.setQueues(frame.data as QueueTopic[]);
        break;
      case "chats":
        if (Array.isArray(frame.data)) this.onChatHeads(frame.data as ChatHead[]);
        break;
      case "message":
        this.onMessage(frame.data as { conversation_id: string; message: Message });
        break;
      case "typing":
        this.onTyping(frame.data as { conversation_id: string; typing: boolean });
        break;
      case "conversation":
        this.onConversation(frame.data as { conversation_id: string; owner: Owner });
        break;
      case "error":
        if ((frame.data as { error?: string })?.error === "unauthorized") this.loggedOut("Du er logget ut. Logg inn igjen.");
        break;
    }
  }

  private onMessage(d: { conversation_id: string; message: Message }): void {
    const chat = this.chats.get(d.conversation_id);
    if (!chat) {
      void this.refreshChat(d.conversation_id).then(() => this.renderChats());
      return;
    }
    if (chat.messages.has(d.message.id)) return;
    chat.messages.set(d.message.id, d.message);
    if (d.message.sender === "visitor") {
      chat.typing = false;
      void this.suggest(chat);
      if (d.conversation_id !== this.active) {
        chat.unread++;
        const box = this.area?.box;
        this.area?.saveDraft(this.chats);
        const ta = box?.querySelector<HTMLTextAreaElement>("#reply") ?? null;
        const hadFocus = ta !== null && document.activeElement === ta;
        const pos = ta?.selectionStart ?? 0;
        this.renderChats();
        if (hadFocus) {
          const nta = box?.querySelector<HTMLTextAreaElement>("#reply");
          nta?.focus();
          nta?.setSelectionRange(pos, pos);
        }
        this.announce(`Ny melding i en annen samtale (${topicName(chat.topic)}).`);
        return;
      }
    }
    if (d.conversation_id === this.active) {
      this.area?.renderActiveLog(chat);
      this.area?.refreshTyping(chat);
    }
  }

  private onTyping(d: { conversation_id: string; typing: boolean }): void {
    const chat = this.chats.get(d.conversation_id);
    if (!chat) return;
    chat.typing = Boolean(d.typing);
    window.clearTimeout(chat.typingTimer);
    if (chat.typing) {
      chat.typingTimer = window.setTimeout(() => {
        chat.typing = false;
        if (chat.id === this.active) this.area?.refreshTyping(chat);
      }, 8000);
    }
    if (chat.id === this.active) this.area?.refreshTyping(chat);
  }

  private onConversation(d: { conversation_id: string; owner: Owner }): void {
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
      markEnded(chat, d.owner);
      if (wasLive && d.owner === "closed") chat.notice = "Brukeren har avsluttet chatten.";
      this.announce(chat.notice);
    }
    this.area?.saveDraft(this.chats);
    this.renderChats();
  }
}
