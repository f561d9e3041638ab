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
  /** The conversation's language: "nb" or "en" (older hubs send none: Norwegian). */
  language?: string;
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
  language?: string | null;
  messages?: Message[];
  /** The visitor's messages nobody has answered yet (e.g. written while waiting). */
  unanswered?: number[];
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
  /** "nb" or "en": the visitor writes and the bot answered in this language. */
  language: string;
  messages: Map<number, Message>;
  /** Messages marked new when the chat came to this console: the visitor wrote them
   * (while waiting in the queue) and nobody has answered them. */
  fresh: Set<number>;
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

/** A tag for the advisor when the conversation is not in Norwegian, else null. */
export function languageTag(language: string | null | undefined): string | null {
  return language === "en" ? "Engelsk" : null;
}

export function reasonText(reason: string | null | undefined): string {
  return (reason && REASONS[reason]) || "Ba om veileder";
}

/** The waiting list of a topic: urgent first, then the longest wait first. */
export function sortWaiting(waiting: Waiting[]): Waiting[] {
  return [...waiting].sort((a, b) => Number(b.urgent) - Number(a.urgent) || b.waiting_seconds - a.waiting_seconds);
}

/** Every urgent chat, whatever its topic, the longest wait first: an urgent chat in the
 * last topic must not sit below the fold under chats that can wait. */
export function urgentAcrossTopics(queues: QueueTopic[]): { topic: string; waiting: Waiting }[] {
  return queues
    .flatMap((q) => q.waiting.filter((w) => w.urgent).map((waiting) => ({ topic: q.topic, waiting })))
    .sort((a, b) => b.waiting.waiting_seconds - a.waiting.waiting_seconds);
}

/** The console's keyboard shortcuts, as listed in it (key, what it does). */
export const SHORTCUTS: [string, string][] = [
  ["Alt + N", "Ta neste samtale (den som haster mest, eller har ventet lengst)"],
  ["Enter", "Send svaret"],
  ["Shift + Enter", "Ny linje i svaret"],
  ["Alt + A", "Avslutt samtalen du har åpen"],
  ["Alt + PageDown", "Gå til neste samtale"],
];

/** What a key press asks for, or null (the key is not a shortcut). */
export function shortcutFor(e: { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): "next" | "end" | "nextTab" | null {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return null;
  const key = e.key.toLowerCase();
  if (key === "n") return "next";
  if (key === "a") return "end";
  if (e.key === "PageDown") return "nextTab";
  return null;
}

/** The next chat to take: the first urgent one across topics, else the longest wait. */
export function nextWaiting(queues: QueueTopic[]): string | null {
  const urgent = urgentAcrossTopics(queues);
  if (urgent.length) return urgent[0].waiting.conversation_id;
  const all = queues.flatMap((q) => q.waiting).sort((a, b) => b.waiting_seconds - a.waiting_seconds);
  return all[0]?.conversation_id ?? null;
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
      language: c.language ?? "nb",
      messages: new Map(),
      fresh: new Set(Array.isArray(c.unanswered) ? c.unanswered : []),
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
    if (c.language) chat.language = c.language;
    // Known only from the list of chats so far (no messages yet): its first full reading marks them.
    if (Array.isArray(c.unanswered) && chat.messages.size === 0) chat.fresh = new Set(c.unanswered);
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
  if (code === "already_claimed") return "Du fikk ikke samtalen. En annen veileder tok den før deg.";
  if (code === "too_many_chats") {
    const limit = maxChats ? ` Du kan ha ${maxChats} samtaler samtidig.` : "";
    return `Du fikk ikke samtalen, fordi du har så mange samtaler du kan ha.${limit} Avslutt en samtale før du tar en ny.`;
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
