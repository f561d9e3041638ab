// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { clock, counterText, minutes, renderText, renderVisitorText, tooLongText, waited } from "../src/shared/text";

function html(frag: DocumentFragment): string {
  const div = document.createElement("div");
  div.append(frag);
  return div.innerHTML;
}

describe("counts and times in Norwegian", () => {
  it("says minutes in singular and plural, at least one", () => {
    expect(minutes(0.2)).toBe("1 minutt");
    expect(minutes(1)).toBe("1 minutt");
    expect(minutes(4.4)).toBe("4 minutter");
  });

  it("says how long someone has waited in the queue", () => {
    expect(waited(59)).toBe("under 1 min");
    expect(waited(60)).toBe("1 min");
    expect(waited(3599)).toBe("59 min");
    expect(waited(3900)).toBe("1 t 5 min");
  });

  it("shows a time of day in Norwegian time, and nothing for no or a bad time", () => {
    expect(clock("2026-01-15T09:04:00Z")).toBe("10:04");
    expect(clock("2026-07-15T09:04:00Z")).toBe("11:04");
    expect(clock(undefined)).toBe("");
    expect(clock("yesterday")).toBe("");
  });

  it("counts the characters left, and those too many", () => {
    expect(counterText(0, 1000)).toEqual({ text: "Du har 1000 tegn igjen", over: false });
    expect(counterText(1000, 1000)).toEqual({ text: "Du har 0 tegn igjen", over: false });
    expect(counterText(1005, 1000)).toEqual({ text: "Du har 5 tegn for mye", over: true });
    expect(tooLongText(1000)).toBe("Meldingen er for lang. Du kan skrive opptil 1000 tegn.");
  });
});

describe("message text to DOM", () => {
  it("makes bold, labelled links and bare addresses from the bot's text", () => {
    const out = html(renderText("Les **dette** på [nav.no](https://www.nav.no/a) eller https://www.nav.no/b."));
    expect(out).toBe(
      'Les <strong>dette</strong> på <a href="https://www.nav.no/a" target="_blank" rel="noopener noreferrer" class="aksel-link">nav.no</a> eller ' +
        '<a href="https://www.nav.no/b" target="_blank" rel="noopener noreferrer" class="aksel-link">https://www.nav.no/b</a>.',
    );
  });

  it("never turns markup into elements", () => {
    expect(html(renderText("<img src=x onerror=alert(1)>"))).toBe("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("shows a visitor's link as written, with no label of the visitor's choosing", () => {
    const out = html(renderVisitorText("Se [Gosys](https://evil.example/x) nå"));
    expect(out).toContain(">https://evil.example/x</a>");
    expect(out).not.toContain(">Gosys</a>");
  });

  it("does not link an address with a user name before the host", () => {
    expect(html(renderVisitorText("https://nav.no@evil.example/"))).toBe("https://nav.no@evil.example/");
  });
});
