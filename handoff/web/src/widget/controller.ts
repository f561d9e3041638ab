// The widget's controller: what happens when the visitor does something, or the hub says
// something. It keeps the state (state.ts), stores it (storage.ts), draws it (view.ts), talks
// to the hub (api.ts) and follows it live (shared/live.ts).

import { LiveConnection, type Frame } from "../shared/live";
import { ApiFailure, type ApiError, failure, readError } from "../shared/api";
import { loadSettings, maxMessageLength, onSettings } from "../shared/settings";
import type { ChatButton, Message, Owner, QueueInfo } from "../shared/types";
import { VisitorApi } from "./api";
import type { VoteResult } from "./feedback";
import type { Farewell } from "./forget";
import { IdleWatch, isStale } from "./idle";
import {
  addMessages,
  cacheOf,
  clearConversation,
  type ConversationView,
  errorOutcome,
  escapeTarget,
  type Footer,
  initialState,
  restoreCache,
  transcriptName,
  type WidgetState,
} from "./state";
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
import { type ChatLanguage, languageSwitch } from "./language";
import { chatLanguage } from "./texts";
import { TypingNotifier } from "./typing";
import { WidgetView } from "./view";

const POLL_MS = 2000;

export interface WidgetOptions {
  hub: string;
  forcePolling: boolean;
  forgetMinutes: number;
}

export class ChatWidget {
  private readonly api: VisitorApi;
  private readonly forgetMinutes: number;
  private readonly idle: IdleWatch;
  private readonly state: WidgetState;
  private readonly view: WidgetView;
  private readonly live: LiveConnection;
  private readonly typing: TypingNotifier;
  private starting = false;

  constructor(opts: WidgetOptions) {
    const hub = opts.hub.replace(/\/$/, "");
    this.api = new VisitorApi(hub);
    this.forgetMinutes = opts.forgetMinutes;
    this.idle = new IdleWatch({
      limitMs: opts.forgetMinutes * 60_000,
      paused: () => this.state.owner === "queue",
      holding: () => this.state.saved !== null,
      stored: () => this.state.stored,
      onIdle: () => this.forgetIdle(),
    });
    this.state = initialState(readJson<Saved>(localStorage, STORE_KEY));
    // Left unused too long (the browser was closed on it): end it and forget it before
    // anything is shown, so the next person at this computer sees nothing of it.
    const saved = this.state.saved;
    if (saved && isStale(readActiveAt(), Date.now(), opts.forgetMinutes * 60_000)) {
      this.api.endQuietly(saved);
      forgetStored(saved.id);
      this.state.saved = null;
    }
    dropOtherCopies(this.state.saved?.id ?? null);
    this.live = new LiveConnection({
      active: () => this.state.saved !== null && this.state.owner !== "closed",
      url: () => this.api.socketUrl(this.state.saved?.id ?? ""),
      auth: () => {
        const s = this.state.saved;
        return s ? { type: "auth", secret: s.secret, last_seen_id: s.lastSeenId } : null;
      },
      onFrame: (frame) => this.onFrame(frame),
      poll: () => void this.poll(),
      pollMs: POLL_MS,
      // Catch up over HTTP first, so nothing is missed while the socket was down.
      catchUp: () => this.poll(),
      pollingOnly: opts.forcePolling,
    });

    this.typing = new TypingNotifier(
      (typing) => {
        const saved = this.state.saved;
        if (saved && !this.live.send({ type: "typing", typing })) void this.api.typing(saved, typing).catch(() => undefined);
      },
      () => this.state.saved !== null && this.state.owner === "advisor",
    );
    this.view = new WidgetView({
      setOpen: (open) => this.setOpen(open),
      askEnd: () => this.askEnd(),
      submit: () => this.onSubmit(),
      input: () => this.onInput(),
      escape: () => this.onEscape(),
      use: () => this.idle.use(),
      askForPerson: () => void this.askForPerson(),
      switchLanguage: () => void this.switchLanguage(),
      leaveQueue: () => void this.leaveQueue(),
      startFromNotice: () => {
        localStorage.setItem(NOTICE_KEY, "1");
        void this.start();
      },
      restart: () => void this.restart(),
      start: () => void this.start(),
      end: () => void this.end(),
      rate: (value) => void this.rate(value),
      download: () => void this.download(),
      deleteConversation: () => void this.deleteConversation(),
      setFooter: (footer) => this.setFooter(footer),
      choose: (b) => void this.choose(b),
      vote: (id, vote) => this.sendVote(id, vote),
    });
    this.view.mount(hub);
    // The counter shows the hub's limit once it is known; nothing waits for it.
    onSettings(() => this.view.updateCounter(maxMessageLength()));
    void loadSettings(hub);
    this.view.updateCounter(maxMessageLength());
    this.view.renderStatus(this.state);

    if (this.state.saved) {
      this.setLanguage(chatLanguage(this.state.saved.language));
      restoreCache(this.state, readJson<Cached | Message[]>(sessionStorage, MESSAGES_KEY + this.state.saved.id));
      this.renderBody();
      // Stored by a widget that did not note its use yet: the time runs from now.
      if (readActiveAt() === null) this.idle.share();
      void this.resume();
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

  // ---------- drawing ----------

  /**
   * The conversation's language, from the hub (its `language` in the poll and the state
   * frames) or the switch: the widget's own texts follow it, and the switch offers the other.
   */
  private setLanguage(language: ChatLanguage | null): void {
    if (language === null) return;
    this.state.language = language;
    const saved = this.state.saved;
    if (saved && saved.language !== language) {
      saved.language = language;
      this.save();
    }
    if (!this.view.setLanguage(language)) return;
    this.view.renderStatus(this.state);
    this.view.renderBadge(this.state.unread);
    this.view.updateCounter(maxMessageLength());
    // Messages already shown keep the language they came in (the log is a live region: an
    // item put there again would be read again); new ones, and everything after a reload,
    // are drawn in this one. The hub says a new language before the messages in it.
    if (!this.view.showsLog) this.renderBody();
    // The composer's texts were written in place; a footer made from the texts is made
    // again, unless the visitor is in it (it would lose focus).
    const box = this.view.footerBox;
    const root = box.getRootNode() as ShadowRoot | Document;
    const inFooter = root.activeElement !== null && box.contains(root.activeElement);
    if (this.state.footer !== "composer" && !inFooter) this.view.renderFooter(this.state);
  }

  private renderBody(): void {
    this.view.renderBody(this.state, localStorage.getItem(NOTICE_KEY) === "1");
  }

  private renderLog(): void {
    if (this.view.showsLog) this.view.renderLog(this.state);
  }

  // ---------- storage ----------

  private save(): void {
    const saved = this.state.saved;
    if (!saved || !this.state.stored) return;
    writeJson(localStorage, STORE_KEY, saved);
    writeJson(sessionStorage, MESSAGES_KEY + saved.id, cacheOf(this.state));
  }

  /** The conversation ended: out of the browser's storage now, out of memory when the chat closes. */
  private unstore(): void {
    if (!this.state.stored) return;
    this.state.stored = false;
    forgetStored(this.state.saved?.id ?? null);
  }

  /**
   * Forget the conversation entirely: storage, memory and what the panel shows. `storage`
   * false when another tab has already changed the storage (it may hold a new conversation).
   */
  private forget(storage = true): void {
    if (storage) forgetStored(this.state.saved?.id ?? null);
    else dropOtherCopies(null);
    this.live.stop();
    clearConversation(this.state);
    this.view.clear();
    this.view.updateCounter(maxMessageLength());
    this.view.renderBadge(this.state.unread);
  }

  /** Forget, and show why (or, with the panel closed, just the start the next person gets). */
  private forgetWith(farewell: Farewell | null, storage = true): void {
    this.forget(storage);
    // Shown while the panel is open; a conversation that ended with it closed says so when opened.
    this.state.farewell = this.state.open || farewell?.kind === "ended-closed" ? farewell : null;
    this.view.renderStatus(this.state);
    this.renderBody();
    this.view.renderFooter(this.state);
    if (this.state.open) this.view.focusFarewell();
  }

  private forgetIdle(): void {
    if (this.state.saved && this.state.owner !== "closed") this.api.endQuietly(this.state.saved);
    this.forgetWith({ kind: "idle", minutes: this.forgetMinutes });
  }

  /** Another tab or page ended, deleted or replaced the conversation: do the same here. */
  private followStorage(): void {
    const now = readJson<Saved>(localStorage, STORE_KEY);
    if (now?.id === this.state.saved?.id) return;
    if (!this.state.stored && !now) return; // this tab's ended chat was never in storage any more
    const had = this.state.saved !== null;
    this.forgetWith(had ? { kind: "other-tab" } : null, false);
    if (now) {
      this.state.farewell = null;
      this.state.saved = now;
      this.view.renderStatus(this.state);
      this.renderBody();
      void this.resume();
    }
  }

  // ---------- open / minimise ----------

  private setOpen(open: boolean, moveFocus = true): void {
    this.state.open = open;
    sessionStorage.setItem(OPEN_KEY, open ? "1" : "0");
    this.view.showPanel(open);
    if (open) {
      this.idle.use();
      this.state.unread = 0;
      this.view.renderBadge(0);
      if (!this.state.saved && localStorage.getItem(NOTICE_KEY) === "1") void this.start();
      this.renderBody();
      this.view.renderFooter(this.state);
      this.view.scrollToNewest(this.state);
      if (moveFocus) this.view.focusDefault(this.state.footer);
    } else {
      // A closed chat is not kept: closing the panel clears it from the screen too.
      if (!this.state.stored || this.state.farewell) this.forgetWith(null);
      if (moveFocus) this.view.launcher.focus();
    }
  }

  private onEscape(): void {
    const target = escapeTarget(this.state.footer);
    if (target === "minimise") this.setOpen(false);
    else this.setFooter(target);
  }

  // ---------- messages ----------

  /** Add messages (see state.addMessages), store them and draw what is new. */
  private addMessages(list: Message[], read: boolean): void {
    const { added, moved } = addMessages(this.state, list, read);
    for (const m of added) {
      if (m.sender === "bot" || m.sender === "system") this.view.setBotWaiting(false);
      if (m.sender === "advisor" || m.sender === "bot") this.view.showTyping(null);
    }
    if (!added.length) {
      if (moved) this.save();
      return;
    }
    this.save();
    this.view.renderBadge(this.state.unread);
    this.view.showAdded(this.state);
  }

  private setState(owner: Owner, queue: QueueInfo | null | undefined): void {
    const state = this.state;
    const changed = owner !== state.owner;
    state.owner = owner;
    if (owner === "closed") this.unstore();
    state.queue = owner === "queue" ? (queue ?? state.queue) : null;
    if (owner !== "bot") this.view.setBotWaiting(false);
    this.view.renderStatus(state);
    if (owner === "closed") {
      this.live.stop();
      if (!state.open) {
        // Nobody is looking (the panel is closed, perhaps in another tab): nothing is kept,
        // not even in memory; opening the chat says it ended.
        this.forgetWith({ kind: "ended-closed" }, false);
        return;
      }
      if (state.footer !== "ended") this.setFooter("ended", state.open && changed);
    }
    if (changed) this.renderLog();
  }

  private setFooter(footer: Footer, moveFocus = true): void {
    this.state.footer = footer;
    this.view.renderFooter(this.state);
    this.renderLog();
    if (moveFocus && this.state.open) this.view.focusDefault(footer);
  }

  // ---------- composer ----------

  private onInput(): void {
    this.view.updateCounter(maxMessageLength());
    this.view.error.textContent = "";
    this.view.fitInput();
    this.typing.update(this.view.input.value.length > 0);
  }

  private onSubmit(): void {
    const { input, error } = this.view;
    const text = input.value.trim();
    if (!text) {
      error.textContent = this.view.texts.empty;
      input.focus();
      return;
    }
    // Not known yet: sent anyway, the hub checks the length too.
    const max = maxMessageLength();
    if (max !== null && text.length > max) {
      error.textContent = this.view.texts.tooLong(max);
      input.focus();
      return;
    }
    input.value = "";
    this.onInput();
    this.typing.update(false);
    void this.send(text, null).then((ok) => {
      if (!ok && !input.value) {
        input.value = text;
        this.view.updateCounter(maxMessageLength());
      }
    });
  }

  // The same request as the bot's own "Snakk med en veileder" button: the bot decides
  // (queue, or the alternatives when advisors are closed or busy).
  private async askForPerson(): Promise<void> {
    await this.send(this.view.texts.askForPersonMessage, "/request_human");
    this.view.input.focus();
  }

  // "English" / "Norsk": the bot answers in the language chosen from now on.
  private async switchLanguage(): Promise<void> {
    const next = languageSwitch(this.state.language);
    if (await this.send(next.text, next.payload)) this.setLanguage(next.lang);
    this.view.input.focus();
  }

  private async choose(b: ChatButton): Promise<void> {
    await this.send(b.title, b.payload);
    this.view.input.focus();
  }

  private async send(text: string, payload: string | null): Promise<boolean> {
    const saved = this.state.saved;
    if (!saved) return false;
    if (this.state.owner === "bot") this.view.setBotWaiting(true);
    try {
      const res = await this.api.sendMessage(saved, text, payload);
      if (!res.ok) {
        this.view.setBotWaiting(false);
        this.showError(await readError(res));
        return false;
      }
      const data = (await res.json()) as { message?: Message };
      if (data.message) this.addMessages([data.message], false);
      if (this.live.polling) void this.poll();
      return true;
    } catch {
      this.view.setBotWaiting(false);
      this.view.error.textContent = this.view.texts.sendFailed;
      return false;
    }
  }

  private showError(err: ApiError): void {
    const outcome = errorOutcome(err, maxMessageLength(), this.view.texts);
    if (outcome.kind === "closed") this.setState("closed", null);
    else if (outcome.kind === "lost") this.lost();
    else if (this.state.footer === "composer") this.view.error.textContent = outcome.text;
    else this.view.footerError(outcome.text);
  }

  /**
   * A request about the ended chat: true when it is done (409: it was already), else the
   * hub's error is shown, or `failText` when the hub could not be reached.
   */
  private async settle(request: Promise<Response>, failText: string): Promise<boolean> {
    try {
      const res = await request;
      if (res.ok || res.status === 409) return true;
      this.showError(await readError(res));
    } catch {
      this.view.footerError(failText);
    }
    return false;
  }

  // ---------- conversation lifecycle ----------

  private async start(): Promise<void> {
    if (this.state.saved || this.starting) return;
    this.starting = true;
    const view = this.view;
    view.showStarting();
    try {
      const res = await this.api.start(location.pathname);
      if (!res.ok) throw await failure(res);
      const data = (await res.json()) as ConversationView & { secret: string };
      const state = this.state;
      state.saved = { id: data.id, secret: data.secret, lastSeenId: 0, language: "nb" };
      state.stored = true;
      state.farewell = null;
      this.idle.share();
      state.messages.clear();
      state.footer = "composer";
      state.rating = null;
      view.typing.replaceChildren();
      this.setLanguage(chatLanguage(data.language) ?? "nb");
      this.setState(data.owner ?? "bot", null);
      // Not a read: the cursor stays at 0, and the first read brings these again (kept once).
      this.addMessages(data.messages ?? [], false);
      this.save();
      view.renderStatus(state);
      this.renderBody();
      view.renderFooter(state);
      this.live.connect();
      if (state.open) view.input.focus();
    } catch (e) {
      view.typing.replaceChildren();
      // Only the hub's own errors carry Norwegian text; a network or CORS failure is a TypeError in English.
      const fromHub = e instanceof ApiFailure ? e.body.message : "";
      view.showUnavailable(fromHub || view.texts.unavailable);
    } finally {
      this.starting = false;
    }
  }

  /** After a reload or a page change: catch up over HTTP, then go live. */
  private async resume(): Promise<void> {
    if (!this.state.saved) return;
    this.view.renderFooter(this.state);
    const ok = await this.poll();
    if (ok) this.live.connect();
  }

  private lost(): void {
    this.forget();
    this.view.renderStatus(this.state);
    this.view.showLost();
    this.view.renderFooter(this.state);
  }

  private askEnd(): void {
    if (!this.state.saved || this.state.owner === "closed") return;
    this.setFooter("confirm");
  }

  private async end(): Promise<void> {
    if (!this.state.saved) return;
    if (!(await this.settle(this.api.end(this.state.saved), this.view.texts.endFailed))) return;
    this.setState("closed", null);
    this.setFooter("ended");
  }

  private async rate(value: string): Promise<void> {
    if (!this.state.saved) return;
    if (!(await this.settle(this.api.rate(this.state.saved, value), this.view.texts.rateFailed))) return;
    this.state.rating = value;
    this.view.renderFooter(this.state);
    this.view.footerBox.querySelector<HTMLElement>(".thanks")?.focus();
  }

  private async download(): Promise<void> {
    if (!this.state.saved) return;
    try {
      const res = await this.api.transcript(this.state.saved);
      if (!res.ok) {
        this.showError(await readError(res));
        return;
      }
      const blob = await res.blob();
      this.view.download(blob, transcriptName(res.headers.get("Content-Disposition") ?? ""));
    } catch {
      this.view.footerError(this.view.texts.downloadFailed);
    }
  }

  private async restart(): Promise<void> {
    this.forget();
    this.state.farewell = null;
    // The visitor asked for a new chat: they have read the notice (forgetting cleared it).
    localStorage.setItem(NOTICE_KEY, "1");
    this.view.renderStatus(this.state);
    await this.start();
  }

  /** "Slett samtalen", confirmed: delete it at the hub (or end it, if an advisor took part). */
  private async deleteConversation(): Promise<void> {
    if (!this.state.saved) return;
    let farewell: Farewell = { kind: "deleted" };
    try {
      const res = await this.api.delete(this.state.saved);
      if (res.ok) {
        const data = (await res.json()) as { deleted?: boolean; retention_days?: number };
        if (data.deleted === false) farewell = { kind: "kept", retentionDays: data.retention_days ?? 30 };
      } else if (res.status !== 404) {
        // (404: already gone, which is what the visitor asked for.)
        const hub = this.state.language === "nb" ? (await readError(res)).message : "";
        this.view.footerError(hub || this.view.texts.deleteFailed);
        return;
      }
    } catch {
      this.view.footerError(this.view.texts.deleteFailedNet);
      return;
    }
    this.forgetWith(farewell);
  }

  /** "Var svaret nyttig?": sent once; the hub says 409 if this answer was already rated. */
  private async sendVote(messageId: number, vote: Vote): Promise<VoteResult> {
    if (!this.state.saved) return "failed";
    let result: VoteResult;
    try {
      const res = await this.api.vote(this.state.saved, messageId, vote);
      result = res.ok ? "sent" : res.status === 409 ? "already" : "failed";
    } catch {
      result = "failed";
    }
    if (result !== "failed") {
      this.state.votes.set(messageId, vote);
      this.save();
    }
    return result;
  }

  private async leaveQueue(): Promise<void> {
    if (!this.state.saved) return;
    try {
      const res = await this.api.leaveQueue(this.state.saved);
      if (!res.ok) {
        this.showError(await readError(res));
        return;
      }
      this.setState("bot", null);
      this.view.input.focus();
    } catch {
      this.view.error.textContent = this.view.texts.leaveQueueFailed;
    }
  }

  // ---------- from the hub ----------

  private onFrame(frame: Frame): void {
    const d = (frame.data ?? {}) as Record<string, unknown>;
    switch (frame.type) {
      case "message":
        this.addMessages([d as unknown as Message], true);
        break;
      case "state":
        this.setLanguage(chatLanguage(d.language));
        this.setState(d.owner as Owner, (d.queue as QueueInfo | null) ?? null);
        break;
      case "typing":
        if (d.sender === "advisor" || d.sender === "bot") {
          if (d.typing) this.view.showTyping(d.sender);
          else this.view.showTyping(null);
        }
        break;
      case "error":
        if (d.error === "unauthorized" || d.error === "not_found") this.lost();
        else if (d.error === "conversation_closed") this.setState("closed", null);
        break;
    }
  }

  /** GET the conversation after the last seen message; returns false if it is gone. */
  private async poll(): Promise<boolean> {
    if (!this.state.saved) return false;
    try {
      const res = await this.api.read(this.state.saved);
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        this.lost();
        return false;
      }
      if (!res.ok) return true;
      const data = (await res.json()) as ConversationView;
      this.state.rating = data.rating ?? this.state.rating;
      this.setLanguage(chatLanguage(data.language));
      this.addMessages(data.messages ?? [], true);
      if (data.owner !== this.state.owner || data.owner === "queue") this.setState(data.owner, data.queue ?? null);
      return true;
    } catch {
      return true;
    }
  }
}
