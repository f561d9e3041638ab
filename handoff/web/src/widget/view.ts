// The widget's DOM: the launcher and the panel in a shadow root (so page CSS cannot break it,
// and it cannot break the page), and how each part is drawn from the state. What a click
// does is the controller's (see WidgetActions).

import { h, icon, setChildren } from "../shared/dom";
import { chatIcon, clockIcon, closeIcon, minusIcon, personIcon, sendIcon } from "../shared/icons";
import { deleteConfirmView, endConfirmView, endedView } from "./footer";
import { farewellView } from "./forget";
import { type ChatLanguage, languageSwitch } from "./language";
import { type MessageActions, renderLog, scrollToNewest } from "./messages";
import { launcherLabel, statusText, waitText, type Footer, type WidgetState } from "./state";
import { TEXTS, type WidgetTexts } from "./texts";

const TYPING_HIDE_MS = 8000;
const BOT_WAIT_MS = 20000;

export interface WidgetActions extends MessageActions {
  setOpen: (open: boolean) => void;
  askEnd: () => void;
  submit: () => void;
  input: () => void;
  escape: () => void;
  /** The visitor did something in the panel (for the idle timer). */
  use: () => void;
  askForPerson: () => void;
  /** The "English" / "Norsk" switch. */
  switchLanguage: () => void;
  leaveQueue: () => void;
  /** "Start chatten" under the first-time notice. */
  startFromNotice: () => void;
  restart: () => void;
  /** "Prøv igjen" / "Start en ny chat" after a start that failed or a conversation that is gone. */
  start: () => void;
  end: () => void;
  rate: (value: string) => void;
  download: () => void;
  deleteConversation: () => void;
  setFooter: (footer: Footer) => void;
}

/** Write a text only if it changed (a live region reads every write). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function iconButton(svg: string, label: string, onclick: () => void, withText = false): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: `aksel-button aksel-button--small${withText ? "" : " aksel-button--icon-only"}`,
      "data-variant": "tertiary",
      "aria-label": withText ? null : label,
      title: withText ? null : label,
      onclick,
    },
    icon(svg, "aksel-button__icon"),
    withText ? h("span", null, label) : null,
  );
}

function noticeView(onStart: () => void, t: WidgetTexts): HTMLElement {
  const heading = h("h3", { tabindex: -1, id: "navchat-notice-title" }, t.notice.title);
  return h(
    "div",
    { class: "notice" },
    heading,
    h(
      "ul",
      null,
      h("li", null, t.notice.bot),
      h("li", null, t.notice.stored),
      h("li", null, h("strong", null, t.notice.noPersonal), t.notice.noPersonalExamples),
      h("li", null, t.notice.person),
    ),
    h("button", { type: "button", class: "aksel-button", "data-variant": "primary", onclick: onStart }, h("span", null, t.notice.start)),
  );
}

export class WidgetView {
  readonly wrap: HTMLDivElement;
  readonly launcher: HTMLButtonElement;
  readonly panel: HTMLElement;
  readonly body: HTMLDivElement;
  readonly log: HTMLOListElement;
  readonly logRegion: HTMLDivElement;
  readonly typing: HTMLDivElement;
  readonly queueBox: HTMLDivElement;
  readonly footerBox: HTMLDivElement;
  readonly input: HTMLTextAreaElement;
  readonly error: HTMLParagraphElement;
  readonly composer: HTMLFormElement;
  private readonly badge: HTMLSpanElement;
  private readonly status: HTMLParagraphElement;
  private readonly endButton: HTMLButtonElement;
  private readonly counter: HTMLParagraphElement;
  private readonly counterLive: HTMLSpanElement;
  private readonly personButton: HTMLButtonElement;
  private readonly languageButton: HTMLButtonElement;
  private readonly minimiseButton: HTMLButtonElement;
  // The fixed texts' places, written again when the conversation's language changes.
  private readonly launcherText: HTMLSpanElement;
  private readonly title: HTMLHeadingElement;
  private readonly landmark: HTMLElement;
  private readonly endText: HTMLSpanElement;
  private readonly personText: HTMLSpanElement;
  private readonly inputLabel: HTMLLabelElement;
  private readonly sendButton: HTMLButtonElement;
  /** The texts of the conversation's language (Norwegian until the hub or the switch says otherwise). */
  private t: WidgetTexts = TEXTS.nb;
  /** The queue box's changing parts, while the visitor is in the queue. */
  private queueParts: { position: HTMLElement; wait: HTMLElement; lang: ChatLanguage } | null = null;
  private typingHideTimer: number | undefined;
  private botWaitTimer: number | undefined;
  private counterAnnounceTimer: number | undefined;

  constructor(private readonly on: WidgetActions) {
    const t = this.t;
    this.badge = h("span", { class: "badge", "aria-hidden": "true", hidden: true });
    this.launcherText = h("span", { class: "launcher__label" }, t.chatWithNav);
    this.launcher = h(
      "button",
      {
        type: "button",
        class: "aksel-button launcher",
        "data-variant": "primary",
        "aria-controls": "navchat-panel",
        "aria-expanded": "false",
        onclick: () => on.setOpen(true),
      },
      icon(chatIcon, "aksel-button__icon"),
      this.launcherText,
      this.badge,
    );

    this.status = h("p", { class: "panel__status" });
    this.endButton = iconButton(closeIcon, t.end, () => on.askEnd(), true);
    this.endText = this.endButton.lastElementChild as HTMLSpanElement; // after the icon
    this.minimiseButton = iconButton(minusIcon, t.minimise, () => on.setOpen(false));
    this.title = h("h2", { class: "panel__title", id: "navchat-title" }, t.chatWithNav);
    const header = h(
      "div",
      { class: "panel__header" },
      h("div", { class: "titles" }, this.title, this.status),
      this.minimiseButton,
      this.endButton,
    );

    this.log = h("ol", { class: "log" });
    this.logRegion = h(
      "div",
      { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": t.messagesLabel },
      this.log,
    );
    this.typing = h("div", { class: "typing", "aria-live": "polite" });
    // Scrollable, so it must be reachable with the keyboard (WCAG 2.1.1).
    this.body = h("div", { class: "panel__body", tabindex: 0, role: "group", "aria-label": t.conversationLabel });
    this.queueBox = h("div", { class: "queue", role: "status", hidden: true });

    this.input = h("textarea", {
      id: "navchat-input",
      rows: 2,
      "aria-describedby": "navchat-counter navchat-error",
      autocomplete: "off",
      placeholder: t.placeholder,
      oninput: () => on.input(),
      onkeydown: (e: Event) => this.onKeyDown(e as KeyboardEvent),
    });
    this.counter = h("p", { class: "counter", id: "navchat-counter" });
    this.counterLive = h("span", { class: "sr-only", "aria-live": "polite" });
    this.error = h("p", { class: "error", id: "navchat-error", role: "alert" });
    this.personText = h("span", null, t.askForPerson);
    // Always in sight while the bot is in charge: the research behind the product found
    // that visitors who struggle most need a visible way to a person, not a keyword.
    this.personButton = h(
      "button",
      {
        type: "button",
        class: "aksel-button aksel-button--small person",
        "data-variant": "tertiary",
        onclick: () => on.askForPerson(),
      },
      icon(personIcon, "aksel-button__icon"),
      this.personText,
    );
    const other = languageSwitch(t.lang);
    this.languageButton = h(
      "button",
      {
        type: "button",
        class: "aksel-button aksel-button--small language",
        "data-variant": "tertiary",
        lang: other.lang,
        onclick: () => on.switchLanguage(),
      },
      other.label,
    );
    this.inputLabel = h("label", { for: "navchat-input", class: "sr-only" }, t.inputLabel);
    this.sendButton = h(
      "button",
      { type: "submit", class: "aksel-button", "data-variant": "primary", "aria-label": t.send },
      icon(sendIcon, "aksel-button__icon"),
    );
    this.composer = h(
      "form",
      {
        class: "composer",
        onsubmit: (e: Event) => {
          e.preventDefault();
          on.submit();
        },
      },
      this.inputLabel,
      h(
        "div",
        { class: "composer__row" },
        this.input,
        this.sendButton,
      ),
      h("div", { class: "composer__below" }, this.counter, this.languageButton, this.personButton),
      this.counterLive,
      this.error,
    );
    this.footerBox = h("div", { class: "panel__footer" });

    this.panel = h(
      "section",
      {
        id: "navchat-panel",
        class: "panel",
        "aria-labelledby": "navchat-title",
        lang: t.lang,
        hidden: true,
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key !== "Escape") return;
          e.stopPropagation();
          on.escape();
        },
        onpointerdown: () => on.use(),
        onwheel: () => on.use(),
      },
      header,
      this.body,
      this.queueBox,
      this.footerBox,
    );
    this.wrap = h("div", { class: "navchat", "data-color": "accent" }, this.panel, this.launcher);
    this.landmark = h("aside", { "aria-label": t.chatWithNav }, this.wrap);
  }

  /** The texts of the conversation's language. */
  get texts(): WidgetTexts {
    return this.t;
  }

  /**
   * The conversation's language changed (the hub said so, or the switch): the fixed texts
   * in place are written again, and the switch offers the other language. Returns whether
   * anything changed (the caller draws the log, footer and status again).
   */
  setLanguage(language: ChatLanguage): boolean {
    const t = TEXTS[language];
    const other = languageSwitch(language);
    this.languageButton.lang = other.lang;
    setText(this.languageButton, other.label);
    if (t === this.t) return false;
    this.t = t;
    this.panel.lang = t.lang;
    this.launcher.lang = t.lang;
    setText(this.launcherText, t.chatWithNav);
    setText(this.title, t.chatWithNav);
    this.landmark.setAttribute("aria-label", t.chatWithNav);
    setText(this.endText, t.end);
    this.logRegion.setAttribute("aria-label", t.messagesLabel);
    this.body.setAttribute("aria-label", t.conversationLabel);
    this.input.placeholder = t.placeholder;
    setText(this.inputLabel, t.inputLabel);
    this.sendButton.setAttribute("aria-label", t.send);
    setText(this.personText, t.askForPerson);
    return true;
  }

  /** Put the widget on the page, in its own shadow root. */
  mount(hub: string): void {
    const host = h("div", { id: "nav-chat-widget" });
    const shadow = host.attachShadow({ mode: "open" });

    // A constructed stylesheet is not inline markup, so a strict Content-Security-Policy allows it.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(__WIDGET_CSS__);
      shadow.adoptedStyleSheets = [sheet];
    } catch {
      shadow.append(h("style", null, __WIDGET_CSS__));
    }
    shadow.append(this.landmark);
    document.body.appendChild(host);
    if (!document.getElementById("navchat-fonts")) {
      document.head.appendChild(h("link", { id: "navchat-fonts", rel: "stylesheet", href: `${hub}/static/fonts.css` }));
    }
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.composer.requestSubmit();
    }
  }

  showPanel(open: boolean): void {
    this.panel.hidden = !open;
    this.wrap.classList.toggle("navchat--open", open);
    this.launcher.setAttribute("aria-expanded", String(open));
  }

  renderBadge(unread: number): void {
    this.badge.hidden = unread === 0;
    this.badge.textContent = String(unread);
    this.launcher.setAttribute("aria-label", launcherLabel(unread, this.t));
  }

  // ---------- body: notice, farewell or messages ----------

  get showsLog(): boolean {
    return this.body.contains(this.logRegion);
  }

  renderBody(state: WidgetState, noticeSeen: boolean): void {
    if (state.farewell) {
      setChildren(this.body, farewellView(state.farewell, () => this.on.restart(), this.t));
      return;
    }
    if (!state.saved && !noticeSeen) {
      setChildren(this.body, noticeView(() => this.on.startFromNotice(), this.t));
      return;
    }
    if (!this.showsLog) setChildren(this.body, this.logRegion, this.typing);
    this.renderLog(state);
  }

  renderLog(state: WidgetState): void {
    renderLog(this.log, state, this.on);
  }

  /** The log and the bot "typing" while a new conversation is being started. */
  showStarting(): void {
    setChildren(this.body, this.logRegion, this.typing);
    this.renderTyping("bot");
  }

  /** The chat could not be started: why, and a way to try again. */
  showUnavailable(message: string): void {
    setChildren(
      this.body,
      h("div", { class: "aksel-base-alert", "data-color": "danger", role: "alert" }, h("p", null, message)),
      h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => this.on.start() }, h("span", null, this.t.tryAgain)),
    );
  }

  /** The hub no longer knows the conversation (deleted, or its secret is wrong). */
  showLost(): void {
    setChildren(
      this.body,
      h("p", null, this.t.lost),
      h("button", { type: "button", class: "aksel-button aksel-button--small", "data-variant": "primary", onclick: () => this.on.start() }, h("span", null, this.t.startNew)),
    );
  }

  /** Draw new messages; keep the newest in sight if the visitor was there (or looking). */
  showAdded(state: WidgetState): void {
    if (!this.showsLog) return;
    const nearEnd = this.body.scrollHeight - this.body.scrollTop - this.body.clientHeight < 120;
    this.renderLog(state);
    if (nearEnd || state.open) this.scrollToNewest(state);
  }

  scrollToNewest(state: WidgetState): void {
    scrollToNewest(this.body, this.log, state.messages);
  }

  /** Empty the log, the typing line and the composer (the conversation was forgotten). */
  clear(): void {
    this.log.replaceChildren();
    this.typing.replaceChildren();
    this.input.value = "";
  }

  focusDefault(footer: Footer): void {
    const notice = this.body.querySelector<HTMLElement>(".notice h3");
    const farewell = this.body.querySelector<HTMLElement>(".farewell h3");
    if (notice) notice.focus();
    else if (farewell) farewell.focus();
    else if (footer === "composer") this.input.focus();
    else this.footerBox.querySelector<HTMLElement>("h3, button")?.focus();
  }

  focusFarewell(): void {
    this.body.querySelector<HTMLElement>(".farewell h3")?.focus();
  }

  // ---------- header and queue ----------

  renderStatus(state: WidgetState): void {
    setText(this.status, statusText(state.saved !== null, state.owner, this.t));
    this.endButton.hidden = !state.saved || state.owner === "closed";
    const closes = !state.stored || state.farewell !== null;
    const label = closes ? this.t.close : this.t.minimise;
    if (this.minimiseButton.getAttribute("aria-label") !== label) {
      this.minimiseButton.setAttribute("aria-label", label);
      this.minimiseButton.title = label;
      setChildren(this.minimiseButton, icon(closes ? closeIcon : minusIcon, "aksel-button__icon"));
    }
    this.personButton.hidden = state.owner !== "bot";
    this.languageButton.hidden = !state.saved || state.owner === "closed";
    this.renderQueue(state);
  }

  /**
   * The queue box is a status region: whatever is written into it is read aloud, and a button
   * put there anew loses keyboard focus. So it is made once when the visitor enters the queue,
   * and afterwards only a text that changed is written.
   */
  private renderQueue(state: WidgetState): void {
    if (state.owner === "queue" && state.queue) {
      if (!this.queueParts || this.queueParts.lang !== this.t.lang) {
        const position = h("strong", { "data-testid": "queue-position" });
        const wait = h("span");
        setChildren(
          this.queueBox,
          icon(clockIcon),
          h("p", null, position, " ", wait),
          h(
            "button",
            { type: "button", class: "aksel-button aksel-button--small", "data-variant": "secondary", onclick: () => this.on.leaveQueue() },
            h("span", null, this.t.leaveQueue),
          ),
        );
        this.queueParts = { position, wait, lang: this.t.lang };
      }
      setText(this.queueParts.position, this.t.queuePosition(state.queue.position));
      setText(this.queueParts.wait, waitText(state.queue, this.t));
      this.queueBox.hidden = false;
      return;
    }
    if (!this.queueParts) return;
    const focused = (this.queueBox.getRootNode() as ShadowRoot | Document).activeElement;
    const hadFocus = focused !== null && this.queueBox.contains(focused);
    this.queueParts = null;
    this.queueBox.hidden = true;
    this.queueBox.replaceChildren();
    // An advisor took the chat while "Forlat køen" had focus: go on where the visitor writes.
    if (hadFocus && state.open && state.footer === "composer") this.input.focus();
  }

  // ---------- "… skriver" ----------

  get botWaiting(): boolean {
    return this.botWaitTimer !== undefined;
  }

  showTyping(sender: "bot" | "advisor" | null): void {
    window.clearTimeout(this.typingHideTimer);
    if (!sender) {
      if (this.botWaitTimer !== undefined) return this.renderTyping("bot");
      this.typing.replaceChildren();
      return;
    }
    this.renderTyping(sender);
    this.typingHideTimer = window.setTimeout(() => this.showTyping(null), TYPING_HIDE_MS);
  }

  renderTyping(sender: "bot" | "advisor"): void {
    setChildren(
      this.typing,
      h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { "data-testid": "typing" }, sender === "bot" ? this.t.botTyping : this.t.advisorTyping),
    );
  }

  /** While the bot owns the chat, show it "typing" between the visitor's message and its answer. */
  setBotWaiting(waiting: boolean): void {
    window.clearTimeout(this.botWaitTimer);
    this.botWaitTimer = undefined;
    if (waiting) {
      this.botWaitTimer = window.setTimeout(() => this.setBotWaiting(false), BOT_WAIT_MS);
      this.renderTyping("bot");
    } else {
      this.typing.replaceChildren();
    }
  }

  // ---------- footer: composer / confirm / ended ----------

  renderFooter(state: WidgetState): void {
    if (!state.saved) {
      this.footerBox.hidden = true;
      return;
    }
    this.footerBox.hidden = false;
    const on = this.on;
    if (state.footer === "composer") {
      setChildren(this.footerBox, this.composer);
    } else if (state.footer === "confirm") {
      setChildren(this.footerBox, endConfirmView(() => on.end(), () => on.setFooter("composer"), this.t));
    } else if (state.footer === "confirm-delete") {
      setChildren(this.footerBox, deleteConfirmView(() => on.deleteConversation(), () => on.setFooter("ended"), this.t));
    } else {
      setChildren(
        this.footerBox,
        endedView(state.rating !== null, {
          rate: (value) => on.rate(value),
          download: () => on.download(),
          restart: () => on.restart(),
          askDelete: () => on.setFooter("confirm-delete"),
        }, this.t),
      );
    }
  }

  footerError(text: string): void {
    const el = this.footerBox.querySelector<HTMLElement>(".error");
    if (el) el.textContent = text;
  }

  /** Start a file download of `blob` from inside the panel. */
  download(blob: Blob, name: string): void {
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name, hidden: true });
    this.footerBox.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---------- composer ----------

  /** The counter under the field, against the longest message the hub takes (null: not known yet). */
  updateCounter(max: number | null): void {
    window.clearTimeout(this.counterAnnounceTimer);
    if (max === null) {
      this.counter.textContent = "";
      this.input.setAttribute("aria-invalid", "false");
      return;
    }
    const left = max - this.input.value.length;
    const over = left < 0;
    const text = this.t.counter(left);
    this.counter.textContent = text;
    this.counter.classList.toggle("counter--over", over);
    this.input.setAttribute("aria-invalid", String(over));
    if (max - this.input.value.length <= 100) {
      this.counterAnnounceTimer = window.setTimeout(() => {
        this.counterLive.textContent = this.counter.textContent ?? "";
      }, 1000);
    }
  }

  /** The field grows with the text, up to six lines. */
  fitInput(): void {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 144)}px`;
  }
}
