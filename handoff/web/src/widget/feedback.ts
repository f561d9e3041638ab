// "Var svaret nyttig? Ja / Nei" under each of the bot's FAQ answers (a bot message with a
// `faq_id`). Sent once per answer; "Nei" puts the question and this answer on the editors'
// list of unanswered questions. The thank-you is added inside the message log, a polite live
// region, so a screen reader announces it.

import { h, icon, setChildren } from "../shared/dom";
import { successIcon, thumbDownIcon, thumbUpIcon } from "../shared/icons";
import type { Vote } from "./storage";

export type VoteResult = "sent" | "already" | "failed";
export type SendVote = (messageId: number, vote: Vote) => Promise<VoteResult>;

const CHOICES: { vote: Vote; label: string; name: string; svg: string }[] = [
  { vote: "ja", label: "Ja", name: "Ja, svaret var nyttig", svg: thumbUpIcon },
  { vote: "nei", label: "Nei", name: "Nei, svaret var ikke nyttig", svg: thumbDownIcon },
];

function thanks(): HTMLParagraphElement {
  return h("p", { class: "feedback__thanks", tabindex: -1 }, icon(successIcon), "Takk for svaret!");
}

/** The question and its two buttons, or the thank-you once `voted`. */
export function feedbackBox(messageId: number, voted: Vote | undefined, send: SendVote): HTMLElement {
  const box = h("div", { class: "feedback", "data-testid": "feedback" });
  if (voted) {
    box.append(thanks());
    return box;
  }
  const labelId = `navchat-feedback-${messageId}`;
  const error = h("p", { class: "error", role: "alert" });
  const buttons = CHOICES.map((c) =>
    h(
      "button",
      {
        type: "button",
        class: "aksel-button aksel-button--small",
        "data-variant": "secondary",
        "aria-label": c.name,
        onclick: () => void choose(c.vote),
      },
      icon(c.svg, "aksel-button__icon"),
      h("span", null, c.label),
    ),
  );
  const group = h(
    "div",
    { class: "feedback__ask", role: "group", "aria-labelledby": labelId },
    h("span", { id: labelId, class: "feedback__question" }, "Var svaret nyttig?"),
    ...buttons,
  );
  let sending = false;

  async function choose(vote: Vote): Promise<void> {
    if (sending) return;
    sending = true;
    error.textContent = "";
    for (const b of buttons) b.setAttribute("aria-disabled", "true");
    const result = await send(messageId, vote);
    sending = false;
    for (const b of buttons) b.removeAttribute("aria-disabled");
    if (result === "failed") {
      error.textContent = "Vi fikk ikke sendt svaret ditt. Prøv igjen.";
      return;
    }
    // The pressed button goes away: keep keyboard focus here, on the thank-you.
    const root = box.getRootNode() as ShadowRoot | Document;
    const hadFocus = root.activeElement !== null && box.contains(root.activeElement);
    const done = thanks();
    setChildren(box, done);
    if (hadFocus) done.focus();
  }

  box.append(group, error);
  return box;
}
