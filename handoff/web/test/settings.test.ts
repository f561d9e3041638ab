import { describe, expect, it } from "vitest";
import { maxMessageLength, nameOf, parseSettings, topicName } from "../src/shared/settings";

describe("hub settings", () => {
  it("reads GET /api/settings", () => {
    const s = parseSettings({
      max_message_length: 1000,
      topics: [
        { id: "arbeid", name: "Arbeid og dagpenger" },
        { id: "generell", name: "Generelt" },
      ],
    });
    expect(s?.maxMessageLength).toBe(1000);
    expect([...(s?.topics ?? [])]).toEqual([
      ["arbeid", "Arbeid og dagpenger"],
      ["generell", "Generelt"],
    ]);
  });

  it("refuses an answer without a usable limit or topic list, and skips broken topics", () => {
    expect(parseSettings(null)).toBeNull();
    expect(parseSettings({ max_message_length: "1000", topics: [] })).toBeNull();
    expect(parseSettings({ max_message_length: 0, topics: [] })).toBeNull();
    expect(parseSettings({ max_message_length: 1000 })).toBeNull();
    expect([...(parseSettings({ max_message_length: 5, topics: [{ id: 1 }, { id: "a", name: "A" }] })?.topics ?? [])]).toEqual([["a", "A"]]);
  });

  it("names a topic, or shows its id until the names are known", () => {
    const names = new Map([["helse", "Helse og sykdom"]]);
    expect(nameOf("helse", names)).toBe("Helse og sykdom");
    expect(nameOf("ny_kø", names)).toBe("Ny kø");
    expect(nameOf(null, names)).toBe("Generelt");
    expect(topicName("helse")).toBe("Helse");
    expect(maxMessageLength()).toBeNull();
  });
});
