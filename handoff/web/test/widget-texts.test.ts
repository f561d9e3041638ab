import { describe, expect, it } from "vitest";

import type { Message } from "../src/shared/types";
import { languageSwitch } from "../src/widget/language";
import { errorOutcome, launcherLabel, senderLabels, statusText, waitText } from "../src/widget/state";
import { chatLanguage, TEXTS, textsFor, type WidgetTexts } from "../src/widget/texts";

/** Every text of a table, the functions called with sample values. */
function allTexts(t: WidgetTexts): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "function") walk((v as (x: unknown) => unknown)(3));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(t);
  return out;
}

describe("the widget's text tables", () => {
  it("have the same texts in both languages, none of them empty", () => {
    expect(Object.keys(TEXTS.en).sort()).toEqual(Object.keys(TEXTS.nb).sort());
    expect(allTexts(TEXTS.en)).toHaveLength(allTexts(TEXTS.nb).length);
    for (const text of [...allTexts(TEXTS.nb), ...allTexts(TEXTS.en)]) expect(text.trim()).not.toBe("");
  });

  it("keep no Norwegian in the English table (no æ, ø or å, no common Norwegian words)", () => {
    for (const text of allTexts(TEXTS.en).filter((s) => s !== "Norsk")) {
      expect(text).not.toMatch(/[æøåÆØÅ]/);
      expect(text).not.toMatch(/\b(og|ikke|du|svaret|samtalen|veileder)\b/i);
    }
  });

  it("give the answer rating and the chat's rating in English for an English chat", () => {
    expect(TEXTS.en.feedback.question).toBe("Was this answer helpful?");
    expect([TEXTS.en.feedback.yes, TEXTS.en.feedback.no]).toEqual(["Yes", "No"]);
    expect(TEXTS.nb.feedback.question).toBe("Var svaret nyttig?");
    expect(TEXTS.en.ended.question).toBe("Did you get an answer to what you wanted to know?");
    expect(TEXTS.en.askForPerson).toBe("Talk to an adviser");
  });

  it("follow the hub's language: English only for 'en', Norwegian for anything else", () => {
    expect(textsFor("en")).toBe(TEXTS.en);
    expect(textsFor("nb")).toBe(TEXTS.nb);
    expect(textsFor(null)).toBe(TEXTS.nb);
    expect(textsFor("de")).toBe(TEXTS.nb);
    expect(chatLanguage("en")).toBe("en");
    expect(chatLanguage("nb")).toBe("nb");
    expect(chatLanguage(undefined)).toBeNull();
    expect(chatLanguage("EN")).toBeNull();
  });

  it("name the switch in the language it chooses, from the same table", () => {
    expect(languageSwitch("nb").label).toBe(TEXTS.en.languageName);
    expect(languageSwitch("en").label).toBe(TEXTS.nb.languageName);
  });
});

describe("the widget's state texts in English", () => {
  const en = TEXTS.en;
  const msg = (sender: Message["sender"]): Message => ({ id: 1, sender, text: "x", created_at: "" });

  it("say status, wait, launcher and senders in English", () => {
    expect(statusText(true, "queue", en)).toBe("You are waiting for an adviser");
    expect(statusText(false, "bot", en)).toBe("Chatbot and advisers");
    expect(waitText({ position: 1, estimated_wait_minutes: 1, advisors_available: 2 } as never, en)).toBe(
      "The expected waiting time is about 1 minute.",
    );
    expect(launcherLabel(2, en)).toBe("Chat with Nav, 2 new messages");
    expect(senderLabels(msg("visitor"), en)).toEqual({ who: "You", spoken: "You wrote: " });
    expect(senderLabels({ ...msg("advisor"), advisor_name: "Kari" }, en).who).toBe("Kari, adviser at Nav");
  });

  it("show an English error instead of the hub's Norwegian message in an English chat", () => {
    expect(errorOutcome({ error: "rate_limited", message: "For mange meldinger." }, 1000, en)).toEqual({
      kind: "show",
      text: en.error,
    });
    expect(errorOutcome({ error: "message_too_long", limit: 500 }, 1000, en)).toEqual({
      kind: "show",
      text: "The message is too long. You can write up to 500 characters.",
    });
    expect(errorOutcome({ error: "rate_limited", message: "For mange meldinger." }, 1000)).toEqual({
      kind: "show",
      text: "For mange meldinger.",
    });
  });
});
