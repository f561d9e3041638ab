// "Var svaret nyttig? Ja / Nei" under each of the bot's FAQ answers (a bot message with a
// `faq_id`). Sent once per answer; "Nei" puts the question and this answer on the editors'
// list of unanswered questions. The thank-you is added inside the message log, a polite live
// region, so a screen reader announces it.

import { h, icon, setChildren } from "../shared/dom";
import { successIcon, thumbDownIcon, thumbUpIcon } from "../shared/icons";
import type { Vote } from "./storage";
import type { WidgetTexts } from "./texts";

export type VoteResult = "sent" | "already" | "failed";
export type SendVote = (messageId: number, vote: Vote) => Promise<VoteResult>;

function choices(t: WidgetTexts): { vote: Vote; label: string; name: string; svg: string }[] {
  return [
    { vote: "ja", label: t.feedback.yes, name: t.feedback.yesName, svg: thumbUpIcon },
    { vote: "nei", label: t.feedback.no, name: t.feedback.noName, svg: thumbDownIcon },
  ];
}

function thanks(t: WidgetTexts): HTMLParagraphElement {
  return h("p", { class: "feedback__thanks", tabindex: -1 }, icon(successIcon), t.feedback.thanks);
}

/** The question and its two buttons, or the thank-you once `voted`. */
export function feedbackBox(messageId: number, voted: Vote | undefined, send: SendVote, t: WidgetTexts): HTMLElement {
  const box = h("div", { class: "feedback", "data-testid": "feedback" });
  if (voted) {
    box.append(thanks(t));
    return box;
  }
  const labelId = `navchat-feedback-${messageId}`;
  const error = h("p", { class: "error", role: "alert" });
  const buttons = choices(t).map((c) =>
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
    h("span", { id: labelId, class: "feedback__question" }, t.feedback.question),
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
      error.textContent = t.feedback.failed;
      return;
    }
    // The pressed button goes away: keep keyboard focus here, on the thank-you.
    const root = box.getRootNode() as ShadowRoot | Document;
    const hadFocus = root.activeElement !== null && box.contains(root.activeElement);
    const done = thanks(t);
    setChildren(box, done);
    if (hadFocus) done.focus();
  }

  box.append(group, error);
  return box;
}
