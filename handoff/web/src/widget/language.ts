/**
 * The widget's "English" / "Norsk" switch. The bot answers in Norwegian or English; it
 * follows the language the visitor writes, and this switch chooses it outright. It sends
 * the bot's `choose_language` intent with the language (the hub lets these two payloads
 * through in every conversation and keeps the language for its own notices).
 */
import { TEXTS } from "./texts";

export type ChatLanguage = "nb" | "en";

export const LANGUAGE_PAYLOADS: Readonly<Record<ChatLanguage, string>> = {
  nb: '/choose_language{"language": "nb"}',
  en: '/choose_language{"language": "en"}',
};

export interface LanguageSwitch {
  /** The language the switch chooses: the other one. */
  readonly lang: ChatLanguage;
  /** The button's label, in the language it chooses (a visitor looks for their own). */
  readonly label: string;
  /** The visitor's message shown in the chat, and the payload the bot reads. */
  readonly text: string;
  readonly payload: string;
}

export function languageSwitch(current: ChatLanguage): LanguageSwitch {
  const lang: ChatLanguage = current === "en" ? "nb" : "en";
  const label = TEXTS[lang].languageName;
  return { lang, label, text: label, payload: LANGUAGE_PAYLOADS[lang] };
}
