// The visitor API of the hub (docs/contracts/hub-api.md), as the widget uses it. A
// conversation's secret goes in the Authorization header; the answers are left to the
// controller, which treats each status as the visitor needs.

import { send, type Request } from "../shared/api";
import type { Saved, Vote } from "./storage";

export class VisitorApi {
  constructor(readonly hub: string) {}

  /** A request about conversation `saved` (its path after /api/conversations/{id}). */
  private about(saved: Saved, rest: string, req: Request = {}): Promise<Response> {
    return send(`${this.hub}/api/conversations/${encodeURIComponent(saved.id)}${rest}`, {
      ...req,
      headers: { Authorization: `Bearer ${saved.secret}`, ...req.headers },
    });
  }

  start(page: string): Promise<Response> {
    return send(`${this.hub}/api/conversations`, { method: "POST", body: { page } });
  }

  /** What is new after the read cursor. */
  read(saved: Saved): Promise<Response> {
    return this.about(saved, `?after=${saved.lastSeenId}`);
  }

  sendMessage(saved: Saved, text: string, payload: string | null): Promise<Response> {
    const body: Record<string, string> = { text };
    if (payload) body.payload = payload;
    return this.about(saved, "/messages", { method: "POST", body });
  }

  typing(saved: Saved, typing: boolean): Promise<Response> {
    return this.about(saved, "/typing", { method: "POST", body: { typing } });
  }

  end(saved: Saved): Promise<Response> {
    return this.about(saved, "/end", { method: "POST" });
  }

  /** End it while the page may be on its way out (keepalive); failures are the retention's. */
  endQuietly(saved: Saved): void {
    try {
      void this.about(saved, "/end", { method: "POST", keepalive: true }).catch(() => undefined);
    } catch {
      /* the hub's retention deletes it in the end */
    }
  }

  rate(saved: Saved, value: string): Promise<Response> {
    return this.about(saved, "/rating", { method: "POST", body: { value } });
  }

  transcript(saved: Saved): Promise<Response> {
    return this.about(saved, "/transcript");
  }

  delete(saved: Saved): Promise<Response> {
    return this.about(saved, "", { method: "DELETE" });
  }

  vote(saved: Saved, messageId: number, value: Vote): Promise<Response> {
    return this.about(saved, `/messages/${messageId}/feedback`, { method: "POST", body: { value } });
  }

  leaveQueue(saved: Saved): Promise<Response> {
    return this.about(saved, "/queue", { method: "DELETE" });
  }

  /** The live connection's address for conversation `id`. */
  socketUrl(id: string): string {
    return `${this.hub.replace(/^http/, "ws")}/api/conversations/${encodeURIComponent(id)}/ws`;
  }
}
