// The live connection of the widget and the console: a WebSocket to the hub, reconnected with
// backoff, and HTTP polling when the socket does not work (a proxy that blocks WebSockets).
//
// One policy for both pages. A socket "fails" when it closes before it delivered a frame (a
// socket that worked and then dropped is an outage, not a blocked path); any frame resets the
// count. After POLL_AFTER failures in a row the page polls as well, so updates keep coming
// while the socket is retried; after GIVE_UP_AFTER it stops trying the socket and only polls
// (a path that blocked three sockets will block the next). Retries wait longer each time (see
// backoffMs), so a hub that restarts is not hammered; before each retry the page catches up over
// HTTP, so nothing sent while the socket was down is missed. A frame on a socket stops polling.

export const POLL_AFTER = 2;
export const GIVE_UP_AFTER = 3;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 10_000;

/** A frame from the hub: `{type, data}`. */
export interface Frame {
  type: string;
  data: unknown;
}

/** How long to wait before the next socket after `failures` failed ones: 1, 2, 4, 8, 10 s. */
export function backoffMs(failures: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(Math.max(0, failures), 4));
}

/** Whether the socket is no longer tried after `failures` failures in a row. */
export function givesUp(failures: number): boolean {
  return failures >= GIVE_UP_AFTER;
}

/** Whether the page polls (as well) after `failures` failures in a row. */
export function pollsAfter(failures: number): boolean {
  return failures >= POLL_AFTER;
}

/** A frame's text as a Frame, or null for one that is not. */
export function parseFrame(raw: unknown): Frame | null {
  try {
    const frame = JSON.parse(String(raw)) as Frame;
    return frame && typeof frame.type === "string" ? frame : null;
  } catch {
    return null;
  }
}

export interface LiveOptions {
  /** False while there is nothing to follow (logged out, no conversation, or it ended). */
  active: () => boolean;
  /** The socket's address (ws:// or wss://). */
  url: () => string;
  /** The first frame sent on an open socket (the login); null sends none. */
  auth: () => unknown;
  onFrame: (frame: Frame) => void;
  /** One HTTP poll (what the socket would have brought). */
  poll: () => void;
  pollMs: number;
  /** Read what was missed over HTTP before a new socket; false when there is nothing to follow. */
  catchUp: () => Promise<boolean>;
  /** Polling only, never a socket (the page asked for it). */
  pollingOnly?: boolean;
}

export class LiveConnection {
  private ws: WebSocket | null = null;
  private failures = 0;
  private pollTimer: number | undefined;
  private reconnectTimer: number | undefined;

  constructor(private readonly opts: LiveOptions) {}

  /** True while the page polls over HTTP. */
  get polling(): boolean {
    return this.pollTimer !== undefined;
  }

  /** Open the socket (or poll, if sockets do not work here). */
  connect(): void {
    if (!this.opts.active()) return;
    if (this.opts.pollingOnly || typeof WebSocket === "undefined" || givesUp(this.failures)) {
      this.startPolling();
      return;
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url());
    } catch {
      this.failures++;
      this.startPolling();
      return;
    }
    this.ws = ws;
    let gotFrame = false;
    ws.onopen = () => {
      const auth = this.opts.auth();
      if (auth !== null) ws.send(JSON.stringify(auth));
    };
    // Assigned, not added with addEventListener: the browser tests wrap this property.
    ws.onmessage = (ev: MessageEvent) => {
      gotFrame = true;
      this.failures = 0;
      this.stopPolling();
      const frame = parseFrame(ev.data);
      if (frame) this.opts.onFrame(frame);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!gotFrame) this.failures++;
      if (pollsAfter(this.failures)) this.startPolling();
      if (givesUp(this.failures)) return;
      this.reconnectTimer = window.setTimeout(() => {
        void this.opts.catchUp().then((ok) => {
          if (ok && !this.ws) this.connect();
        });
      }, backoffMs(this.failures));
    };
  }

  /** Send a frame on the open socket; false when there is none (the caller uses HTTP). */
  send(frame: unknown): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Close the socket, stop polling and any retry. */
  stop(): void {
    window.clearTimeout(this.reconnectTimer);
    this.stopPolling();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close();
    }
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined || !this.opts.active()) return;
    this.pollTimer = window.setInterval(() => this.opts.poll(), this.opts.pollMs);
  }

  private stopPolling(): void {
    window.clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
