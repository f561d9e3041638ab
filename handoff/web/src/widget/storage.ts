// What the widget keeps in the browser, and how it is forgotten.
//
// localStorage (every tab of the site): the open conversation's id and secret, when the
// visitor last used the chat, and that the first-time notice was read. sessionStorage (this
// tab): a copy of the messages, whether the panel is open. No cookies. A conversation is
// removed from both as soon as it ends (see docs/contracts/hub-api.md, "Forgetting a
// conversation"): the next person at a shared computer must find nothing.

import type { Message } from "../shared/types";

export const STORE_KEY = "navchat:conversation";
export const NOTICE_KEY = "navchat:notice-seen";
export const OPEN_KEY = "navchat:open";
export const MESSAGES_KEY = "navchat:messages:";
/** When the visitor last used the chat (ms since 1970), shared by every tab. */
export const ACTIVE_KEY = "navchat:active-at";

export type Vote = "ja" | "nei";

export interface Saved {
  id: string;
  secret: string;
  /** The cursor for "what is new": the highest id the hub has sent when asked (GET, WebSocket). */
  lastSeenId: number;
  /** The conversation's language as last heard from the hub, so a reload shows it at once. */
  language?: string;
}

/** This tab's copy of the messages (sessionStorage), and the cursor they were read up to. */
export interface Cached {
  readUpTo: number;
  messages: Message[];
  /** "Var svaret nyttig?" answered here, by message id. */
  votes?: Record<string, Vote>;
}

export function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function writeJson(storage: Storage, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the chat still works for this page */
  }
}

function remove(storage: Storage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    /* storage disabled: nothing was kept */
  }
}

/** This tab's message copies of other conversations than `keep` (left by a tab that was closed). */
export function dropOtherCopies(keep: string | null): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const key = sessionStorage.key(i);
      if (key?.startsWith(MESSAGES_KEY) && key !== MESSAGES_KEY + keep) sessionStorage.removeItem(key);
    }
  } catch {
    /* storage disabled */
  }
}

/**
 * Remove conversation `id` from the browser: id, secret, the tab's copy of the messages, when
 * it was used, and that the notice was read (the next person should read it too). If another
 * tab has started a new conversation meanwhile, that one is left alone.
 */
export function forgetStored(id: string | null): void {
  const current = readJson<Saved>(localStorage, STORE_KEY);
  const other = current && current.id !== id ? current.id : null;
  dropOtherCopies(other);
  if (id === null || other !== null) return;
  remove(localStorage, STORE_KEY);
  remove(localStorage, ACTIVE_KEY);
  remove(localStorage, NOTICE_KEY);
}

export function readActiveAt(): number | null {
  const value = Number(readJson<number>(localStorage, ACTIVE_KEY));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Another tab may have written a later time: the latest use wins. */
export function writeActiveAt(at: number): void {
  const stored = readActiveAt();
  if (stored === null || at > stored) writeJson(localStorage, ACTIVE_KEY, at);
}
