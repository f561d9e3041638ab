// What the advisor console knows: the advisor, the queues and the open chats, with the rules
// that change them. No DOM and no network here.

import type { Message, Owner } from "../shared/types";

export interface Advisor {
  id: number | string;
  name: string;
  /** "available" or "away". */
  status: string;
  max_chats: number;
  /** "advisor" or "editor". */
  role?: string;
}

export interface Waiting {
  conversation_id: string;
  reason: string;
  urgent: boolean;
  waiting_seconds: number;
  first_lines: string[];
}

export interface QueueTopic {
  topic: string;
  waiting: Waiting[];
}

export interface ConversationDetail {
  id: string;
  owner: Owner;
  topic?: string | null;
  reason?: string | null;
  messages?: Message[];
  summary?: ChatSummary | null;
}

/** The bot's part in short, from the hub (rules/assist.py). */
export interface ChatSummary {
  topic: string;
  reason: string;
  first_question: string | null;
  last_question: string | null;
  bot_answers: { faq_id: string; title: string }[];
  visitor_messages: number;
}

/** GET /api/advisor/conversations/{id}/suggestions. */
export interface Suggestions {
  message_id: number | null;
  question: string | null;
  answers: Faq[];
}

export interface Faq {
  id: string;
  topic: string;
  question: string;
  answer: string;
}

export interface Chat {
  id: string;
  owner: Owner;
  topic: string | null;
  reason: string | null;
  messages: Map<number, Message>;
  typing: boolean;
  typingTimer?: number;
  unread: number;
  draft: string;
  faqQuery: string;
  faqResults: Faq[] | null;
  /** Why the last search failed (the hub's Norwegian message), or "". */
  faqError: string;
  notice: string;
  summary?: ChatSummary;
  /** The advisor closed the summary (it stays closed when the chat is drawn again). */
  summaryClosed?: boolean;
  /** The answers suggested for the visitor's latest message, before any search. */
  suggestions?: Faq[];
  /** The visitor message id the suggestions were asked for. */
  suggestedFor?: number;
}

/** One entry of the WebSocket's `chats` frame: an open chat and its newest message id. */
export interface ChatHead {
  conversation_id: string;
  last_message_id: number;
}

const REASONS: Record<string, string> = {
  asked_for_person: "Ba om veileder",
  unsure: "Chatboten var usikker",
  urgent: "Haster",
};

export const OUTCOMES: [string, string][] = [
  ["besvart", "Besvart"],
  ["henvist", "Henvist videre"],
  ["ikke_besvart", "Ikke besvart"],
];

export function reasonText(reason: string | null | undefined): string {
  return (reason && REASONS[reason]) || "Ba om veileder";
}

/** The waiting list of a topic: urgent first, then the longest wait first. */
export function sortWaiting(waiting: Waiting[]): Waiting[] {
  return [...waiting].sort((a, b) => Number(b.urgent) - Number(a.urgent) || b.waiting_seconds - a.waiting_seconds);
}

export function queueTotalText(total: number): string {
  return total === 0 ? "Ingen venter på svar." : total === 1 ? "1 person venter." : `${total} personer venter.`;
}

/** Add a chat the hub sent, or bring a known one up to date (messages merged by id). */
export function upsertChat(chats: Map<string, Chat>, c: ConversationDetail): Chat {
  let chat = chats.get(c.id);
  if (!chat) {
    chat = {
      id: c.id,
      owner: c.owner ?? "advisor",
      topic: c.topic ?? null,
      reason: c.reason ?? null,
      messages: new Map(),
      typing: false,
      unread: 0,
      draft: "",
      faqQuery: "",
      faqResults: null,
      faqError: "",
      notice: "",
    };
    chats.set(c.id, chat);
  } else {
    if (c.owner) chat.owner = c.owner;
    if (c.topic) chat.topic = c.topic;
    if (c.reason) chat.reason = c.reason;
  }
  if (c.summary) chat.summary = c.summary;
  for (const m of c.messages ?? []) chat.messages.set(m.id, m);
  return chat;
}

/** The id of the visitor's newest message (0: none yet). */
export function latestVisitorId(chat: Chat): number {
  return Math.max(0, ...[...chat.messages.values()].filter((m) => m.sender === "visitor").map((m) => m.id));
}

/** Whether the suggested answers must be asked for again: a live chat with a newer visitor message. */
export function needsSuggestions(chat: Chat): boolean {
  return chat.owner === "advisor" && latestVisitorId(chat) !== chat.suggestedFor;
}

/** The chat is no longer this advisor's: it says why, unless it already says something. */
export function markEnded(chat: Chat, owner: Owner): void {
  chat.owner = owner;
  chat.typing = false;
  if (!chat.notice) {
    chat.notice =
      owner === "closed"
        ? "Chatten er avsluttet."
        : owner === "bot"
          ? "Chatboten har tatt over samtalen."
          : owner === "queue"
            ? "Samtalen er overført til en kø."
            : "";
  }
}

export function newestMessageId(chat: Chat): number {
  return Math.max(0, ...chat.messages.keys());
}

/** The chats of a `chats` frame this console must read again: unknown, or with a newer message. */
export function staleChats(heads: ChatHead[], chats: Map<string, Chat>): string[] {
  const stale: string[] = [];
  for (const head of heads) {
    if (typeof head?.conversation_id !== "string" || typeof head.last_message_id !== "number") continue;
    const chat = chats.get(head.conversation_id);
    if (!chat || head.last_message_id > newestMessageId(chat)) stale.push(head.conversation_id);
  }
  return stale;
}

export function sortedMessages(chat: Chat): Message[] {
  return [...chat.messages.values()].sort((a, b) => a.id - b.id);
}

/** The first thing the visitor wrote, shortened for a tab. */
export function tabText(chat: Chat): string {
  const first = [...chat.messages.values()].find((m) => m.sender === "visitor")?.text ?? "Samtale";
  return `${first.slice(0, 28)}${first.length > 28 ? "…" : ""}`;
}

/** Why a claim failed, for the advisor. */
export function claimErrorText(code: string, message: string, maxChats: number | undefined): string {
  if (code === "already_claimed") return "En annen veileder har allerede tatt denne samtalen.";
  if (code === "too_many_chats") {
    return `Du har allerede så mange samtaler som du kan ha samtidig (${maxChats ?? ""}). Avslutt en samtale først.`;
  }
  return message;
}

/** An FAQ answer shortened for the list (the whole text goes into the reply). */
export function faqExcerpt(answer: string): string {
  return answer.length > 180 ? `${answer.slice(0, 180)}…` : answer;
}

/** The reply field with an FAQ answer added after what is written. */
export function withFaqAnswer(draft: string, answer: string): string {
  return draft.trim() ? `${draft.trimEnd()}\n\n${answer}` : answer;
}
