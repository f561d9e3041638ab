// The hub's settings every page needs: the longest message it takes and the queue topics
// with their Norwegian names (GET /api/settings, read once at start-up). Until they arrive
// (or if they never do) nothing waits for them: the length is not checked here (the hub
// checks it anyway) and a topic is shown by its id.

import { send } from "./api";

export interface HubSettings {
  maxMessageLength: number;
  /** Topic id → Norwegian name, in the hub's order. */
  topics: Map<string, string>;
}

let current: HubSettings | null = null;
let loading: Promise<HubSettings | null> | null = null;
const listeners: ((settings: HubSettings) => void)[] = [];

/** The answer of GET /api/settings, or null if it is not one. */
export function parseSettings(body: unknown): HubSettings | null {
  const b = body as { max_message_length?: unknown; topics?: unknown } | null;
  if (!b || typeof b.max_message_length !== "number" || !(b.max_message_length > 0) || !Array.isArray(b.topics)) return null;
  const topics = new Map<string, string>();
  for (const t of b.topics as { id?: unknown; name?: unknown }[]) {
    if (typeof t?.id === "string" && typeof t.name === "string") topics.set(t.id, t.name);
  }
  return { maxMessageLength: b.max_message_length, topics };
}

/** Read the settings from the hub at `base` ("" for the page's own), once; never throws. */
export function loadSettings(base = ""): Promise<HubSettings | null> {
  loading ??= send(`${base}/api/settings`)
    .then(async (res) => (res.ok ? parseSettings(await res.json()) : null))
    .catch(() => null)
    .then((settings) => {
      if (settings) {
        current = settings;
        for (const listener of listeners) listener(settings);
      }
      return settings;
    });
  return loading;
}

/** Call `listener` when the settings arrive (at once if they have). */
export function onSettings(listener: (settings: HubSettings) => void): void {
  listeners.push(listener);
  if (current) listener(current);
}

/** The longest message the hub takes, or null while it is not known. */
export function maxMessageLength(): number | null {
  return current?.maxMessageLength ?? null;
}

/** A topic's name in `names`; the id, capitalised, for a topic not there. */
export function nameOf(topic: string | null | undefined, names: Map<string, string> | undefined): string {
  if (!topic) return "Generelt";
  return names?.get(topic) ?? topic.charAt(0).toUpperCase() + topic.slice(1).replace(/_/g, " ");
}

/** A topic's Norwegian name, as the hub calls it. */
export function topicName(topic: string | null | undefined): string {
  return nameOf(topic, current?.topics);
}

/** For the tests: forget what was read. */
export function resetSettings(): void {
  current = null;
  loading = null;
  listeners.length = 0;
}
