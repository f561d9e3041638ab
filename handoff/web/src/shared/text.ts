// Message text → DOM, safely (never innerHTML). Links become <a>; line breaks are kept by CSS.

const LINK = /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?"'])|\*\*([^*]+)\*\*/g;

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
      const a = document.createElement("a");
      a.href = href;
      a.textContent = m[1] ?? href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.className = "aksel-link";
      frag.appendChild(a);
    }
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
