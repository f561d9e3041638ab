// What the content page shows: the service's shapes and the wording of counts and changes.
// No DOM and no network here.

export interface Summary {
  id: string;
  tema: string;
  title: string;
  examples: number;
  unpublished: boolean;
  english: EnglishState;
}

// The English answer beside the Norwegian one (bot/content/english.py).
export type EnglishState = "current" | "missing" | "stale";

export interface Entry {
  id: string;
  tema: string;
  title: string;
  answer: string;
  // null: there is no English answer yet.
  answer_en: string | null;
  english: EnglishState;
  // What the service says about the English answer ("Engelsk svar mangler", …).
  english_text: string;
  examples: string[];
  version: string;
  link: string;
  facts: string;
  unpublished: boolean;
  changes: Change[];
}

// One save of an entry, with the text it replaced (what "Hent tilbake" restores).
export interface Change {
  at: string;
  editor: string;
  answer_changed: boolean;
  answer_en_changed?: boolean;
  examples_added: number;
  examples_removed: number;
  // answer_en: absent in saves from before English answers were edited here.
  before: { answer: string; examples: string[]; answer_en?: string | null };
}

export interface Problem {
  field: "answer" | "answer_en" | "examples";
  message: string;
}

export interface QualityRow {
  key: string;
  name: string;
  now: number | null;
  before: number | null;
  target: string;
  passed: boolean;
}

// The new model's scores on test questions it never saw, beside the running model's.
export interface Quality {
  passed: boolean;
  rows: QualityRow[];
  worse: string[];
}

export interface PublishStatus {
  state: "idle" | "running" | "succeeded" | "failed";
  message: string;
  by: string;
  started_at: string;
  finished_at: string;
  details: string;
  quality: Quality | null;
  // The path the last publish took: only texts (live at once) or a new model (trained and tested).
  route?: "" | "unchanged" | "texts" | "model" | "restore";
  unpublished: string[];
}

export const MIN_EXAMPLES = 15;

export function when(iso: string): string {
  return new Date(iso).toLocaleString("nb-NO", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

// "endret svaret og la til 2 eksempler": what one save did, in plain words.
export function describe(change: Change): string {
  const parts = [
    change.answer_changed ? "endret svaret" : "",
    change.answer_en_changed ? "endret det engelske svaret" : "",
    change.examples_added ? `la til ${count(change.examples_added, "eksempel", "eksempler")}` : "",
    change.examples_removed ? `fjernet ${count(change.examples_removed, "eksempel", "eksempler")}` : "",
  ].filter(Boolean);
  if (parts.length === 0) return "lagret uten å endre noe";
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} og ${parts[parts.length - 1]}`;
}

/** The short mark in the list of answers for an English answer that needs work, or null. */
export function englishTag(state: EnglishState | undefined): string | null {
  if (state === "missing") return "Engelsk mangler";
  if (state === "stale") return "Engelsk er eldre";
  return null;
}

/**
 * The English text to send with a save, or null to leave the English answer as it is: sent
 * when the editor changed it, or when it is older than the Norwegian one and the editor
 * has said it still fits (`confirmed`).
 */
export function englishToSave(entry: Pick<Entry, "answer_en">, field: string, confirmed: boolean): string | null {
  if (field !== (entry.answer_en ?? "")) return field;
  return confirmed && entry.answer_en !== null ? field : null;
}

export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** How many different examples there are (the same line twice counts once), and what it takes. */
export function examplesCountText(text: string): string {
  const n = new Set(lines(text).map((l) => l.toLowerCase())).size;
  return n < MIN_EXAMPLES ? `${n} eksempler. Det trengs minst ${MIN_EXAMPLES}.` : `${n} eksempler.`;
}

/** The answers whose title or id contains the search (lower case). */
export function matching(summaries: Summary[], search: string): Summary[] {
  const q = search.trim().toLowerCase();
  return summaries.filter((s) => !q || s.title.toLowerCase().includes(q) || s.id.includes(q));
}

export function unpublishedText(n: number): string {
  return n === 0 ? "Alle lagrede endringer er publisert." : n === 1 ? "1 svar er endret og ikke publisert." : `${n} svar er endret og ikke publisert.`;
}

/** A score as "93,4 %", or "ikke målt". */
export function percent(v: number | null): string {
  return v === null ? "ikke målt" : `${(v * 100).toLocaleString("nb-NO", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

// One publication in the history (bot/release/history.py), newest first.
export interface Publication {
  id: number;
  at: string;
  by: string;
  kind: "start" | "texts" | "model" | "restore";
  model_id: string;
  // The FAQs it changed against the publication before: id -> title.
  faqs: Record<string, string>;
  scores: Quality | null;
  restored_from: number | null;
  current: boolean;
  restorable: boolean;
}

/** What a publication was, in words an editor knows. */
export function publicationKind(p: Publication): string {
  switch (p.kind) {
    case "start":
      return "Boten startet med dette innholdet";
    case "texts":
      return "Nye svartekster, samme modell";
    case "model":
      return "Ny modell, trent og testet";
    case "restore":
      return p.restored_from === null ? "Tatt i bruk igjen" : `Publisering ${p.restored_from} tatt i bruk igjen`;
  }
}

/** Which answers a publication changed: "Endret: «A» og «B»." */
export function publicationFaqs(p: Publication): string {
  const titles = Object.values(p.faqs).map((t) => `«${t}»`);
  if (titles.length === 0) return p.kind === "start" ? "" : "Ingen svar endret.";
  const list = titles.length === 1 ? titles[0] : `${titles.slice(0, -1).join(", ")} og ${titles[titles.length - 1]}`;
  return `${p.kind === "restore" ? "Svar som ble som før" : "Endret"}: ${list}.`;
}

/** The gate's scores in one line: "Treffsikkerhet 93,4 % · …", or "" when nothing was measured. */
export function publicationScores(p: Publication): string {
  if (!p.scores || p.scores.rows.length === 0) return "";
  return p.scores.rows.map((row) => `${row.name} ${percent(row.now)}`).join(" · ");
}
