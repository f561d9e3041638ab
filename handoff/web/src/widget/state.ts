// What the widget knows about the conversation, and the rules that change it. No DOM, no
// storage, no network here: the controller applies these, the view draws the result.

import type { Farewell } from "./forget";
import type { Cached, Saved, Vote } from "./storage";
import { FALLBACK_ERROR, type ApiError } from "../shared/api";
import type { Message, Owner, QueueInfo } from "../shared/types";
import type { ChatLanguage } from "./language";
import { TEXTS, type WidgetTexts } from "./texts";

export type Footer = "composer" | "confirm" | "ended" | "confirm-delete";

/** The conversation as the hub sends it (POST /api/conversations, GET …?after=). */
export interface ConversationView {
  id: string;
  owner: Owner;
  queue?: QueueInfo | null;
  messages: Message[];
  rating?: string | null;
  /** The conversation's language as the hub knows it ("nb" or "en"). */
  language?: string | null;
}

export interface WidgetState {
  /** The conversation's id, secret and read cursor, while there is one. */
  saved: Saved | null;
  /** False once the conversation has ended: it stays in memory (rating, download), not in storage. */
  stored: boolean;
  /** Shown in the body instead of the chat after the conversation was forgotten. */
  farewell: Farewell | null;
  votes: Map<number, Vote>;
  messages: Map<number, Message>;
  owner: Owner;
  queue: QueueInfo | null;
  rating: string | null;
  /** The conversation's language: the widget's texts and the switch follow it. */
  language: ChatLanguage;
  open: boolean;
  unread: number;
  footer: Footer;
}

export function initialState(saved: Saved | null): WidgetState {
  return {
    saved,
    stored: true,
    farewell: null,
    votes: new Map(),
    messages: new Map(),
    owner: "bot",
    queue: null,
    rating: null,
    language: "nb",
    open: false,
    unread: 0,
    footer: "composer",
  };
}

/** Back to a widget with no conversation (the panel's open state stays). */
export function clearConversation(state: WidgetState): void {
  state.saved = null;
  state.stored = true;
  state.messages.clear();
  state.votes.clear();
  state.owner = "bot";
  state.queue = null;
  state.rating = null;
  // The language stays: what the panel shows next (a farewell, the notice) is in it.
  state.footer = "composer";
  state.unread = 0;
}

export function sortedMessages(messages: Map<number, Message>): Message[] {
  return [...messages.values()].sort((a, b) => a.id - b.id);
}

/** The id of the visitor's last message, or 0. */
export function lastVisitorId(list: Message[]): number {
  return list.reduce((acc, m) => (m.sender === "visitor" ? m.id : acc), 0);
}

/** Answer choices are offered under the bot's newest turn only, while the bot has the chat. */
export function showsChoices(m: Message, lastVisitor: number, owner: Owner, footer: Footer): boolean {
  return (m.sender === "bot" || m.sender === "system") && m.id > lastVisitor && owner === "bot" && footer !== "ended";
}

/**
 * Add messages to the conversation; returns those that were new. `read` says they are the
 * hub's answer to "what is new" (GET …?after=, WebSocket), which moves the cursor. The
 * visitor's own message echoed by POST …/messages does not: an advisor's message with a lower
 * id may not be read yet. `moved` says whether the cursor moved.
 */
export function addMessages(state: WidgetState, list: Message[], read: boolean): { added: Message[]; moved: boolean } {
  const added: Message[] = [];
  let moved = false;
  for (const m of list) {
    if (!m || typeof m.id !== "number") continue;
    if (read && state.saved && m.id > state.saved.lastSeenId) {
      state.saved.lastSeenId = m.id;
      moved = true;
    }
    if (state.messages.has(m.id)) continue;
    state.messages.set(m.id, m);
    added.push(m);
    if (m.sender !== "visitor" && !state.open) state.unread++;
  }
  return { added, moved };
}

/** This tab's copy of the conversation (sessionStorage): the newest 300 messages. */
export function cacheOf(state: WidgetState): Cached {
  const messages = sortedMessages(state.messages).slice(-300);
  return { readUpTo: state.saved?.lastSeenId ?? 0, messages, votes: Object.fromEntries(state.votes) };
}

/**
 * Take this tab's copy back after a reload. (An array is the copy of an older widget, which did
 * not say what it had read.) The cursor is shared by every tab (localStorage), the copy is not:
 * a new tab has none and reads the conversation from the start; a tab reads on from what it has read.
 */
export function restoreCache(state: WidgetState, cached: Cached | Message[] | null): void {
  const list = Array.isArray(cached) ? cached : (cached?.messages ?? []);
  for (const m of list) state.messages.set(m.id, m);
  if (!Array.isArray(cached)) {
    for (const [id, vote] of Object.entries(cached?.votes ?? {})) state.votes.set(Number(id), vote);
  }
  const readUpTo = Array.isArray(cached) ? 0 : Number(cached?.readUpTo) || 0;
  if (state.saved) state.saved.lastSeenId = Math.min(Number(state.saved.lastSeenId) || 0, readUpTo);
}

/** The line under the panel's title. */
export function statusText(hasConversation: boolean, owner: Owner, t: WidgetTexts = TEXTS.nb): string {
  return hasConversation ? t.status[owner] : t.status.none;
}

/** What the visitor is told about the wait, honestly: no estimate when nobody is free. */
export function waitText(q: QueueInfo, t: WidgetTexts = TEXTS.nb): string {
  const estimate = q.estimated_wait_minutes;
  if (estimate === null || q.advisors_available === 0) return t.waitUnknown;
  return typeof estimate === "number" ? t.waitAbout(estimate) : "";
}

/** The launcher's accessible name, with the number of unread messages. */
export function launcherLabel(unread: number, t: WidgetTexts = TEXTS.nb): string {
  return unread === 0 ? t.chatWithNav : t.launcherUnread(unread);
}

/** Who wrote a message: shown above it, and read before it by a screen reader. */
export function senderLabels(m: Message, t: WidgetTexts = TEXTS.nb): { who: string; spoken: string } {
  if (m.sender === "visitor") return { who: t.you, spoken: t.youWrote };
  if (m.sender === "bot") return { who: t.bot, spoken: t.botWrites };
  return { who: t.advisor(m.advisor_name), spoken: t.advisorWrites(m.advisor_name) };
}

/** Escape in the panel: out of a question first, else the panel is minimised. */
export function escapeTarget(footer: Footer): Footer | "minimise" {
  if (footer === "confirm") return "composer";
  if (footer === "confirm-delete") return "ended";
  return "minimise";
}

/** The file name of a transcript download (Content-Disposition), or the default. */
export function transcriptName(disposition: string): string {
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? "samtale-med-nav.txt";
  return decodeURIComponent(name);
}

/** What an error from the hub means for the widget: the chat ended, is gone, or a text to show. */
export type ErrorOutcome = { kind: "closed" } | { kind: "lost" } | { kind: "show"; text: string };

export function errorOutcome(err: ApiError, maxLength: number | null, t: WidgetTexts = TEXTS.nb): ErrorOutcome {
  if (err.error === "conversation_closed") return { kind: "closed" };
  if (err.error === "not_found" || err.error === "unauthorized") return { kind: "lost" };
  const limit = err.limit ?? maxLength;
  if (err.error === "message_too_long" && limit !== null) return { kind: "show", text: t.tooLong(limit) };
  // The hub's own messages are Norwegian: an English chat shows its own.
  if (t.lang !== "nb") return { kind: "show", text: t.error };
  return { kind: "show", text: err.message || FALLBACK_ERROR };
}
