// What the widget shows once a conversation is gone from the browser (deleted, left unused,
// ended in another tab), and the way to start again.

import { h, icon } from "../shared/dom";
import { restartIcon } from "../shared/icons";
import type { WidgetTexts } from "./texts";

/** Why the conversation is gone from this browser. */
export type Farewell =
  | { kind: "deleted" }
  | { kind: "kept"; retentionDays: number }
  | { kind: "idle"; minutes: number }
  | { kind: "other-tab" }
  | { kind: "ended-closed" };

function farewellText(f: Farewell, t: WidgetTexts): [string, string] {
  switch (f.kind) {
    case "deleted":
      return t.farewell.deleted;
    case "kept":
      return t.farewell.kept(f.retentionDays);
    case "idle":
      return t.farewell.idle(f.minutes);
    case "other-tab":
      return t.farewell.otherTab;
    case "ended-closed":
      return t.farewell.endedClosed;
  }
}

/** What the body shows after the conversation is gone: why, and a way to start again. */
export function farewellView(f: Farewell, onStart: () => void, t: WidgetTexts): HTMLElement {
  const [title, text] = farewellText(f, t);
  return h(
    "div",
    { class: "farewell", "data-testid": "farewell" },
    h("h3", { tabindex: -1 }, title),
    h("p", null, text),
    h(
      "button",
      { type: "button", class: "aksel-button aksel-button--small", "data-variant": "primary", onclick: onStart },
      icon(restartIcon, "aksel-button__icon"),
      h("span", null, t.startNew),
    ),
  );
}
