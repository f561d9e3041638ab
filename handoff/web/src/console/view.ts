// The advisor console's page: the login, the top bar and the queues. The open chats are
// drawn by chat-view.ts; what a click does is the controller's.

import { h, icon, setChildren } from "../shared/dom";
import { leaveIcon, personIcon, warningIcon } from "../shared/icons";
import { topicName } from "../shared/settings";
import { waited } from "../shared/text";
import { type Advisor, languageTag, type QueueTopic, queueTotalText, reasonText, SHORTCUTS, sortWaiting, urgentAcrossTopics, type Waiting } from "./state";

export function alertBox(kind: "danger" | "warning" | "info" | "success", text: string): HTMLElement {
  return h("div", { class: `alert alert--${kind}` }, icon(warningIcon), h("p", null, text));
}

/** The login form; `login` throws an ApiFailure when the hub says no. */
export function loginView(message: string, login: (username: string, password: string) => Promise<void>): { page: HTMLElement; focus: HTMLElement } {
  const error = h("div", { class: "login-error", role: "alert" });
  if (message) error.append(alertBox("warning", message));
  const user = h("input", { id: "username", name: "username", class: "field", autocomplete: "username", required: true });
  const pass = h("input", { id: "password", name: "password", type: "password", class: "field", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "aksel-button", "data-variant": "primary" }, h("span", null, "Logg inn"));
  const onSubmit = async (): Promise<void> => {
    error.replaceChildren();
    submit.disabled = true;
    try {
      await login(user.value.trim(), pass.value);
    } catch (err) {
      const status = (err as { status?: number }).status;
      error.append(
        alertBox("danger", status === 401 ? "Feil brukernavn eller passord." : (err as Error).message || "Innloggingen feilet. Prøv igjen."),
      );
      pass.value = "";
      pass.focus();
    } finally {
      submit.disabled = false;
    }
  };
  const form = h(
    "form",
    {
      class: "login-card",
      "aria-labelledby": "login-title",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void onSubmit();
      },
    },
    h("h1", { class: "aksel-heading aksel-heading--large", id: "login-title" }, "Logg inn som veileder"),
    h("p", { class: "aksel-body-short" }, "Chat med Nav – for veiledere"),
    error,
    h("div", { class: "form-field" }, h("label", { for: "username", class: "aksel-label" }, "Brukernavn"), user),
    h("div", { class: "form-field" }, h("label", { for: "password", class: "aksel-label" }, "Passord"), pass),
    submit,
  );
  return { page: h("main", { class: "login-page" }, form), focus: user };
}

export interface ShellActions {
  setStatus: (status: string) => void;
  logout: () => void;
}

export interface Shell {
  queueBox: HTMLElement;
  /** Why a claim failed: over the queues, outside what a queue update redraws. */
  claimNotice: HTMLElement;
  chatBox: HTMLElement;
  announcer: HTMLElement;
  headerStatus: HTMLSelectElement;
}

/** The top bar, the queues' column and the chats' area, drawn into `app`. */
export function renderShell(app: HTMLElement, me: Advisor, on: ShellActions): Shell {
  const headerStatus = h(
    "select",
    { id: "status", class: "status-select", onchange: () => on.setStatus(headerStatus.value) },
    h("option", { value: "available" }, "Tilgjengelig"),
    h("option", { value: "away" }, "Borte"),
  );
  headerStatus.value = me.status === "available" ? "available" : "away";
  const queueBox = h("div", { class: "queue-list" });
  const claimNotice = h("div", { class: "claim-notice", "data-testid": "claim-notice" });
  const chatBox = h("div", { class: "chat-area" });
  const announcer = h("div", { class: "aksel-sr-only", "aria-live": "polite", role: "status" });
  setChildren(
    app,
    h(
      "header",
      { class: "topbar", "data-color": "neutral" },
      h("span", { class: "topbar__brand" }, h("strong", null, "Nav"), " Chat for veiledere"),
      h("div", { class: "topbar__spacer" }),
      // A new tab: the chats here stay open while an editor reads the list.
      h("a", { href: "/veileder/ubesvart", target: "_blank", rel: "noopener", class: "topbar__link" }, "Ubesvarte spørsmål"),
      h("label", { for: "status", class: "topbar__label" }, "Status"),
      headerStatus,
      h("span", { class: "topbar__name", "data-testid": "advisor-name" }, icon(personIcon), me.name),
      h(
        "button",
        { type: "button", class: "aksel-button aksel-button--small topbar__logout", "data-variant": "tertiary", onclick: () => on.logout() },
        icon(leaveIcon, "aksel-button__icon"),
        h("span", null, "Logg ut"),
      ),
    ),
    h(
      "main",
      { class: "console" },
      h(
        "section",
        { class: "queues", "aria-labelledby": "queues-title", tabindex: 0 },
        h("h1", { class: "aksel-heading aksel-heading--medium", id: "queues-title" }, "Køer"),
        claimNotice,
        queueBox,
        h(
          "details",
          { class: "shortcuts" },
          h("summary", null, "Hurtigtaster"),
          h(
            "dl",
            null,
            SHORTCUTS.map(([key, what]) => [h("dt", null, h("kbd", null, key)), h("dd", null, what)]),
          ),
        ),
      ),
      h("section", { class: "chats", "aria-labelledby": "chats-title" }, h("h2", { class: "aksel-sr-only", id: "chats-title" }, "Mine samtaler"), chatBox),
    ),
    announcer,
  );
  return { queueBox, claimNotice, chatBox, announcer, headerStatus };
}

function waitingItem(w: Waiting, topic: string, claim: (id: string) => void, withTopic: boolean): HTMLElement {
  return h(
    "li",
    { class: `waiting__item${w.urgent ? " waiting__item--urgent" : ""}`, "data-conversation": w.conversation_id, "data-topic": topic },
    h(
      "div",
      { class: "waiting__meta" },
      h(
        "span",
        { class: "aksel-tag aksel-tag--small", "data-variant": w.urgent ? "strong" : "moderate", "data-color": w.urgent ? "danger" : w.reason === "unsure" ? "warning" : "info" },
        w.urgent ? "Haster" : reasonText(w.reason),
      ),
      withTopic ? h("span", { class: "waiting__topic" }, topicName(topic)) : null,
      languageTag(w.language) ? h("span", { class: "aksel-tag aksel-tag--small", "data-variant": "moderate", "data-color": "neutral" }, languageTag(w.language)) : null,
      h("span", { class: "waiting__time", "data-waited": w.waiting_seconds }, `Har ventet ${waited(w.waiting_seconds)}`),
    ),
    h(
      "blockquote",
      { class: "waiting__lines" },
      (w.first_lines ?? []).slice(0, 3).map((line) => h("p", null, line)),
    ),
    h(
      "button",
      {
        type: "button",
        class: "aksel-button aksel-button--small",
        "data-variant": "primary",
        "data-claim": w.conversation_id,
        "aria-label": `Ta samtalen: ${(w.first_lines ?? [])[0] ?? topicName(topic)}`,
        onclick: () => claim(w.conversation_id),
      },
      h("span", null, "Ta samtalen"),
    ),
  );
}

/** The queues: first every urgent chat, whatever its topic (longest wait first), then each
 * topic with the rest. The focus stays on the "Ta samtalen" button it was on. */
export function renderQueues(queueBox: HTMLElement, queues: QueueTopic[], claim: (id: string) => void): void {
  const focused = (queueBox.getRootNode() as Document).activeElement as HTMLElement | null;
  const focusId = focused && queueBox.contains(focused) ? focused.dataset.claim : undefined;
  const total = queues.reduce((n, q) => n + q.waiting.length, 0);
  const urgent = urgentAcrossTopics(queues);
  const urgentSection = urgent.length
    ? h(
        "section",
        { class: "topic topic--urgent", "aria-labelledby": "topic-urgent", "data-testid": "urgent-queue" },
        h(
          "h2",
          { class: "topic__title", id: "topic-urgent" },
          h("span", null, "Haster"),
          h("span", { class: "count count--urgent", "aria-label": `${urgent.length} haster` }, String(urgent.length)),
        ),
        h(
          "ul",
          { class: "waiting" },
          urgent.map(({ topic, waiting }) => waitingItem(waiting, topic, claim, true)),
        ),
      )
    : null;
  const sections = queues.map((q) => {
    const id = `topic-${q.topic}`;
    const items = sortWaiting(q.waiting).filter((w) => !w.urgent);
    const urgentHere = q.waiting.length - items.length;
    return h(
      "section",
      { class: "topic", "aria-labelledby": id, "data-topic": q.topic },
      h(
        "h2",
        { class: "topic__title", id },
        h("span", null, topicName(q.topic)),
        h("span", { class: `count${items.length ? " count--busy" : ""}`, "aria-label": `${items.length} venter` }, String(items.length)),
      ),
      urgentHere ? h("p", { class: "topic__urgent" }, urgentHere === 1 ? "1 som haster står øverst." : `${urgentHere} som haster står øverst.`) : null,
      items.length === 0
        ? urgentHere
          ? null
          : h("p", { class: "topic__empty" }, "Ingen venter")
        : h(
            "ul",
            { class: "waiting" },
            items.map((w) => waitingItem(w, q.topic, claim, false)),
          ),
    );
  });
  setChildren(queueBox, h("p", { class: "queue-total", "data-testid": "queue-total" }, queueTotalText(total)), urgentSection, sections);
  if (focusId) queueBox.querySelector<HTMLElement>(`[data-claim="${CSS.escape(focusId)}"]`)?.focus();
}

/** The waiting times go on between updates from the hub. */
export function tickWaited(queueBox: HTMLElement, elapsedSeconds: number): void {
  for (const el of Array.from(queueBox.querySelectorAll<HTMLElement>("[data-waited]"))) {
    el.textContent = `Har ventet ${waited(Number(el.dataset.waited) + elapsedSeconds)}`;
  }
}

/** Why a claim failed, over the queues. It stays (queue updates do not touch it) until
 * the advisor closes it or claims again: under time pressure a message that vanishes is
 * a message not read. */
export function showClaimNotice(box: HTMLElement, text: string): void {
  const close = h(
    "button",
    {
      type: "button",
      class: "aksel-button aksel-button--small claim-notice__close",
      "data-variant": "tertiary",
      onclick: () => {
        clearClaimNotice(box);
        box.closest<HTMLElement>("section")?.focus();
      },
    },
    h("span", null, "Lukk meldingen"),
  );
  const alert = alertBox("warning", text);
  alert.append(close);
  setChildren(box, h("div", { role: "alert" }, alert));
}

export function clearClaimNotice(box: HTMLElement): void {
  box.replaceChildren();
}
