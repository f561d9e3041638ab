// Forget a conversation nobody uses: someone at a shared computer may walk away from an open
// chat. Only the visitor's own doings count as use (a key, a click, writing, opening the chat),
// not messages arriving; waiting in the queue counts as use, so nobody loses a place to the timer.

import { readActiveAt, writeActiveAt } from "./storage";

export const DEFAULT_FORGET_MINUTES = 30;
const MAX_FORGET_MINUTES = 24 * 60;
const CHECK_MS = 15_000;
// A use is written for the other tabs at most this often (a write per key press is wasteful).
const SHARE_MS = 10_000;

/** The script tag's `data-forget-after-minutes` (1 to 1440), else 30. */
export function forgetAfterMinutes(raw: string | undefined): number {
  const n = Number(raw);
  if (!raw || !Number.isFinite(n)) return DEFAULT_FORGET_MINUTES;
  return Math.min(MAX_FORGET_MINUTES, Math.max(1, Math.round(n)));
}

/** Whether a conversation last used at `activeAt` is past the limit (no time known: it is not). */
export function isStale(activeAt: number | null, now: number, limitMs: number): boolean {
  return activeAt !== null && now - activeAt >= limitMs;
}

export interface IdleOptions {
  limitMs: number;
  /** True while the time should not run (waiting in the queue). */
  paused: () => boolean;
  /** True while there is something to forget. */
  holding: () => boolean;
  /** True while it is in the browser's storage (an ended chat is only in memory). */
  stored: () => boolean;
  onIdle: () => void;
}

export class IdleWatch {
  // Not the page load: a page opened by the next person must not make the last one's chat new.
  private lastUse = 0;
  private lastShared = 0;
  private timer: number | undefined;

  constructor(private readonly opts: IdleOptions) {}

  /** Check now and every few seconds, and whenever the page comes back into view. */
  start(): void {
    window.clearInterval(this.timer);
    this.timer = window.setInterval(() => this.check(), CHECK_MS);
    document.addEventListener("visibilitychange", () => this.check());
    window.addEventListener("focus", () => this.check());
  }

  /** The visitor did something in the chat. */
  use(): void {
    this.lastUse = Date.now();
    if (!this.opts.holding() || !this.opts.stored()) return;
    if (this.lastUse - this.lastShared >= SHARE_MS) {
      this.lastShared = this.lastUse;
      writeActiveAt(this.lastUse);
    }
  }

  /** A use that must reach the other tabs at once (a new conversation, a message sent). */
  share(): void {
    this.lastShared = 0;
    this.use();
  }

  /** The latest use in any tab, or null if none is known. */
  private latest(): number | null {
    const latest = Math.max(this.lastUse, readActiveAt() ?? 0);
    return latest > 0 ? latest : null;
  }

  check(): void {
    if (!this.opts.holding()) return;
    if (this.opts.paused()) {
      this.use();
      return;
    }
    if (isStale(this.latest(), Date.now(), this.opts.limitMs)) this.opts.onIdle();
  }
}
