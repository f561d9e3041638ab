// Message text → DOM, safely (never innerHTML). Links become <a>; line breaks are kept by CSS.

const LINK = /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?"'])|\*\*([^*]+)\*\*/g;
const BARE_URL = /https?:\/\/[^\s<>()]+[^\s<>().,;:!?"']/g;

function link(href: string, label: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = label;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.className = "aksel-link";
  return a;
}

/** Text from the bot, an advisor or the hub: **bold**, [label](https://…) and bare addresses. */
export function renderText(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const index = m.index ?? 0;
    if (index > last) frag.appendChild(document.createTextNode(text.slice(last, index)));
    if (m[4] !== undefined) {
      const strong = document.createElement("strong");
      strong.textContent = m[4];
      frag.appendChild(strong);
    } else {
      const href = m[2] ?? m[3] ?? "";
      frag.appendChild(link(href, m[1] ?? href));
    }
    last = index + m[0].length;
  }
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  return frag;
}

/**
 * The address a visitor's link really goes to, as it is shown: as written if that is plain
 * ASCII, else the browser's own reading of it (an international domain as xn--…, hidden or
 * right-to-left characters escaped); or null when
 * it is no address to offer as a link (unreadable, or with a user name before the host).
 */
function visibleAddress(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  // Plain printable ASCII (no backslash, which the browser reads as "/") is shown as written.
  return /^[\x21-\x5b\x5d-\x7e]+$/.test(raw) ? raw : url.href;
}

/**
 * Text a visitor wrote: shown as written, no markdown. A visitor could otherwise label a link
 * to any page «Åpne saken i Gosys» for the advisor. A bare web address is a link whose
 * visible text is the address itself.
 */
export function renderVisitorText(text: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(BARE_URL)) {
    const address = visibleAddress(m[0]);
    if (address === null) continue;
    const index = m.index ?? 0;
    if (index > last) frag.appendChild(document.createTextNode(text.slice(last, index)));
    frag.appendChild(link(address, address));
    last = index + m[0].length;
  }
  if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
  return frag;
}

/** "10:04" in Norwegian time. */
export function clock(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString("nb-NO", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Oslo" });
}

/** "1 minutt", "4 minutter". */
export function minutes(n: number): string {
  const m = Math.max(1, Math.round(n));
  return m === 1 ? "1 minutt" : `${m} minutter`;
}

/** Waiting time for the advisor queue: "under 1 min", "3 min", "1 t 5 min". */
export function waited(seconds: number): string {
  if (seconds < 60) return "under 1 min";
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} t ${m % 60} min`;
}

/** The counter under a message field: characters left, or how many too many. */
export function counterText(length: number, max: number): { text: string; over: boolean } {
  const left = max - length;
  return left < 0 ? { text: `Du har ${-left} tegn for mye`, over: true } : { text: `Du har ${left} tegn igjen`, over: false };
}

/** The message is over the limit. */
export function tooLongText(max: number): string {
  return `Meldingen er for lang. Du kan skrive opptil ${max} tegn.`;
}
