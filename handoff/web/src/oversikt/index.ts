// "Oversikt": the supervisors' (leder) live view of the queues and the advisors. Read-only;
// logged in with the console's login (the hub's HttpOnly cookie). The figures come over the
// console's WebSocket as `overview` frames (each one the whole state), with HTTP as the
// first read, the catch-up before a new socket and the fallback (shared/live.ts).

import { h, icon, setChildren } from "../shared/dom";
import { leaveIcon, warningIcon } from "../shared/icons";
import { readError, send } from "../shared/api";
import { LiveConnection, type Frame } from "../shared/live";
import { loadSettings, topicName } from "../shared/settings";
import { clock } from "../shared/text";
import {
  type Figures,
  handoffs,
  isNewer,
  type Overview,
  parseOverview,
  percentText,
  RATINGS,
  ratingsText,
  REASONS,
  waitText,
} from "./state";

const POLL_MS = 10_000;

function card(label: string, value: string, testid: string, note = ""): HTMLElement {
  return h(
    "div",
    { class: "card" },
    h("dt", { class: "card__label" }, label),
    h("dd", { class: "card__value", "data-testid": testid }, value),
    note ? h("dd", { class: "card__note" }, note) : null,
  );
}

function cell(value: string | number, testid: string): HTMLTableCellElement {
  return h("td", { class: "num", "data-testid": testid }, String(value));
}

class OverviewPage {
  private readonly app = document.getElementById("app") as HTMLElement;
  private readonly status = h("div", { role: "status", "aria-live": "polite", class: "overview__status" });
  private readonly updated = h("p", { class: "aksel-body-short overview__updated", "data-testid": "updated" });
  private readonly now = h("dl", { class: "cards", "data-testid": "now" });
  private readonly today = h("dl", { class: "cards", "data-testid": "today" });
  private readonly table = h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-labelledby": "topics-title" });
  private shown: Overview | null = null;
  private active = false;
  private readonly live = new LiveConnection({
    active: () => this.active,
    url: () => `${location.origin.replace(/^http/, "ws")}/api/advisor/ws`,
    // The handshake carries the login cookie.
    auth: () => ({ type: "auth" }),
    onFrame: (frame) => this.onFrame(frame),
    poll: () => void this.load(),
    pollMs: POLL_MS,
    catchUp: () => this.load(),
  });

  async init(): Promise<void> {
    setChildren(
      this.app,
      h(
        "header",
        { class: "topbar", "data-color": "neutral" },
        h("span", { class: "topbar__brand" }, h("strong", null, "Nav"), " Oversikt"),
        h("div", { class: "topbar__spacer" }),
        h("a", { href: "/veileder/ubesvart", class: "topbar__link" }, "Ubesvarte spørsmål"),
        h(
          "button",
          { type: "button", class: "aksel-button aksel-button--small", "data-variant": "tertiary", onclick: () => void this.logout() },
          icon(leaveIcon, "aksel-button__icon"),
          h("span", null, "Logg ut"),
        ),
      ),
      h(
        "main",
        { class: "overview" },
        h("h1", { class: "aksel-heading aksel-heading--large" }, "Oversikt over chatten"),
        this.updated,
        this.status,
        h(
          "section",
          { "aria-labelledby": "now-title" },
          h("h2", { id: "now-title", class: "aksel-heading aksel-heading--medium" }, "Akkurat nå"),
          this.now,
        ),
        h(
          "section",
          { "aria-labelledby": "today-title" },
          h("h2", { id: "today-title", class: "aksel-heading aksel-heading--medium" }, "I dag"),
          h("p", { class: "aksel-body-short overview__intro" }, "Tallene gjelder fra midnatt."),
          this.today,
        ),
        h(
          "section",
          { "aria-labelledby": "topics-title" },
          h("h2", { id: "topics-title", class: "aksel-heading aksel-heading--medium" }, "Per tema"),
          this.table,
        ),
      ),
    );
    document.title = "Oversikt – chat for veiledere – Nav";
    this.status.textContent = "Henter tallene …";
    await loadSettings();
    if (await this.load()) {
      this.active = true;
      this.live.connect();
    }
  }

  /** Read the overview over HTTP; false when there is nothing to follow (no login, no right). */
  private async load(): Promise<boolean> {
    let res: Response;
    try {
      res = await send("/api/advisor/overview");
    } catch {
      this.alert("Fikk ikke kontakt med tjenesten. Tallene kan være gamle.");
      return this.active;
    }
    if (res.status === 401 || res.status === 403) {
      this.stop();
      const message = res.status === 401 ? "Du må logge inn først." : (await readError(res)).message ?? "";
      this.alert(message, res.status === 401);
      return false;
    }
    if (!res.ok) {
      this.alert((await readError(res)).message || "Noe gikk galt. Prøv igjen.");
      return this.active;
    }
    this.show(parseOverview(await res.json()));
    return true;
  }

  private onFrame(frame: Frame): void {
    if (frame.type === "overview") this.show(parseOverview(frame.data));
    else if (frame.type === "error") {
      const err = frame.data as { error?: string; message?: string };
      if (err.error === "unauthorized" || err.error === "forbidden") {
        this.stop();
        this.alert(err.message ?? "", err.error === "unauthorized");
      }
    }
  }

  private stop(): void {
    this.active = false;
    this.live.stop();
  }

  private async logout(): Promise<void> {
    this.stop();
    try {
      await send("/api/advisor/logout", { method: "POST" });
    } finally {
      window.location.assign("/veileder");
    }
  }

  private alert(text: string, login = false): void {
    setChildren(
      this.status,
      h("div", { class: "alert alert--warning" }, icon(warningIcon), h("p", null, text)),
      login ? h("a", { href: "/veileder", class: "aksel-link" }, "Logg inn") : null,
    );
  }

  private show(o: Overview | null): void {
    if (!o || !isNewer(o, this.shown)) return;
    this.shown = o;
    this.status.replaceChildren();
    this.updated.textContent = `Oppdatert kl. ${clock(o.at)}. Siden oppdaterer seg selv.`;
    const t = o.total;
    const a = o.advisors;
    setChildren(
      this.now,
      card("Venter i kø", String(t.waiting), "waiting"),
      card("Lengste ventetid", waitText(t.longest_wait_seconds, t.waiting > 0), "longest-wait"),
      card("Pågående chatter", String(t.in_progress), "in-progress"),
      card("Veiledere ledige", String(a.available), "available"),
      card("Veiledere borte", String(a.away), "away"),
      card("I chat med ledig plass", String(a.in_chat_with_free_seats), "free-seat-advisors", `${a.free_seats} ledige plasser i alt`),
    );
    setChildren(
      this.today,
      card("Satt i kø", String(handoffs(t)), "handoffs", REASONS.map(([r, label]) => `${label}: ${t.handoffs_today[r] ?? 0}`).join(". ")),
      card("Tatt av en veileder", String(t.claimed_today), "claimed"),
      card(
        "Besvart innen 3 minutter",
        percentText(t),
        "in-time",
        t.answer_decided_today ? `${t.answered_within_3min_today} av ${t.answer_decided_today}` : "Ingen å regne med ennå",
      ),
      card("Lengste ventetid i dag", waitText(t.longest_wait_today_seconds, handoffs(t) > 0), "longest-wait-today"),
      card("Fikk svar (vurderinger)", ratingsText(t), "ratings"),
    );
    this.renderTable(o);
  }

  private row(name: string, f: Figures, topic: string | null): HTMLTableRowElement {
    const header = h("th", { scope: "row" }, name);
    return h(
      "tr",
      topic ? { "data-topic": topic } : { "data-testid": "all-topics" },
      header,
      cell(f.waiting, "waiting"),
      cell(waitText(f.longest_wait_seconds, f.waiting > 0), "longest-wait"),
      cell(f.in_progress, "in-progress"),
      ...REASONS.map(([r]) => cell(f.handoffs_today[r] ?? 0, `handoffs-${r}`)),
      cell(percentText(f), "in-time"),
      ...RATINGS.map(([v]) => cell(f.ratings_today[v] ?? 0, `rating-${v}`)),
    );
  }

  private renderTable(o: Overview): void {
    const heads = [
      "Tema",
      "Venter",
      "Lengste ventetid",
      "Pågående",
      ...REASONS.map(([, label]) => `I kø i dag: ${label.toLowerCase()}`),
      "Besvart innen 3 min i dag",
      ...RATINGS.map(([, label]) => `Vurdert «${label}» i dag`),
    ];
    setChildren(
      this.table,
      h(
        "table",
        { class: "aksel-table overview__table" },
        h("caption", { class: "aksel-sr-only" }, "Tall per tema, nå og i dag. Siste rad er alle tema."),
        h("thead", null, h("tr", null, ...heads.map((t, i) => h("th", { scope: "col", class: i ? "num" : null }, t)))),
        h("tbody", null, ...o.topics.map((f) => this.row(topicName(f.topic), f, f.topic))),
        h("tfoot", null, this.row("Alle tema", o.total, null)),
      ),
    );
  }
}

void new OverviewPage().init();
