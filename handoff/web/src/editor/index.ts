// "Ubesvarte spørsmål": what the bot could not answer, for content editors.
// Read-only; logged in with the console's login (the hub's HttpOnly cookie).

import { h, icon, setChildren } from "../shared/dom";
import { downloadIcon, warningIcon } from "../shared/icons";
import { readError, send } from "../shared/api";
import { logoutButton } from "../shared/logout";
import { loadSettings, topicName } from "../shared/settings";

const COLUMNS = ["Spørsmålet", "Antall", "Sist", "Hva boten gjorde", "Tema", "Boten foreslo", "Besøkende valgte", "Svaret den fikk"];

interface Labelled {
  label: string;
  count: number;
}

interface Question {
  text: string;
  count: number;
  last_at: string | null;
  kinds: Labelled[];
  topics: string[];
  suggestions: { id: string; title: string }[];
  chosen: Labelled[];
  /** The FAQ answers visitors said "Nei" to for this question. */
  answered?: { id: string; title: string; count: number }[];
}

/** "Var svaret nyttig?" per FAQ answer. */
interface AnswerVotes {
  id: string;
  title: string;
  yes: number;
  no: number;
}

interface Answer {
  days: number;
  retention_days: number;
  questions: Question[];
  answers?: AnswerVotes[];
}

const PERIODS: [number, string][] = [
  [7, "Siste 7 dager"],
  [30, "Siste 30 dager"],
  [90, "Siste 90 dager"],
];

function when(iso: string | null): string {
  if (!iso) return "";
  return new Date(iso).toLocaleString("nb-NO", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

function labels(items: Labelled[]): string {
  return items.map((i) => (i.count > 1 ? `${i.label} (${i.count})` : i.label)).join(", ");
}

class Editor {
  private readonly app = document.getElementById("app") as HTMLElement;
  private readonly status = h("p", { class: "aksel-body-short", role: "status", "aria-live": "polite" });
  private readonly body = h("div", { class: "unanswered" });
  private readonly period = h(
    "select",
    { id: "period", class: "field field--small", onchange: () => void this.load() },
    ...PERIODS.map(([days, label]) => h("option", { value: String(days) }, label)),
  );
  private readonly download = h(
    "a",
    { class: "aksel-button aksel-button--small", "data-variant": "secondary", "data-testid": "csv" },
    icon(downloadIcon, "aksel-button__icon"),
    h("span", null, "Last ned som regneark"),
  );
  private readonly votesBody = h("div", { class: "votes" });
  private readonly votesDownload = h(
    "a",
    { class: "aksel-button aksel-button--small", "data-variant": "secondary", "data-testid": "csv-answers" },
    icon(downloadIcon, "aksel-button__icon"),
    h("span", null, "Last ned svarene som regneark"),
  );

  // Editors may add a question as an example of an answer (the content page).
  private editor = false;
  private readonly navLink = h("a", { href: "/veileder", class: "topbar__link" }, "Til chatten for veiledere");
  // Editors have no console to log out from: they log out here (advisors in the console).
  private readonly logout = logoutButton();

  async init(): Promise<void> {
    this.period.value = "30";
    this.logout.hidden = true;
    setChildren(
      this.app,
      h(
        "header",
        { class: "topbar", "data-color": "neutral" },
        h("span", { class: "topbar__brand" }, h("strong", null, "Nav"), " Ubesvarte spørsmål"),
        h("div", { class: "topbar__spacer" }),
        this.navLink,
        this.logout,
      ),
      h(
        "main",
        { class: "editor" },
        h("h1", { class: "aksel-heading aksel-heading--large" }, "Spørsmål chatboten ikke kunne svare på"),
        h(
          "p",
          { class: "aksel-body-long editor__intro" },
          "Her ser du hva besøkende skrev når chatboten var usikker, ikke forstod eller ikke kunne svare. " +
            "Hvis et spørsmål hører til et svar boten har, legg det inn som eksempel under det svaret i " +
            "«Chatbotens svar». Mangler svaret, be utviklerne lage et nytt. Boten lærer eksemplene når du publiserer.",
        ),
        h(
          "div",
          { class: "editor__tools" },
          h("label", { for: "period", class: "aksel-label" }, "Periode"),
          this.period,
          this.download,
        ),
        this.status,
        this.body,
        h(
          "section",
          { class: "editor__votes", "aria-labelledby": "votes-title" },
          h("h2", { id: "votes-title", class: "aksel-heading aksel-heading--medium" }, "Var svaret nyttig?"),
          h(
            "p",
            { class: "aksel-body-long editor__intro" },
            "Under hvert svar fra chatboten kan besøkende svare på om svaret var nyttig. " +
              "Svar med mange «Nei» står først: se på dem først. Spørsmålene som fikk «Nei», står også i lista over.",
          ),
          h("div", { class: "editor__tools" }, this.votesDownload),
          this.votesBody,
        ),
      ),
    );
    try {
      const me = await send("/api/advisor/me");
      this.editor = me.ok && ((await me.json()) as { role?: string }).role === "editor";
    } catch {
      this.editor = false;
    }
    if (this.editor) {
      this.navLink.setAttribute("href", "/veileder/innhold");
      this.navLink.textContent = "Chatbotens svar";
      this.logout.hidden = false;
    }
    void this.load();
  }

  private async load(): Promise<void> {
    const days = Number(this.period.value);
    this.download.setAttribute("href", `/api/advisor/unanswered?days=${days}&format=csv`);
    this.votesDownload.setAttribute("href", `/api/advisor/unanswered?days=${days}&format=csv&list=answers`);
    this.status.textContent = "Henter spørsmålene …";
    let res: Response;
    try {
      // The topic names come with the hub's settings (read once).
      [res] = await Promise.all([send(`/api/advisor/unanswered?days=${days}`), loadSettings()]);
    } catch {
      this.fail("Fikk ikke kontakt med tjenesten. Prøv igjen om litt.");
      return;
    }
    if (res.status === 401) {
      this.status.textContent = "";
      setChildren(
        this.body,
        this.alert("Du må logge inn først."),
        h("a", { href: "/veileder", class: "aksel-link" }, "Logg inn"),
      );
      return;
    }
    if (!res.ok) {
      this.fail((await readError(res)).message || "Noe gikk galt. Prøv igjen.");
      return;
    }
    this.render((await res.json()) as Answer);
  }

  private fail(message: string): void {
    this.status.textContent = "";
    setChildren(this.body, this.alert(message));
  }

  private alert(text: string): HTMLElement {
    return h("div", { class: "alert alert--warning" }, icon(warningIcon), h("p", null, text));
  }

  private renderVotes(votes: AnswerVotes[]): void {
    if (votes.length === 0) {
      setChildren(this.votesBody, h("p", { class: "aksel-body-short" }, "Ingen besøkende har svart i perioden."));
      return;
    }
    setChildren(
      this.votesBody,
      h(
        "table",
        { class: "aksel-table unanswered__table" },
        h("caption", { class: "aksel-sr-only" }, "Var svaret nyttig? Antall ja og nei per svar, flest nei først"),
        h("thead", null, h("tr", null, ...["Svaret", "Ja", "Nei"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          null,
          ...votes.map((v) =>
            h(
              "tr",
              { "data-testid": "answer-votes", "data-faq": v.id },
              h("td", null, v.title),
              h("td", { class: "unanswered__count", "data-testid": "yes" }, String(v.yes)),
              h("td", { class: "unanswered__count", "data-testid": "no" }, String(v.no)),
            ),
          ),
        ),
      ),
    );
  }

  private render(answer: Answer): void {
    this.renderVotes(answer.answers ?? []);
    const total = answer.questions.reduce((n, q) => n + q.count, 0);
    this.status.textContent =
      answer.questions.length === 0
        ? "Ingen ubesvarte spørsmål i perioden."
        : `${answer.questions.length === 1 ? "1 spørsmål" : `${answer.questions.length} forskjellige spørsmål`}, ` +
          `${total === 1 ? "1 gang" : `${total} ganger`} i alt. De vanligste står først.`;
    if (answer.days > answer.retention_days) {
      this.status.textContent += ` Samtaler slettes etter ${answer.retention_days} dager, så lista går ikke lenger tilbake enn det.`;
    }
    if (answer.questions.length === 0) {
      this.body.replaceChildren();
      return;
    }
    const rows = answer.questions.map((q) =>
      h(
        "tr",
        { "data-testid": "question" },
        // data-label: the column's name, shown beside the value when a phone stacks the row.
        h("td", { class: "unanswered__text", "data-label": COLUMNS[0] }, q.text),
        h("td", { class: "unanswered__count", "data-label": COLUMNS[1] }, String(q.count)),
        h("td", { "data-label": COLUMNS[2] }, when(q.last_at)),
        h("td", { "data-label": COLUMNS[3] }, labels(q.kinds)),
        h("td", { "data-label": COLUMNS[4] }, q.topics.map(topicName).join(", ")),
        h("td", { "data-label": COLUMNS[5] }, q.suggestions.length ? h("ul", null, ...q.suggestions.map((s) => h("li", null, s.title))) : ""),
        h("td", { "data-label": COLUMNS[6] }, labels(q.chosen) || "Ingenting"),
        h("td", { "data-label": COLUMNS[7] }, (q.answered ?? []).map((a) => (a.count > 1 ? `${a.title} (${a.count})` : a.title)).join(", ")),
        this.editor
          ? h(
              "td",
              null,
              h(
                "a",
                { href: `/veileder/innhold?eksempel=${encodeURIComponent(q.text)}`, class: "aksel-link" },
                "Legg til som eksempel",
                h("span", { class: "aksel-sr-only" }, `: ${q.text}`),
              ),
            )
          : null,
      ),
    );
    setChildren(
      this.body,
      h(
        "table",
        { class: "aksel-table unanswered__table" },
        h("caption", { class: "aksel-sr-only" }, "Ubesvarte spørsmål, de vanligste først"),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ...COLUMNS.map((t) => h("th", { scope: "col" }, t)),
            this.editor ? h("th", { scope: "col" }, h("span", { class: "aksel-sr-only" }, "Gjør noe med spørsmålet")) : null,
          ),
        ),
        h("tbody", null, ...rows),
      ),
    );
  }
}

void new Editor().init();
