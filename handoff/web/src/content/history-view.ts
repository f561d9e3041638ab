// The content page's "Publiseringer" list: every publication, newest first, and
// "Ta i bruk igjen" for an earlier one whose model is still kept.

import { h, setChildren } from "../shared/dom";
import { type Publication, publicationFaqs, publicationKind, publicationScores, when } from "./state";

function item(p: Publication, busy: boolean, onRestore: (p: Publication) => void): HTMLElement {
  const who = p.by ? ` av ${p.by}` : "";
  const scores = publicationScores(p);
  const faqs = publicationFaqs(p);
  return h(
    "li",
    { class: "history__item", "data-testid": "publication", "data-id": String(p.id), "data-kind": p.kind },
    h(
      "div",
      { class: "history__text" },
      h(
        "p",
        { class: "aksel-body-short history__title" },
        h("strong", null, `${p.id}. ${publicationKind(p)}`),
        p.current ? h("span", { class: "tag tag--current", "data-testid": "publication-current" }, "I bruk nå") : null,
      ),
      h("p", { class: "aksel-body-short history__meta" }, `${when(p.at)}${who}`),
      faqs ? h("p", { class: "aksel-body-short", "data-testid": "publication-faqs" }, faqs) : null,
      scores ? h("p", { class: "aksel-body-short history__meta", "data-testid": "publication-scores" }, `Målt: ${scores}`) : null,
      p.restorable ? null : h("p", { class: "aksel-body-short history__meta" }, "Modellen er ikke lenger lagret, så denne kan ikke tas i bruk igjen."),
    ),
    p.restorable && !p.current
      ? h(
          "button",
          {
            type: "button",
            class: "aksel-button aksel-button--small",
            "data-variant": "secondary",
            disabled: busy,
            "aria-label": `Ta i bruk igjen: publisering ${p.id}, ${when(p.at)}`,
            onclick: () => onRestore(p),
          },
          h("span", null, "Ta i bruk igjen"),
        )
      : null,
  );
}

export function renderHistory(box: HTMLElement, publications: Publication[], busy: boolean, onRestore: (p: Publication) => void): void {
  const open = box.querySelector("details")?.open ?? false;
  setChildren(
    box,
    h(
      "details",
      { class: "history", "data-testid": "publications", open },
      h("summary", null, `Publiseringer (${publications.length})`),
      h(
        "p",
        { class: "aksel-body-short hint" },
        "Hver publisering, den nyeste først. «Ta i bruk igjen» setter boten tilbake til en tidligere publisering uten å trene på nytt. " +
          "Tekstene du har lagret siden, blir liggende og kan publiseres igjen.",
      ),
      publications.length === 0
        ? h("p", { class: "aksel-body-short" }, "Ingen publiseringer ennå.")
        : h("ol", { class: "history__list" }, ...publications.map((p) => item(p, busy, onRestore))),
    ),
  );
}
