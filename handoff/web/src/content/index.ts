// "Chatbotens svar": content editors change an answer and its examples, then publish.
// Logged in with the console's login (the hub's HttpOnly cookie), role editor.
// The rules live in the bot's content service; this page shows what it says.

import { h, icon, setChildren } from "../shared/dom";
import { warningIcon } from "../shared/icons";
import { FALLBACK_ERROR, readError, type Request, send } from "../shared/api";
import { loadSettings, topicName } from "../shared/settings";
import { logoutButton } from "../shared/logout";
import { renderHistory } from "./history-view";
import { renderPublish } from "./publish-view";
import { type Change, describe, englishTag, englishToSave, type Entry, examplesCountText, lines, matching, type Problem, type Publication, type PublishStatus, type Summary, when } from "./state";

const POLL_MS = 3000;

async function errorText(res: Response): Promise<string> {
  return (await readError(res)).message ?? FALLBACK_ERROR;
}

/** The content service, through the hub (the editor's login cookie goes along). */
function api(path: string, req: Request = {}): Promise<Response> {
  return send(`/api/content${path}`, req);
}

class ContentPage {
  private readonly app = document.getElementById("app") as HTMLElement;
  private readonly list = h("nav", { class: "content__list", "aria-label": "Svarene" });
  private readonly search = h("input", {
    id: "search",
    type: "search",
    class: "field field--small",
    autocomplete: "off",
    oninput: () => this.renderList(),
  });
  private readonly form = h("section", { class: "content__form", "aria-live": "off" });
  private readonly publishBox = h("section", { class: "publish", "aria-labelledby": "publish-heading" });
  private readonly historyBox = h("section", { class: "publish", "aria-label": "Publiseringer" });
  private publications: Publication[] = [];
  private readonly logout = logoutButton(() => {
    if (!this.dirty) return true;
    if (!window.confirm("Du har endringer som ikke er lagret. Vil du logge ut likevel?")) return false;
    this.dirty = false; // asked once: the page leaves without asking again
    return true;
  });
  private readonly announcer = h("div", { class: "aksel-sr-only", role: "status", "aria-live": "polite" });
  private summaries: Summary[] = [];
  private current: Entry | null = null;
  private answerField: HTMLTextAreaElement | null = null;
  private englishField: HTMLTextAreaElement | null = null;
  private englishConfirm: HTMLInputElement | null = null;
  private examplesField: HTMLTextAreaElement | null = null;
  private dirty = false;
  private polling: number | undefined;
  private lastState: PublishStatus["state"] = "idle";
  // A question from the unanswered list, to be added as an example (?eksempel=…).
  private pendingExample = new URLSearchParams(window.location.search).get("eksempel")?.trim() || "";

  async init(): Promise<void> {
    this.logout.hidden = true; // until the list shows a login
    const settings = loadSettings(); // the topic names, before the list is drawn
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty) event.preventDefault();
    });
    setChildren(
      this.app,
      h(
        "header",
        { class: "topbar", "data-color": "neutral" },
        h("span", { class: "topbar__brand" }, h("strong", null, "Nav"), " Chatbotens svar"),
        h("div", { class: "topbar__spacer" }),
        h("a", { href: "/veileder/ubesvart", class: "topbar__link" }, "Ubesvarte spørsmål"),
        this.logout,
      ),
      h(
        "main",
        { class: "editor" },
        h("h1", { class: "aksel-heading aksel-heading--large" }, "Chatbotens svar"),
        h(
          "p",
          { class: "aksel-body-long editor__intro" },
          "Velg et svar for å endre teksten boten gir, eller eksemplene på hvordan besøkende spør. " +
            "Endringene lagres med en gang, men boten bruker dem først når du har publisert.",
        ),
        this.announcer,
        this.publishBox,
        this.historyBox,
        this.pendingExample
          ? h(
              "div",
              { class: "alert alert--info", "data-testid": "pending-example" },
              h("p", null, `Legg til som eksempel: «${this.pendingExample}». Velg svaret spørsmålet hører til.`),
            )
          : null,
        h(
          "div",
          { class: "content" },
          h(
            "div",
            { class: "content__side" },
            h("label", { for: "search", class: "aksel-label" }, "Søk i svarene"),
            this.search,
            this.list,
          ),
          this.form,
        ),
      ),
    );
    setChildren(this.form, h("p", { class: "aksel-body-long" }, "Velg et svar i lista."));
    await settings;
    if (await this.loadList()) {
      await this.loadPublish();
      await this.loadHistory();
      const wanted = window.location.hash.slice(1);
      if (wanted) await this.open(decodeURIComponent(wanted));
    }
  }

  private async loadList(): Promise<boolean> {
    let res: Response;
    try {
      res = await api("/faqs");
    } catch {
      this.fail("Fikk ikke kontakt med tjenesten. Prøv igjen om litt.");
      return false;
    }
    this.logout.hidden = res.status === 401; // logged in, even when the service is down
    if (res.status === 401) {
      setChildren(
        this.form,
        this.alert("warning", "Du må logge inn først."),
        h("a", { href: "/veileder", class: "aksel-link" }, "Logg inn"),
      );
      return false;
    }
    if (!res.ok) {
      this.fail(await errorText(res));
      return false;
    }
    this.summaries = (await res.json()) as Summary[];
    this.renderList();
    return true;
  }

  private renderList(): void {
    const shown = matching(this.summaries, this.search.value);
    const topics = [...new Set(shown.map((s) => s.tema))];
    if (shown.length === 0) {
      setChildren(this.list, h("p", { class: "aksel-body-short" }, "Ingen svar passer søket."));
      return;
    }
    setChildren(
      this.list,
      ...topics.map((tema) =>
        h(
          "div",
          { class: "content__topic" },
          h("h2", { class: "aksel-heading aksel-heading--xsmall" }, topicName(tema)),
          h(
            "ul",
            null,
            ...shown
              .filter((s) => s.tema === tema)
              .map((s) =>
                h(
                  "li",
                  null,
                  h(
                    "a",
                    {
                      href: `#${encodeURIComponent(s.id)}`,
                      class: "content__item",
                      "data-testid": "faq-link",
                      "aria-current": this.current?.id === s.id ? "page" : null,
                      onclick: (event: Event) => {
                        event.preventDefault();
                        void this.open(s.id);
                      },
                    },
                    h("span", null, s.title || s.id),
                    s.unpublished ? h("span", { class: "tag" }, "Ikke publisert") : null,
                    englishTag(s.english) ? h("span", { class: "tag", "data-testid": "english-tag" }, englishTag(s.english)) : null,
                  ),
                ),
              ),
          ),
        ),
      ),
    );
  }

  private async open(id: string): Promise<void> {
    if (this.dirty && !window.confirm("Du har endringer som ikke er lagret. Vil du forkaste dem?")) return;
    const res = await api(`/faqs/${encodeURIComponent(id)}`);
    if (!res.ok) {
      setChildren(this.form, this.alert("warning", await errorText(res)));
      return;
    }
    const entry = (await res.json()) as Entry;
    history.replaceState(null, "", `${window.location.pathname}${window.location.search}#${encodeURIComponent(id)}`);
    this.showEntry(entry);
    if (this.pendingExample) {
      const examples = this.examplesField as HTMLTextAreaElement;
      examples.value = `${examples.value.replace(/\s+$/, "")}\n${this.pendingExample}\n`;
      this.pendingExample = "";
      this.markDirty();
      this.updateCount();
      this.say(`Spørsmålet er lagt til nederst i eksemplene til «${entry.title}». Trykk Lagre for å beholde det.`);
      examples.focus();
    }
  }

  private showEntry(entry: Entry): void {
    this.current = entry;
    this.dirty = false;
    this.renderList();
    const answer = h("textarea", {
      id: "answer",
      class: "field content__answer",
      rows: 6,
      "aria-describedby": "answer-hint",
      oninput: () => this.markDirty(),
    });
    answer.value = entry.answer;
    const examples = h("textarea", {
      id: "examples",
      class: "field content__examples",
      rows: 16,
      spellcheck: false,
      wrap: "off", // one example per line, also on screen
      "aria-describedby": "examples-hint examples-count",
      oninput: () => {
        this.markDirty();
        this.updateCount();
      },
    });
    examples.value = `${entry.examples.join("\n")}\n`;
    const answerEn = h("textarea", {
      id: "answer-en",
      class: "field content__answer",
      rows: 6,
      lang: "en",
      "aria-describedby": "answer-en-hint answer-en-state",
      oninput: () => this.markDirty(),
    });
    answerEn.value = entry.answer_en ?? "";
    const confirm =
      entry.english === "stale"
        ? h("input", { type: "checkbox", id: "answer-en-confirm", class: "content__confirm", onchange: () => this.markDirty() })
        : null;
    this.englishField = answerEn;
    this.englishConfirm = confirm;
    this.answerField = answer;
    this.examplesField = examples;
    const last = entry.changes[0];
    setChildren(
      this.form,
      h("h2", { class: "aksel-heading aksel-heading--medium", tabindex: -1, id: "entry-heading" }, entry.title),
      h(
        "p",
        { class: "aksel-body-short content__meta" },
        `${topicName(entry.tema)} · `,
        h("span", { "data-testid": "entry-state" }, entry.unpublished ? "Endret, ikke publisert" : "Publisert"),
        last ? ` · Sist endret av ${last.editor} ${when(last.at)}` : "",
      ),
      entry.facts
        ? h(
            "div",
            { class: "content__facts" },
            h("h3", { class: "aksel-heading aksel-heading--xsmall" }, "Dette må svaret få riktig"),
            h("p", { class: "aksel-body-short" }, entry.facts),
            h("p", { class: "aksel-body-short" }, "Lenke: ", h("a", { href: entry.link, class: "aksel-link" }, entry.link)),
          )
        : null,
      h("div", { id: "problems", tabindex: -1 }),
      h(
        "form",
        {
          class: "content__fields",
          novalidate: true,
          onsubmit: (event: Event) => {
            event.preventDefault();
            void this.save();
          },
        },
        h(
          "div",
          { class: "content__answers" },
          h(
            "div",
            null,
            h("label", { for: "answer", class: "aksel-label" }, "Svaret boten gir"),
            h(
              "p",
              { id: "answer-hint", class: "aksel-body-short hint" },
              "1–4 korte setninger i klarspråk, og lenken til slutt. Ikke skriv tall som endrer seg hvert år; vis til lenken.",
            ),
            answer,
          ),
          h(
            "div",
            null,
            h("label", { for: "answer-en", class: "aksel-label" }, "Svaret på engelsk"),
            h(
              "p",
              { id: "answer-en-hint", class: "aksel-body-short hint" },
              "Det samme svaret, for besøkende som skriver engelsk. Samme lenke som det norske svaret.",
            ),
            entry.english === "current"
              ? h("p", { id: "answer-en-state", class: "aksel-body-short hint", "data-testid": "english-state" }, entry.english_text)
              : h(
                  "div",
                  { id: "answer-en-state", class: "alert alert--warning", "data-testid": "english-state" },
                  icon(warningIcon),
                  h("p", null, entry.english_text),
                ),
            answerEn,
            confirm
              ? h(
                  "div",
                  { class: "content__check" },
                  confirm,
                  h("label", { for: "answer-en-confirm" }, "Det engelske svaret stemmer fortsatt med det norske"),
                )
              : null,
          ),
        ),
        h("label", { for: "examples", class: "aksel-label" }, "Slik spør besøkende (ett eksempel per linje)"),
        h(
          "p",
          { id: "examples-hint", class: "aksel-body-short hint" },
          "Skriv som folk skriver: stikkord, skrivefeil, uten æøå, nynorsk og dialekt, enkel norsk. Minst 15 ulike eksempler.",
        ),
        examples,
        h("p", { id: "examples-count", class: "aksel-body-short hint", "aria-live": "polite" }),
        h(
          "div",
          { class: "content__actions" },
          h("button", { type: "submit", class: "aksel-button", "data-variant": "primary" }, h("span", null, "Lagre")),
        ),
      ),
      this.changeLog(entry.changes),
    );
    this.updateCount();
  }

  // The latest saves, each with a way back to the text it replaced.
  private changeLog(changes: Change[]): HTMLElement | null {
    if (changes.length === 0) return null;
    return h(
      "details",
      { class: "content__changes", "data-testid": "changes" },
      h("summary", null, `Endringer (${changes.length})`),
      h(
        "p",
        { class: "aksel-body-short hint" },
        "«Hent tilbake» legger teksten fra før endringen inn i feltene. Den blir brukt først når du har lagret og publisert.",
      ),
      h(
        "ul",
        null,
        ...changes.map((change) =>
          h(
            "li",
            { "data-testid": "change" },
            h("span", null, `${when(change.at)}: ${change.editor} ${describe(change)}.`),
            h(
              "button",
              {
                type: "button",
                class: "aksel-button aksel-button--small",
                "data-variant": "secondary",
                onclick: () => this.restore(change),
              },
              h("span", null, "Hent tilbake teksten fra før"),
            ),
          ),
        ),
      ),
    );
  }

  private restore(change: Change): void {
    if (!this.answerField || !this.examplesField) return;
    if (this.dirty && !window.confirm("Du har endringer som ikke er lagret. Vil du forkaste dem?")) return;
    this.answerField.value = change.before.answer;
    if (this.englishField && change.before.answer_en != null) this.englishField.value = change.before.answer_en;
    this.examplesField.value = `${change.before.examples.join("\n")}\n`;
    this.markDirty();
    this.updateCount();
    this.say(`Teksten fra før endringen ${when(change.at)} er hentet inn. Trykk Lagre for å beholde den.`);
    // The notice sits above the form, far from the log: show it with the answer below it.
    this.answerField.focus({ preventScroll: true });
    document.getElementById("problems")?.scrollIntoView({ block: "start" });
  }

  private updateCount(): void {
    const count = document.getElementById("examples-count");
    if (!count || !this.examplesField) return;
    count.textContent = examplesCountText(this.examplesField.value);
  }

  private markDirty(): void {
    this.dirty = true;
  }

  private async save(): Promise<void> {
    const entry = this.current;
    if (!entry || !this.answerField || !this.examplesField) return;
    const answerEn = englishToSave(entry, this.englishField?.value ?? "", this.englishConfirm?.checked ?? false);
    const res = await api(`/faqs/${encodeURIComponent(entry.id)}`, {
      method: "PUT",
      body: {
        answer: this.answerField.value,
        examples: lines(this.examplesField.value),
        version: entry.version,
        ...(answerEn === null ? {} : { answer_en: answerEn }),
      },
    });
    if (res.ok) {
      const saved = (await res.json()) as Entry;
      this.showEntry(saved);
      this.summaries = this.summaries.map((s) =>
        s.id === saved.id ? { ...s, examples: saved.examples.length, unpublished: saved.unpublished, english: saved.english } : s,
      );
      this.renderList();
      this.say("Lagret. Publiser når du er ferdig med endringene, så bruker boten dem.");
      await this.loadPublish();
      return;
    }
    const error = (await readError(res)) as { message?: string; problems?: Problem[]; current?: Entry };
    this.showProblems(error.message ?? FALLBACK_ERROR, error.problems ?? []);
    if (res.status === 409 && error.current) {
      const current = error.current;
      const problems = document.getElementById("problems") as HTMLElement;
      problems.append(
        h(
          "button",
          {
            type: "button",
            class: "aksel-button aksel-button--small",
            "data-variant": "secondary",
            onclick: () => {
              this.dirty = false;
              this.showEntry({ ...current, unpublished: true, changes: entry.changes });
            },
          },
          h("span", null, "Vis den nye teksten (endringene dine forkastes)"),
        ),
      );
    }
  }

  private showProblems(message: string, problems: Problem[]): void {
    const box = document.getElementById("problems") as HTMLElement;
    setChildren(
      box,
      h(
        "div",
        { class: "alert alert--danger", role: "alert" },
        icon(warningIcon),
        h("div", null, h("p", null, message), problems.length ? h("ul", null, ...problems.map((p) => h("li", null, p.message))) : null),
      ),
    );
    this.answerField?.setAttribute("aria-invalid", String(problems.some((p) => p.field === "answer")));
    this.englishField?.setAttribute("aria-invalid", String(problems.some((p) => p.field === "answer_en")));
    this.examplesField?.setAttribute("aria-invalid", String(problems.some((p) => p.field === "examples")));
    box.focus();
  }

  private async loadPublish(): Promise<void> {
    const res = await api("/publish");
    if (!res.ok) {
      setChildren(this.publishBox, this.alert("warning", await errorText(res)));
      return;
    }
    this.renderPublish((await res.json()) as PublishStatus);
  }

  private renderPublish(status: PublishStatus): void {
    const running = status.state === "running";
    renderPublish(this.publishBox, status, () => void this.publish());
    window.clearTimeout(this.polling);
    if (running) this.polling = window.setTimeout(() => void this.loadPublish(), POLL_MS);
    const ended = this.lastState === "running" && !running;
    this.lastState = status.state;
    this.refreshMarks(status.unpublished);
    if (running) this.drawHistory(); // "Ta i bruk igjen" waits while a job runs
    if (ended) {
      this.announcer.textContent = status.message;
      void this.loadHistory();
      // The open answer's "Endret, ikke publisert" is out of date now.
      if (this.current && !this.dirty) void this.reload(this.current.id);
    }
  }

  private async loadHistory(): Promise<void> {
    const res = await api("/publications");
    if (!res.ok) {
      setChildren(this.historyBox, this.alert("warning", await errorText(res)));
      return;
    }
    this.publications = (await res.json()) as Publication[];
    this.drawHistory();
  }

  private drawHistory(): void {
    renderHistory(this.historyBox, this.publications, this.lastState === "running", (p) => void this.restorePublication(p));
  }

  private async restorePublication(p: Publication): Promise<void> {
    const question = `Ta i bruk publisering ${p.id} fra ${when(p.at)} igjen? Boten svarer da som etter den publiseringen.`;
    if (!window.confirm(question)) return;
    const res = await api(`/publications/${p.id}/restore`, { method: "POST" });
    if (!res.ok && res.status !== 409) {
      setChildren(this.publishBox, this.alert("warning", await errorText(res)));
      return;
    }
    this.announcer.textContent = `Tar i bruk publisering ${p.id} igjen.`;
    this.lastState = "running";
    await this.loadPublish();
  }

  private async reload(id: string): Promise<void> {
    const res = await api(`/faqs/${encodeURIComponent(id)}`);
    if (res.ok && !this.dirty) this.showEntry((await res.json()) as Entry);
  }

  private refreshMarks(unpublished: string[]): void {
    const changed = this.summaries.some((s) => s.unpublished !== unpublished.includes(s.id));
    if (!changed) return;
    this.summaries = this.summaries.map((s) => ({ ...s, unpublished: unpublished.includes(s.id) }));
    this.renderList();
  }

  private async publish(): Promise<void> {
    if (this.dirty && !window.confirm("Du har endringer som ikke er lagret, og de blir ikke publisert. Vil du publisere likevel?")) return;
    const res = await api("/publish", { method: "POST" });
    if (!res.ok && res.status !== 409) {
      setChildren(this.publishBox, this.alert("warning", await errorText(res)));
      return;
    }
    this.announcer.textContent = "Publiseringen har startet. Det tar noen minutter.";
    this.lastState = "running"; // a job started: its end is noticed even if it is over already
    await this.loadPublish();
  }

  private say(text: string): void {
    this.announcer.textContent = text;
    const box = document.getElementById("problems");
    if (box) setChildren(box, h("div", { class: "alert alert--success", "data-testid": "saved" }, h("p", null, text)));
  }

  private fail(message: string): void {
    setChildren(this.form, this.alert("warning", message));
  }

  private alert(kind: "warning" | "danger", text: string): HTMLElement {
    return h("div", { class: `alert alert--${kind}`, role: "alert" }, icon(warningIcon), h("p", null, text));
  }
}

void new ContentPage().init();
