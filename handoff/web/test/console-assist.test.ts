import { describe, expect, it } from "vitest";
import type { Message } from "../src/shared/types";
import { type Chat, latestVisitorId, needsSuggestions, upsertChat } from "../src/console/state";

const msg = (id: number, sender: Message["sender"], text = `m${id}`): Message => ({ id, sender, text });
const summary = {
  topic: "arbeid",
  reason: "asked_for_person",
  first_question: "Hvordan søker jeg dagpenger?",
  last_question: null,
  bot_answers: [{ faq_id: "dagpenger_soke", title: "Hvordan søker jeg om dagpenger?" }],
  visitor_messages: 2,
};

describe("the answer bank's suggestions and the chat's summary", () => {
  it("asks for suggestions once per visitor message, and only in a live chat", () => {
    const map = new Map<string, Chat>();
    const chat = upsertChat(map, { id: "a", owner: "advisor", messages: [msg(1, "bot"), msg(2, "visitor"), msg(3, "bot")] });
    expect(latestVisitorId(chat)).toBe(2);
    expect(needsSuggestions(chat)).toBe(true);
    chat.suggestedFor = 2;
    expect(needsSuggestions(chat)).toBe(false);
    upsertChat(map, { id: "a", owner: "advisor", messages: [msg(4, "advisor")] });
    expect(needsSuggestions(chat)).toBe(false); // the advisor's own message asks nothing
    upsertChat(map, { id: "a", owner: "advisor", messages: [msg(5, "visitor")] });
    expect(needsSuggestions(chat)).toBe(true);
    upsertChat(map, { id: "a", owner: "closed" });
    expect(needsSuggestions(chat)).toBe(false);
  });

  it("keeps the summary the hub sent when a later read has none", () => {
    const map = new Map<string, Chat>();
    const chat = upsertChat(map, { id: "a", owner: "advisor", summary });
    upsertChat(map, { id: "a", owner: "advisor", messages: [msg(1, "visitor")] });
    expect(chat.summary?.bot_answers[0].title).toBe("Hvordan søker jeg om dagpenger?");
  });
});
