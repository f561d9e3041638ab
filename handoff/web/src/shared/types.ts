// Shapes from docs/contracts/hub-api.md.

export type Sender = "visitor" | "bot" | "advisor" | "system";
export type Owner = "bot" | "queue" | "advisor" | "closed";

export interface ChatButton {
  title: string;
  payload: string;
}

export interface Message {
  id: number;
  sender: Sender;
  text: string;
  buttons?: ChatButton[] | null;
  created_at?: string;
  advisor_name?: string | null;
  /** Set on a bot message that is one of the bot's FAQ answers (the widget asks if it helped). */
  faq_id?: string | null;
}

export interface QueueInfo {
  topic: string;
  position: number;
  /** null when the hub cannot tell (no advisor is free). */
  estimated_wait_minutes: number | null;
  urgent: boolean;
  /** Advisors free to take a chat now; missing from a hub that does not send it yet. */
  advisors_available?: number;
}

export const MAX_MESSAGE_LENGTH = 1000;

/** Norwegian names for the queue topics (catalogue `tema`). */
export const TOPIC_NAMES: Record<string, string> = {
  arbeid: "Arbeid og dagpenger",
  helse: "Helse og sykdom",
  familie: "Familie og barn",
  pensjon: "Pensjon",
  sosial: "Sosiale tjenester og økonomisk hjelp",
  oppfolging: "Oppfølging og arbeidsrettet hjelp",
  generell: "Generelt",
};

export function topicName(topic: string | null | undefined): string {
  if (!topic) return "Generelt";
  return TOPIC_NAMES[topic] ?? topic.charAt(0).toUpperCase() + topic.slice(1).replace(/_/g, " ");
}
