// Every text the widget shows by itself, one table per language: labels, notices, the
// rating, errors and names for screen readers. The conversation's language (the hub's
// `language`, or the switch) picks the table; nothing else in the widget holds a text.
// What the bot, the hub or an advisor writes comes with the messages, in their language.

import type { ChatLanguage } from "./language";

export interface WidgetTexts {
  /** The `lang` attribute of the panel. */
  lang: ChatLanguage;
  /** This language's own name: the switch's label when it chooses it ("English", "Norsk"). */
  languageName: string;
  chatWithNav: string;
  launcherUnread: (unread: number) => string;
  status: { none: string; bot: string; queue: string; advisor: string; closed: string };
  end: string;
  minimise: string;
  close: string;
  messagesLabel: string;
  conversationLabel: string;
  placeholder: string;
  inputLabel: string;
  send: string;
  askForPerson: string;
  askForPersonMessage: string;
  choicesLabel: string;
  /** Read before a notice from the hub. */
  fromNav: string;
  advisorTag: string;
  you: string;
  youWrote: string;
  bot: string;
  botWrites: string;
  advisor: (name: string | null | undefined) => string;
  advisorWrites: (name: string | null | undefined) => string;
  botTyping: string;
  advisorTyping: string;
  queuePosition: (position: number) => string;
  waitUnknown: string;
  waitAbout: (minutes: number) => string;
  leaveQueue: string;
  notice: { title: string; bot: string; stored: string; noPersonal: string; noPersonalExamples: string; person: string; start: string };
  tryAgain: string;
  startNew: string;
  lost: string;
  unavailable: string;
  counter: (left: number) => string;
  tooLong: (max: number) => string;
  empty: string;
  /** Any other failure (an English chat does not show the hub's Norwegian messages). */
  error: string;
  sendFailed: string;
  endFailed: string;
  rateFailed: string;
  downloadFailed: string;
  deleteFailed: string;
  deleteFailedNet: string;
  leaveQueueFailed: string;
  feedback: { question: string; yes: string; no: string; yesName: string; noName: string; thanks: string; failed: string };
  endConfirm: { title: string; note: string; yes: string; no: string };
  ended: { title: string; thanks: string; question: string; yes: string; no: string; partly: string; download: string; note: string };
  deleteConfirm: { title: string; note: string; yes: string; no: string };
  delete: string;
  farewell: {
    deleted: [string, string];
    kept: (days: number) => [string, string];
    idle: (minutes: number) => [string, string];
    otherTab: [string, string];
    endedClosed: [string, string];
  };
}

function minutesNb(n: number): string {
  const m = Math.max(1, Math.round(n));
  return m === 1 ? "1 minutt" : `${m} minutter`;
}

function minutesEn(n: number): string {
  const m = Math.max(1, Math.round(n));
  return m === 1 ? "1 minute" : `${m} minutes`;
}

const NB: WidgetTexts = {
  lang: "nb",
  languageName: "Norsk",
  chatWithNav: "Chat med Nav",
  launcherUnread: (n) => `Chat med Nav, ${n} ${n === 1 ? "ny melding" : "nye meldinger"}`,
  status: {
    none: "Chatbot og veiledere",
    bot: "Du chatter med chatboten",
    queue: "Du venter på en veileder",
    advisor: "Du chatter med en veileder",
    closed: "Chatten er avsluttet",
  },
  end: "Avslutt",
  minimise: "Minimer chatten",
  close: "Lukk chatten",
  messagesLabel: "Meldinger",
  conversationLabel: "Samtalen",
  placeholder: "Skriv spørsmålet ditt her",
  inputLabel: "Skriv meldingen din",
  send: "Send melding",
  askForPerson: "Snakk med en veileder",
  askForPersonMessage: "Jeg vil snakke med en veileder",
  choicesLabel: "Svaralternativer",
  fromNav: "Melding fra Nav: ",
  advisorTag: "Menneske",
  you: "Du",
  youWrote: "Du skrev: ",
  bot: "Chatbot",
  botWrites: "Chatboten skriver: ",
  advisor: (name) => `${name || "Veileder"}, veileder i Nav`,
  advisorWrites: (name) => `${name || "Veilederen"} fra Nav skriver: `,
  botTyping: "Chatboten skriver …",
  advisorTyping: "Veilederen skriver …",
  queuePosition: (p) => `Du er nummer ${p} i køen.`,
  waitUnknown:
    "Ingen veileder er ledig akkurat nå, så vi vet ikke hvor lenge du må vente. Du kan også ringe oss på 55 55 33 33.",
  waitAbout: (m) => `Forventet ventetid er omtrent ${minutesNb(m)}.`,
  leaveQueue: "Forlat køen",
  notice: {
    title: "Før du starter",
    bot: "Du chatter først med en chatbot. Chatboten er ikke et menneske.",
    stored: "Vi lagrer samtalen i 30 dager. Deretter sletter vi den.",
    noPersonal: "Ikke skriv personopplysninger",
    noPersonalExamples: ", for eksempel fødselsnummer, navn, adresse eller opplysninger om helse.",
    person: "Vil du snakke med et menneske? Veiledere svarer på chat hverdager kl. 09–15.",
    start: "Start chatten",
  },
  tryAgain: "Prøv igjen",
  startNew: "Start en ny chat",
  lost: "Samtalen finnes ikke lenger. Du kan starte en ny chat.",
  unavailable: "Chatten er ikke tilgjengelig akkurat nå. Prøv igjen senere, eller ring oss på 55 55 33 33.",
  counter: (left) => (left < 0 ? `Du har ${-left} tegn for mye` : `Du har ${left} tegn igjen`),
  tooLong: (max) => `Meldingen er for lang. Du kan skrive opptil ${max} tegn.`,
  empty: "Skriv en melding før du sender.",
  error: "Noe gikk galt. Prøv igjen om litt.",
  sendFailed: "Vi fikk ikke sendt meldingen. Sjekk nettet ditt og prøv igjen.",
  endFailed: "Vi fikk ikke avsluttet chatten. Prøv igjen.",
  rateFailed: "Vi fikk ikke lagret svaret ditt. Prøv igjen.",
  downloadFailed: "Vi fikk ikke lastet ned samtalen. Prøv igjen.",
  deleteFailed: "Vi fikk ikke slettet samtalen. Prøv igjen.",
  deleteFailedNet: "Vi fikk ikke slettet samtalen. Sjekk nettet ditt og prøv igjen.",
  leaveQueueFailed: "Vi fikk ikke tatt deg ut av køen. Prøv igjen.",
  feedback: {
    question: "Var svaret nyttig?",
    yes: "Ja",
    no: "Nei",
    yesName: "Ja, svaret var nyttig",
    noName: "Nei, svaret var ikke nyttig",
    thanks: "Takk for svaret!",
    failed: "Vi fikk ikke sendt svaret ditt. Prøv igjen.",
  },
  endConfirm: {
    title: "Vil du avslutte chatten?",
    note: "Samtalen blir fjernet fra denne nettleseren.",
    yes: "Ja, avslutt",
    no: "Nei, fortsett",
  },
  ended: {
    title: "Chatten er avsluttet",
    thanks: "Takk for svaret ditt!",
    question: "Fikk du svar på det du lurte på?",
    yes: "Ja",
    no: "Nei",
    partly: "Delvis",
    download: "Last ned samtalen",
    note: "Vi har fjernet samtalen fra denne nettleseren. Når du lukker chatten, forsvinner den også fra skjermen.",
  },
  deleteConfirm: {
    title: "Vil du slette samtalen?",
    note: "Du kan ikke angre. Vil du ta vare på samtalen, last den ned først.",
    yes: "Ja, slett samtalen",
    no: "Nei, ikke slett",
  },
  delete: "Slett samtalen",
  farewell: {
    deleted: ["Samtalen er slettet", "Vi har slettet samtalen hos Nav og fjernet den fra denne nettleseren."],
    kept: (days) => [
      "Samtalen er fjernet fra denne nettleseren",
      `Fordi du har snakket med en veileder, tar Nav vare på samtalen i ${days} dager. Deretter sletter vi den.`,
    ],
    idle: (m) => [
      "Samtalen er fjernet",
      `Du har ikke brukt chatten på ${m} minutter. Derfor har vi avsluttet samtalen og fjernet den fra denne nettleseren.`,
    ],
    otherTab: ["Samtalen er avsluttet", "Samtalen ble avsluttet i en annen fane, og den er fjernet fra denne nettleseren."],
    endedClosed: ["Samtalen er avsluttet", "Samtalen ble avsluttet mens chatten var lukket, og den er fjernet fra denne nettleseren."],
  },
};

const EN: WidgetTexts = {
  lang: "en",
  languageName: "English",
  chatWithNav: "Chat with Nav",
  launcherUnread: (n) => `Chat with Nav, ${n} ${n === 1 ? "new message" : "new messages"}`,
  status: {
    none: "Chatbot and advisers",
    bot: "You are chatting with the chatbot",
    queue: "You are waiting for an adviser",
    advisor: "You are chatting with an adviser",
    closed: "The chat has ended",
  },
  end: "End",
  minimise: "Minimise the chat",
  close: "Close the chat",
  messagesLabel: "Messages",
  conversationLabel: "The conversation",
  placeholder: "Write your question here",
  inputLabel: "Write your message",
  send: "Send message",
  askForPerson: "Talk to an adviser",
  askForPersonMessage: "I want to talk to an adviser",
  choicesLabel: "Choices",
  fromNav: "Message from Nav: ",
  advisorTag: "Human",
  you: "You",
  youWrote: "You wrote: ",
  bot: "Chatbot",
  botWrites: "The chatbot writes: ",
  advisor: (name) => `${name || "Adviser"}, adviser at Nav`,
  advisorWrites: (name) => `${name || "The adviser"} from Nav writes: `,
  botTyping: "The chatbot is typing …",
  advisorTyping: "The adviser is typing …",
  queuePosition: (p) => `You are number ${p} in the queue.`,
  waitUnknown:
    "No adviser is free right now, so we do not know how long you will have to wait. You can also call us on +47 55 55 33 33.",
  waitAbout: (m) => `The expected waiting time is about ${minutesEn(m)}.`,
  leaveQueue: "Leave the queue",
  notice: {
    title: "Before you start",
    bot: "You first chat with a chatbot. The chatbot is not a human.",
    stored: "We keep the conversation for 30 days. Then we delete it.",
    noPersonal: "Do not write personal information",
    noPersonalExamples: ", for example your national identity number, name, address or information about your health.",
    person: "Do you want to talk to a person? Advisers answer the chat on weekdays 09–15.",
    start: "Start the chat",
  },
  tryAgain: "Try again",
  startNew: "Start a new chat",
  lost: "The conversation no longer exists. You can start a new chat.",
  unavailable: "The chat is not available right now. Try again later, or call us on +47 55 55 33 33.",
  counter: (left) => (left < 0 ? `You have ${-left} characters too many` : `You have ${left} characters left`),
  tooLong: (max) => `The message is too long. You can write up to ${max} characters.`,
  empty: "Write a message before you send it.",
  error: "Something went wrong. Try again in a little while.",
  sendFailed: "We could not send the message. Check your connection and try again.",
  endFailed: "We could not end the chat. Try again.",
  rateFailed: "We could not save your answer. Try again.",
  downloadFailed: "We could not download the conversation. Try again.",
  deleteFailed: "We could not delete the conversation. Try again.",
  deleteFailedNet: "We could not delete the conversation. Check your connection and try again.",
  leaveQueueFailed: "We could not take you out of the queue. Try again.",
  feedback: {
    question: "Was this answer helpful?",
    yes: "Yes",
    no: "No",
    yesName: "Yes, the answer was helpful",
    noName: "No, the answer was not helpful",
    thanks: "Thank you for your answer!",
    failed: "We could not send your answer. Try again.",
  },
  endConfirm: {
    title: "Do you want to end the chat?",
    note: "The conversation will be removed from this browser.",
    yes: "Yes, end it",
    no: "No, continue",
  },
  ended: {
    title: "The chat has ended",
    thanks: "Thank you for your answer!",
    question: "Did you get an answer to what you wanted to know?",
    yes: "Yes",
    no: "No",
    partly: "Partly",
    download: "Download the conversation",
    note: "We have removed the conversation from this browser. When you close the chat, it also disappears from the screen.",
  },
  deleteConfirm: {
    title: "Do you want to delete the conversation?",
    note: "You cannot undo this. To keep the conversation, download it first.",
    yes: "Yes, delete the conversation",
    no: "No, do not delete",
  },
  delete: "Delete the conversation",
  farewell: {
    deleted: ["The conversation is deleted", "We have deleted the conversation at Nav and removed it from this browser."],
    kept: (days) => [
      "The conversation is removed from this browser",
      `Because you talked to an adviser, Nav keeps the conversation for ${days} days. Then we delete it.`,
    ],
    idle: (m) => [
      "The conversation is removed",
      `You have not used the chat for ${m} minutes. So we have ended the conversation and removed it from this browser.`,
    ],
    otherTab: ["The chat has ended", "The conversation was ended in another tab, and it is removed from this browser."],
    endedClosed: ["The chat has ended", "The conversation was ended while the chat was closed, and it is removed from this browser."],
  },
};

export const TEXTS: Readonly<Record<ChatLanguage, WidgetTexts>> = { nb: NB, en: EN };

/** The texts for a language as the hub sends it (anything but "en" is Norwegian). */
export function textsFor(language: string | null | undefined): WidgetTexts {
  return language === "en" ? EN : NB;
}

/** The hub's `language` as the widget keeps it; null when the hub said nothing. */
export function chatLanguage(raw: unknown): ChatLanguage | null {
  return raw === "en" || raw === "nb" ? raw : null;
}
