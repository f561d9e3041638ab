// Nav's widget stores its cookies for ".nav.no" on every host but "localhost", so on any
// other host the browser refuses them all and a reload loses the conversation. Run before
// the widget: cookies written with that domain are written for this host instead.
const NAV_DOMAIN = /;\s*domain=\.nav\.no/i;

/** The cookie string as it should be stored on this host. */
export function forThisHost(cookie: string, hostname: string): string {
  if (hostname === "nav.no" || hostname.endsWith(".nav.no")) return cookie;
  return cookie.replace(NAV_DOMAIN, "");
}

export function installCookieShim(doc: Document): void {
  const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (!descriptor?.get || !descriptor.set) return;
  const get = descriptor.get.bind(doc) as () => string;
  const set = descriptor.set.bind(doc) as (value: string) => void;
  Object.defineProperty(doc, "cookie", {
    configurable: true,
    get: () => get(),
    set: (value: string) => set(forThisHost(value, location.hostname)),
  });
}
