import { describe, expect, it } from "vitest";

import { LANGUAGE_PAYLOADS, languageSwitch } from "../src/widget/language";

describe("the widget's language switch", () => {
  it("offers English in a Norwegian chat and Norsk in an English one, each in its own language", () => {
    expect(languageSwitch("nb")).toEqual({
      lang: "en",
      label: "English",
      text: "English",
      payload: '/choose_language{"language": "en"}',
    });
    expect(languageSwitch("en").label).toBe("Norsk");
    expect(languageSwitch("en").payload).toBe(LANGUAGE_PAYLOADS.nb);
  });
});
