// What the widget shows once a conversation is gone from the browser (deleted, left unused,
// ended in another tab), and the way to start again.

import { h, icon } from "../shared/dom";
import { restartIcon } from "../shared/icons";

/** Why the conversation is gone from this browser. */
export type Farewell =
  | { kind: "deleted" }
  | { kind: "kept"; retentionDays: number }
  | { kind: "idle"; minutes: number }
  | { kind: "other-tab" }
  | { kind: "ended-closed" };

function farewellText(f: Farewell): [string, string] {
  switch (f.kind) {
    case "deleted":
      return ["Samtalen er slettet", "Vi har slettet samtalen hos Nav og fjernet den fra denne nettleseren."];
    case "kept":
      return [
        "Samtalen er fjernet fra denne nettleseren",
        `Fordi du har snakket med en veileder, tar Nav vare på samtalen i ${f.retentionDays} dager. Deretter sletter vi den.`,
      ];
    case "idle":
      return [
        "Samtalen er fjernet",
        `Du har ikke brukt chatten på ${f.minutes} minutter. Derfor har vi avsluttet samtalen og fjernet den fra denne nettleseren.`,
      ];
    case "other-tab":
      return ["Samtalen er avsluttet", "Samtalen ble avsluttet i en annen fane, og den er fjernet fra denne nettleseren."];
    case "ended-closed":
      return ["Samtalen er avsluttet", "Samtalen ble avsluttet mens chatten var lukket, og den er fjernet fra denne nettleseren."];
  }
}

/** What the body shows after the conversation is gone: why, and a way to start again. */
export function farewellView(f: Farewell, onStart: () => void): HTMLElement {
  const [title, text] = farewellText(f);
  return h(
    "div",
    { class: "farewell", "data-testid": "farewell" },
    h("h3", { tabindex: -1 }, title),
    h("p", null, text),
    h(
      "button",
      { type: "button", class: "aksel-button aksel-button--small", "data-variant": "primary", onclick: onStart },
      icon(restartIcon, "aksel-button__icon"),
      h("span", null, "Start en ny chat"),
    ),
  );
}
