import { describe, expect, it } from "vitest";
import {
  type Change,
  count,
  describe as describeChange,
  englishTag,
  englishToSave,
  examplesCountText,
  lines,
  matching,
  percent,
  type Publication,
  publicationFaqs,
  publicationKind,
  publicationScores,
  unpublishedText,
} from "../src/content/state";

const change = (answer: boolean, added: number, removed: number): Change => ({
  at: "2026-01-01T10:00:00Z",
  editor: "Kari",
  answer_changed: answer,
  examples_added: added,
  examples_removed: removed,
  before: { answer: "", examples: [] },
});

describe("content page wording", () => {
  it("says what one save did, in plain words", () => {
    expect(describeChange(change(false, 0, 0))).toBe("lagret uten å endre noe");
    expect(describeChange(change(true, 0, 0))).toBe("endret svaret");
    expect(describeChange(change(true, 2, 0))).toBe("endret svaret og la til 2 eksempler");
    expect(describeChange(change(true, 1, 3))).toBe("endret svaret, la til 1 eksempel og fjernet 3 eksempler");
    expect(count(1, "svar", "svar")).toBe("1 svar");
  });

  it("counts different examples, one per line", () => {
    expect(lines(" a \n\n b\n")).toEqual(["a", "b"]);
    expect(examplesCountText("a\nA\nb")).toBe("2 eksempler. Det trengs minst 15.");
    expect(examplesCountText(Array.from({ length: 15 }, (_, i) => `e${i}`).join("\n"))).toBe("15 eksempler.");
  });

  it("finds answers by title or id", () => {
    const s = [
      { id: "dagpenger_soknad", tema: "arbeid", title: "Søke dagpenger", examples: 20, unpublished: false, english: "current" as const },
      { id: "foreldrepenger", tema: "familie", title: "Foreldrepenger", examples: 20, unpublished: true, english: "stale" as const },
    ];
    expect(matching(s, "  ").length).toBe(2);
    expect(matching(s, "SØKE").map((x) => x.id)).toEqual(["dagpenger_soknad"]);
    expect(matching(s, "foreldre").map((x) => x.id)).toEqual(["foreldrepenger"]);
  });

  it("says what is waiting to be published, and the scores", () => {
    expect([0, 1, 2].map(unpublishedText)).toEqual([
      "Alle lagrede endringer er publisert.",
      "1 svar er endret og ikke publisert.",
      "2 svar er endret og ikke publisert.",
    ]);
    expect(percent(null)).toBe("ikke målt");
    expect(percent(0.934).replace(/\s/g, " ")).toBe("93,4 %");
  });
});

const publication = (kind: Publication["kind"], faqs: Record<string, string>, extra: Partial<Publication> = {}): Publication => ({
  id: 3,
  at: "2026-12-05T19:00:00+00:00",
  by: "kari",
  kind,
  model_id: "m",
  faqs,
  scores: null,
  restored_from: null,
  current: false,
  restorable: true,
  ...extra,
});

describe("publication history wording", () => {
  it("says what each publication was and which answers it changed", () => {
    expect(publicationKind(publication("texts", {}))).toBe("Nye svartekster, samme modell");
    expect(publicationKind(publication("model", {}))).toBe("Ny modell, trent og testet");
    expect(publicationKind(publication("restore", {}, { restored_from: 1 }))).toBe("Publisering 1 tatt i bruk igjen");
    expect(publicationFaqs(publication("start", {}))).toBe("");
    expect(publicationFaqs(publication("texts", {}))).toBe("Ingen svar endret.");
    expect(publicationFaqs(publication("texts", { a: "A", b: "B", c: "C" }))).toBe("Endret: «A», «B» og «C».");
    expect(publicationFaqs(publication("restore", { a: "A" }))).toBe("Svar som ble som før: «A».");
  });

  it("shows the gate's scores in one line, and nothing when none were measured", () => {
    expect(publicationScores(publication("texts", {}))).toBe("");
    const scores = { passed: true, worse: [], rows: [{ key: "k", name: "Riktig svar", now: 0.934, before: 0.9, target: "≥ 90 %", passed: true }] };
    expect(publicationScores(publication("model", {}, { scores }))).toBe("Riktig svar 93,4 %");
  });
});

describe("the English answer on the content page", () => {
  it("marks an English answer that is missing or older in the list", () => {
    expect(englishTag("missing")).toBe("Engelsk mangler");
    expect(englishTag("stale")).toBe("Engelsk er eldre");
    expect(englishTag("current")).toBeNull();
    expect(englishTag(undefined)).toBeNull();
  });

  it("sends the English text only when changed, or confirmed as still right", () => {
    const entry = { answer_en: "Apply on nav.no." };
    expect(englishToSave(entry, "Apply on nav.no.", false)).toBeNull();
    expect(englishToSave(entry, "Apply online on nav.no.", false)).toBe("Apply online on nav.no.");
    expect(englishToSave(entry, "Apply on nav.no.", true)).toBe("Apply on nav.no.");
    // Missing and left empty: nothing to save (the Norwegian answer can be saved alone).
    expect(englishToSave({ answer_en: null }, "", true)).toBeNull();
    expect(englishToSave({ answer_en: null }, "Apply.", false)).toBe("Apply.");
  });

  it("says a save changed the English answer", () => {
    expect(describeChange({ ...change(false, 0, 0), answer_en_changed: true })).toBe("endret det engelske svaret");
    expect(describeChange({ ...change(true, 1, 0), answer_en_changed: true })).toBe(
      "endret svaret, endret det engelske svaret og la til 1 eksempel",
    );
  });
});
