import { describe, expect, it } from "vitest";
import { forThisHost } from "../src/frida/cookies";

describe("Frida's cookies on the hub's host", () => {
  const written = "nav-chatbot%3Aconversation=c_1.s; expires=Sat, 05 Dec 2026 22:00:00 GMT; domain=.nav.no; path=/";

  it("drops Nav's domain on any other host, so the browser keeps the cookie", () => {
    expect(forThisHost(written, "127.0.0.1")).toBe(
      "nav-chatbot%3Aconversation=c_1.s; expires=Sat, 05 Dec 2026 22:00:00 GMT; path=/",
    );
    expect(forThisHost("a=1;Domain=.NAV.NO", "chat.example.org")).toBe("a=1");
  });

  it("leaves it on nav.no and cookies without a domain alone", () => {
    expect(forThisHost(written, "www.nav.no")).toBe(written);
    expect(forThisHost("nav-chatbot%3Aopen=true; path=/", "localhost")).toBe("nav-chatbot%3Aopen=true; path=/");
  });
});
