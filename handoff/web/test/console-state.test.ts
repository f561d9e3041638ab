import { describe, expect, it } from "vitest";
import type { Message } from "../src/shared/types";
import {
  type Chat,
  claimErrorText,
  urgentAcrossTopics,
  nextWaiting,
  shortcutFor,
  faqExcerpt,
  languageTag,
  markEnded,
  queueTotalText,
  reasonText,
  sortWaiting,
  staleChats,
  tabText,
  upsertChat,
  withFaqAnswer,
} from "../src/console/state";

const msg = (id: number, sender: Message["sender"], text = `m${id}`): Message => ({ id, sender, text });

function chats(): Map<string, Chat> {
  const map = new Map<string, Chat>();
  upsertChat(map, { id: "a", owner: "advisor", topic: "arbeid", reason: "unsure", messages: [msg(1, "bot"), msg(2, "visitor")] });
  return map;
}

describe("upsertChat", () => {
  it("adds a chat, then merges what the hub sends by message id", () => {
    const map = chats();
    const chat = upsertChat(map, { id: "a", owner: "closed", topic: null, messages: [msg(2, "visitor"), msg(3, "visitor")] });
    expect(map.size).toBe(1);
    expect([...chat.messages.keys()]).toEqual([1, 2, 3]);
    expect([chat.owner, chat.topic, chat.reason]).toEqual(["closed", "arbeid", "unsure"]);
  });
});

describe("markEnded", () => {
  it("says why the chat left the advisor, unless it already says something", () => {
    const map = chats();
    const chat = map.get("a") as Chat;
    chat.typing = true;
    markEnded(chat, "bot");
    expect([chat.owner, chat.typing, chat.notice]).toEqual(["bot", false, "Chatboten har tatt over samtalen."]);
    markEnded(chat, "closed");
    expect(chat.notice).toBe("Chatboten har tatt over samtalen.");
    chat.notice = "";
    markEnded(chat, "queue");
    expect(chat.notice).toBe("Samtalen er overført til en kø.");
  });
});

describe("staleChats", () => {
  it("names the chats with a newer message than the console has, and unknown ones", () => {
    const heads = [
      { conversation_id: "a", last_message_id: 2 },
      { conversation_id: "b", last_message_id: 1 },
      { conversation_id: "a", last_message_id: 5 },
      { conversation_id: 3, last_message_id: 9 },
    ] as unknown as { conversation_id: string; last_message_id: number }[];
    expect(staleChats(heads, chats())).toEqual(["b", "a"]);
  });
});

describe("queues and tabs", () => {
  it("puts urgent first, then the longest wait", () => {
    const w = (id: string, urgent: boolean, s: number) => ({ conversation_id: id, reason: "", urgent, waiting_seconds: s, first_lines: [] });
    expect(sortWaiting([w("a", false, 10), w("b", true, 5), w("c", false, 90)]).map((x) => x.conversation_id)).toEqual(["b", "c", "a"]);
  });

  it("counts who waits", () => {
    expect([0, 1, 4].map(queueTotalText)).toEqual(["Ingen venter på svar.", "1 person venter.", "4 personer venter."]);
  });

  it("names the reason, «Ba om veileder» by default", () => {
    expect([reasonText("unsure"), reasonText("urgent"), reasonText(null), reasonText("x")]).toEqual([
      "Chatboten var usikker",
      "Haster",
      "Ba om veileder",
      "Ba om veileder",
    ]);
  });

  it("titles a tab by the visitor's first words", () => {
    const map = chats();
    expect(tabText(map.get("a") as Chat)).toBe("m2");
    upsertChat(map, { id: "b", owner: "advisor", messages: [msg(1, "visitor", "Jeg lurer på dagpenger og permittering nå")] });
    expect(tabText(map.get("b") as Chat)).toBe("Jeg lurer på dagpenger og pe…");
    upsertChat(map, { id: "c", owner: "advisor", messages: [] });
    expect(tabText(map.get("c") as Chat)).toBe("Samtale");
  });

  it("explains a failed claim", () => {
    expect(claimErrorText("already_claimed", "x", 3)).toBe("Du fikk ikke samtalen. En annen veileder tok den før deg.");
    expect(claimErrorText("too_many_chats", "x", 3)).toBe(
      "Du fikk ikke samtalen, fordi du har så mange samtaler du kan ha. Du kan ha 3 samtaler samtidig. Avslutt en samtale før du tar en ny.",
    );
    expect(claimErrorText("other", "Fra huben.", 3)).toBe("Fra huben.");
  });
});

describe("urgent chats", () => {
  it("lists every topic's urgent chats together, the longest wait first", () => {
    const w = (id: string, urgent: boolean, waiting_seconds: number) => ({ conversation_id: id, reason: urgent ? "urgent" : "asked_for_person", urgent, waiting_seconds, first_lines: [] });
    const found = urgentAcrossTopics([
      { topic: "arbeid", waiting: [w("a1", false, 900), w("a2", true, 60)] },
      { topic: "generell", waiting: [w("g1", true, 300), w("g2", false, 30)] },
    ]);
    expect(found.map((f) => [f.topic, f.waiting.conversation_id])).toEqual([
      ["generell", "g1"],
      ["arbeid", "a2"],
    ]);
  });
});

describe("keyboard shortcuts", () => {
  const key = (k: string, mods: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({
    key: k,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...mods,
  });
  it("knows Alt+N, Alt+A and Alt+PageDown, and nothing typed", () => {
    expect(shortcutFor(key("n", { altKey: true }))).toBe("next");
    expect(shortcutFor(key("N", { altKey: true }))).toBe("next");
    expect(shortcutFor(key("a", { altKey: true }))).toBe("end");
    expect(shortcutFor(key("PageDown", { altKey: true }))).toBe("nextTab");
    expect(shortcutFor(key("a"))).toBeNull();
    expect(shortcutFor(key("å", { altKey: true }))).toBeNull(); // Option+A on a Mac types å
    expect(shortcutFor(key("a", { altKey: true, ctrlKey: true }))).toBeNull(); // AltGr
  });
  it("takes the urgent chat first, then the longest wait", () => {
    const w = (id: string, urgent: boolean, waiting_seconds: number) => ({ conversation_id: id, reason: "asked_for_person", urgent, waiting_seconds, first_lines: [] });
    expect(nextWaiting([])).toBeNull();
    expect(nextWaiting([{ topic: "arbeid", waiting: [w("a", false, 600)] }, { topic: "helse", waiting: [w("h", false, 900)] }])).toBe("h");
    expect(nextWaiting([{ topic: "arbeid", waiting: [w("a", false, 600)] }, { topic: "generell", waiting: [w("g", true, 5)] }])).toBe("g");
  });
});

describe("answer bank", () => {
  it("shortens a long answer in the list", () => {
    expect(faqExcerpt("kort")).toBe("kort");
    expect(faqExcerpt("a".repeat(200))).toBe(`${"a".repeat(180)}…`);
  });

  it("adds an answer after what is written", () => {
    expect(withFaqAnswer("", "Svar.")).toBe("Svar.");
    expect(withFaqAnswer("  ", "Svar.")).toBe("Svar.");
    expect(withFaqAnswer("Hei!  \n", "Svar.")).toBe("Hei!\n\nSvar.");
  });
});

describe("the conversation's language for the advisor", () => {
  it("tags an English conversation and leaves a Norwegian one untagged", () => {
    expect(languageTag("en")).toBe("Engelsk");
    expect(languageTag("nb")).toBeNull();
    expect(languageTag(undefined)).toBeNull();
    const known = new Map<string, Chat>();
    expect(upsertChat(known, { id: "c1", owner: "advisor", language: "en" }).language).toBe("en");
    expect(upsertChat(known, { id: "c2", owner: "advisor" }).language).toBe("nb");
  });
});
