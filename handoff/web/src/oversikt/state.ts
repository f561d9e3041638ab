// The supervisors' overview: the hub's figures (GET /api/advisor/overview and the `overview`
// frame on the console's WebSocket) and how the page words them. Each frame is the whole
// state, so the page only ever shows the newest one (by `at`).

export interface Figures {
  waiting: number;
  longest_wait_seconds: number;
  in_progress: number;
  handoffs_today: Record<string, number>;
  claimed_today: number;
  longest_wait_today_seconds: number;
  answered_within_3min_today: number;
  answer_decided_today: number;
  answered_within_3min_percent: number | null;
  ratings_today: Record<string, number>;
}

export interface TopicFigures extends Figures {
  topic: string;
}

export interface Overview {
  at: string;
  day_start: string;
  total: Figures;
  topics: TopicFigures[];
  advisors: { available: number; away: number; in_chat_with_free_seats: number; free_seats: number };
}

/** Why visitors were handed over, in the order the page lists them. */
export const REASONS: [string, string][] = [
  ["asked_for_person", "Ba om veileder"],
  ["unsure", "Chatboten var usikker"],
  ["urgent", "Haster"],
];

export const RATINGS: [string, string][] = [
  ["ja", "Ja"],
  ["delvis", "Delvis"],
  ["nei", "Nei"],
];

/** The frame's data as an Overview, or null for something else. */
export function parseOverview(data: unknown): Overview | null {
  const o = data as Partial<Overview> | null;
  if (!o || typeof o.at !== "string" || !o.total || !Array.isArray(o.topics) || !o.advisors) return null;
  return o as Overview;
}

/** Whether `next` is newer than what the page shows (frames and HTTP answers may cross). */
export function isNewer(next: Overview, shown: Overview | null): boolean {
  return shown === null || next.at >= shown.at;
}

/** "3 min", "under 1 min", "1 t 5 min"; "–" when nobody waits. */
export function waitText(seconds: number, anyone: boolean): string {
  if (!anyone) return "–";
  if (seconds < 60) return "under 1 min";
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} t ${m % 60} min`;
}

/** "75 %" (of 8), or "–" when no visitor's 3 minutes are decided yet today. */
export function percentText(f: Figures): string {
  return f.answered_within_3min_percent === null ? "–" : `${f.answered_within_3min_percent} %`;
}

/** All handoffs today. */
export function handoffs(f: Figures): number {
  return Object.values(f.handoffs_today).reduce((a, b) => a + b, 0);
}

/** "12 ja, 2 delvis, 1 nei", or "Ingen" */
export function ratingsText(f: Figures): string {
  const parts = RATINGS.filter(([v]) => (f.ratings_today[v] ?? 0) > 0).map(
    ([v, label]) => `${f.ratings_today[v]} ${label.toLowerCase()}`,
  );
  return parts.length ? parts.join(", ") : "Ingen";
}
