// The panel's footer once the visitor wants to stop: "are you sure?" before ending, the
// ended chat (rating, download, delete, start again), and "are you sure?" before deleting.

import { h, icon } from "../shared/dom";
import { downloadIcon, restartIcon, successIcon, trashIcon } from "../shared/icons";
import type { WidgetTexts } from "./texts";

function ratings(t: WidgetTexts): { value: string; label: string }[] {
  return [
    { value: "ja", label: t.ended.yes },
    { value: "nei", label: t.ended.no },
    { value: "delvis", label: t.ended.partly },
  ];
}

export function endConfirmView(onYes: () => void, onNo: () => void, t: WidgetTexts): HTMLElement {
  return h(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": "navchat-confirm" },
    h("h3", { id: "navchat-confirm", tabindex: -1 }, t.endConfirm.title),
    h("p", { class: "confirm__note" }, t.endConfirm.note),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "aksel-button", "data-variant": "primary", onclick: onYes }, h("span", null, t.endConfirm.yes)),
      h("button", { type: "button", class: "aksel-button", "data-variant": "secondary", onclick: onNo }, h("span", null, t.endConfirm.no)),
    ),
  );
}

export interface EndedActions {
  rate: (value: string) => void;
  download: () => void;
  restart: () => void;
  askDelete: () => void;
}

/** The ended chat: only in memory now (see storage.ts); closing the panel clears it. */
export function endedView(rated: boolean, on: EndedActions, t: WidgetTexts): HTMLElement {
  return h(
    "div",
    { class: "ended" },
    h("h3", { tabindex: -1 }, t.ended.title),
    rated
      ? h("p", { class: "thanks", tabindex: -1 }, icon(successIcon), t.ended.thanks)
      : h(
          "fieldset",
          { class: "rating" },
          h("legend", null, t.ended.question),
          h(
            "div",
            { class: "actions" },
            ratings(t).map((r) =>
              h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => on.rate(r.value) }, h("span", null, r.label)),
            ),
          ),
        ),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: on.download },
        icon(downloadIcon, "aksel-button__icon"),
        h("span", null, t.ended.download),
      ),
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: on.restart },
        icon(restartIcon, "aksel-button__icon"),
        h("span", null, t.startNew),
      ),
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: on.askDelete },
        icon(trashIcon, "aksel-button__icon"),
        h("span", null, t.delete),
      ),
    ),
    h(
      "p",
      { class: "ended__note" },
      t.ended.note,
    ),
    h("p", { class: "error", role: "alert" }),
  );
}

/** "Are you sure?" before a deletion that cannot be undone. */
export function deleteConfirmView(onYes: () => void, onNo: () => void, t: WidgetTexts): HTMLElement {
  return h(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": "navchat-delete-confirm", "aria-describedby": "navchat-delete-note" },
    h("h3", { id: "navchat-delete-confirm", tabindex: -1 }, t.deleteConfirm.title),
    h(
      "p",
      { id: "navchat-delete-note", class: "confirm__note" },
      t.deleteConfirm.note,
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "aksel-button", "data-variant": "primary", "data-color": "danger", onclick: onYes }, h("span", null, t.deleteConfirm.yes)),
      h("button", { type: "button", class: "aksel-button", "data-variant": "secondary", onclick: onNo }, h("span", null, t.deleteConfirm.no)),
    ),
    h("p", { class: "error", role: "alert" }),
  );
}
