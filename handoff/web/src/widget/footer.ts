// The panel's footer once the visitor wants to stop: "are you sure?" before ending, the
// ended chat (rating, download, delete, start again), and "are you sure?" before deleting.

import { h, icon } from "../shared/dom";
import { downloadIcon, restartIcon, successIcon, trashIcon } from "../shared/icons";

const RATINGS: { value: string; label: string }[] = [
  { value: "ja", label: "Ja" },
  { value: "nei", label: "Nei" },
  { value: "delvis", label: "Delvis" },
];

export function endConfirmView(onYes: () => void, onNo: () => void): HTMLElement {
  return h(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": "navchat-confirm" },
    h("h3", { id: "navchat-confirm", tabindex: -1 }, "Vil du avslutte chatten?"),
    h("p", { class: "confirm__note" }, "Samtalen blir fjernet fra denne nettleseren."),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "aksel-button", "data-variant": "primary", onclick: onYes }, h("span", null, "Ja, avslutt")),
      h("button", { type: "button", class: "aksel-button", "data-variant": "secondary", onclick: onNo }, h("span", null, "Nei, fortsett")),
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
export function endedView(rated: boolean, on: EndedActions): HTMLElement {
  return h(
    "div",
    { class: "ended" },
    h("h3", { tabindex: -1 }, "Chatten er avsluttet"),
    rated
      ? h("p", { class: "thanks", tabindex: -1 }, icon(successIcon), "Takk for svaret ditt!")
      : h(
          "fieldset",
          { class: "rating" },
          h("legend", null, "Fikk du svar på det du lurte på?"),
          h(
            "div",
            { class: "actions" },
            RATINGS.map((r) =>
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
        h("span", null, "Last ned samtalen"),
      ),
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: on.restart },
        icon(restartIcon, "aksel-button__icon"),
        h("span", null, "Start en ny chat"),
      ),
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: on.askDelete },
        icon(trashIcon, "aksel-button__icon"),
        h("span", null, "Slett samtalen"),
      ),
    ),
    h(
      "p",
      { class: "ended__note" },
      "Vi har fjernet samtalen fra denne nettleseren. Når du lukker chatten, forsvinner den også fra skjermen.",
    ),
    h("p", { class: "error", role: "alert" }),
  );
}

/** "Are you sure?" before a deletion that cannot be undone. */
export function deleteConfirmView(onYes: () => void, onNo: () => void): HTMLElement {
  return h(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": "navchat-delete-confirm", "aria-describedby": "navchat-delete-note" },
    h("h3", { id: "navchat-delete-confirm", tabindex: -1 }, "Vil du slette samtalen?"),
    h(
      "p",
      { id: "navchat-delete-note", class: "confirm__note" },
      "Du kan ikke angre. Vil du ta vare på samtalen, last den ned først.",
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "aksel-button", "data-variant": "primary", "data-color": "danger", onclick: onYes }, h("span", null, "Ja, slett samtalen")),
      h("button", { type: "button", class: "aksel-button", "data-variant": "secondary", onclick: onNo }, h("span", null, "Nei, ikke slett")),
    ),
    h("p", { class: "error", role: "alert" }),
  );
}
