// The demo page: pretend there are several pages (?side=…) so the chat can be tested across page changes.
const PAGES: Record<string, [string, string, string]> = {
  sykepenger: ["Sykepenger", "Pengestøtte", "Sykepenger erstatter inntekten din når du ikke kan jobbe på grunn av sykdom eller skade."],
  barnetrygd: ["Barnetrygd", "Familie og barn", "Barnetrygd er en pengestøtte som skal hjelpe med utgifter til barn under 18 år."],
  meldekort: ["Meldekort", "Arbeid", "Du sender meldekort hver 14. dag for å få utbetalt pengestøtte og for å fortsatt være registrert som arbeidssøker."],
  arbeidsgiver: ["For arbeidsgivere", "Arbeidsgiver", "Informasjon om sykefravær, permittering og rekruttering."],
  samarbeid: ["For samarbeidspartnere", "Samarbeidspartner", "Informasjon for leger, kommuner og andre som samarbeider med Nav."],
  "logg-inn": ["Logg inn", "Innlogging", "Innlogging finnes ikke på denne demosiden."],
};

const side = new URLSearchParams(location.search).get("side") ?? "";
const page = PAGES[side];
if (page) {
  const [title, eyebrow, ingress] = page;
  document.title = `${title} – demoside for Nav-chat`;
  for (const [id, text] of [["title", title], ["crumb", title], ["eyebrow", eyebrow], ["ingress", ingress]]) {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  }
}
