// The content page's "Publisering" box: what is waiting, how the last publishing went (with
// the new model's scores beside the running model's), and the button.

import { h, setChildren } from "../shared/dom";
import { percent, type PublishStatus, type Quality, unpublishedText } from "./state";

// Scores only, never the test questions: they must not end up as examples.
function qualityTable(quality: Quality): HTMLElement {
  return h(
    "div",
    { class: "quality", "data-testid": "quality" },
    h(
      "table",
      { class: "aksel-table quality__table" },
      h("caption", null, "Målt på spørsmål fra utviklingssettet"),
      h(
        "thead",
        null,
        h("tr", null, ...["Hva som ble målt", "Ny modell", "Nå", "Mål", "Godkjent"].map((t) => h("th", { scope: "col" }, t))),
      ),
      h(
        "tbody",
        null,
        ...quality.rows.map((row) =>
          h(
            "tr",
            { "data-testid": "quality-row", "data-passed": String(row.passed) },
            h("th", { scope: "row" }, row.name),
            h("td", null, percent(row.now)),
            h("td", null, percent(row.before)),
            h("td", null, row.target),
            h("td", null, row.passed ? "Ja" : "Nei, for dårlig"),
          ),
        ),
      ),
    ),
    quality.worse.length
      ? h(
          "div",
          { "data-testid": "quality-worse" },
          h("p", { class: "aksel-body-short" }, "Dette ble dårligere:"),
          h("ul", null, ...quality.worse.map((line) => h("li", null, line))),
        )
      : null,
  );
}

// Which path the publish took, in words an editor knows: a text change needs no training.
const ROUTE_TEXT: Record<string, string> = {
  texts: "Bare svartekster var endret. De nye tekstene ble tatt i bruk med en gang, uten at boten ble trent på nytt.",
  model: "Eksempler eller oppsett var endret, så boten ble trent på nytt og testet.",
  restore: "En tidligere publisering ble tatt i bruk igjen, uten at boten ble trent på nytt.",
};

export function renderPublish(box: HTMLElement, status: PublishStatus, onPublish: () => void): void {
  const running = status.state === "running";
  const n = status.unpublished.length;
  const kind = status.state === "failed" ? "danger" : status.state === "succeeded" ? "success" : "info";
  setChildren(
    box,
    h("h2", { id: "publish-heading", class: "aksel-heading aksel-heading--small" }, "Publisering"),
    h("p", { class: "aksel-body-short", "data-testid": "unpublished" }, unpublishedText(n)),
    status.state === "idle"
      ? null
      : h(
          "div",
          { class: `alert alert--${kind}`, role: "status", "data-testid": "publish-status" },
          h(
            "div",
            null,
            h("p", null, status.message),
            status.state !== "running" && status.route && ROUTE_TEXT[status.route]
              ? h("p", { class: "aksel-body-short", "data-testid": "publish-route", "data-route": status.route }, ROUTE_TEXT[status.route])
              : null,
            status.quality ? qualityTable(status.quality) : null,
            // Beside a measurement, details is advice to read at once; otherwise tool output.
            status.details && status.quality
              ? h("p", { class: "aksel-body-short publish__advice", "data-testid": "publish-advice" }, status.details)
              : status.details
                ? h("details", null, h("summary", null, "Vis detaljer"), h("pre", { class: "publish__details" }, status.details))
                : null,
          ),
        ),
    h(
      "button",
      {
        type: "button",
        class: "aksel-button",
        "data-variant": "primary",
        disabled: running || n === 0,
        onclick: onPublish,
      },
      h("span", null, running ? "Publiserer …" : "Publiser endringene"),
    ),
  );
}
