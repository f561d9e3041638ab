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
