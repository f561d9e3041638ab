// The demo page: pretend there are several pages (?side=…) so the chat can be tested across page changes.
// The HTML is the Dagpenger page; another page replaces its title, ingress and both lists
// (a page without lists hides those sections, so no Dagpenger text is left on it).

interface DemoPage {
  title: string;
  eyebrow: string;
  ingress: string;
  /** "Hvem kan få?" */
  who?: string[];
  /** "Slik søker du" */
  how?: string[];
}

const PAGES: Record<string, DemoPage> = {
  sykepenger: {
    title: "Sykepenger",
    eyebrow: "Pengestøtte",
    ingress: "Sykepenger erstatter inntekten din når du ikke kan jobbe på grunn av sykdom eller skade.",
    who: [
      "Du er arbeidstaker, frilanser eller selvstendig næringsdrivende.",
      "Du har vært i arbeid i minst fire uker rett før du ble syk.",
      "Du er sykmeldt av lege.",
    ],
    how: [
      "Legen sender sykmeldingen til Nav.",
      "Du får beskjed på nav.no når du kan sende søknaden om sykepenger.",
      "Arbeidsgiveren betaler vanligvis de første 16 dagene.",
    ],
  },
  barnetrygd: {
    title: "Barnetrygd",
    eyebrow: "Familie og barn",
    ingress: "Barnetrygd er en pengestøtte som skal hjelpe med utgifter til barn under 18 år.",
    who: ["Du bor i Norge med barn under 18 år.", "Barnet bor fast hos deg."],
    how: [
      "Du får vanligvis barnetrygd uten å søke når barnet blir født.",
      "Du må søke selv hvis barnet kommer fra utlandet, eller hvis du flytter til Norge.",
    ],
  },
  meldekort: {
    title: "Meldekort",
    eyebrow: "Arbeid",
    ingress: "Du sender meldekort hver 14. dag for å få utbetalt pengestøtte og for å fortsatt være registrert som arbeidssøker.",
    who: ["Du er registrert som arbeidssøker.", "Du får dagpenger, arbeidsavklaringspenger eller tiltakspenger."],
    how: ["Send meldekortet på nav.no hver 14. dag.", "Svar på spørsmålene om arbeid, kurs og fravær i perioden."],
  },
  arbeidsgiver: { title: "For arbeidsgivere", eyebrow: "Arbeidsgiver", ingress: "Informasjon om sykefravær, permittering og rekruttering." },
  samarbeid: { title: "For samarbeidspartnere", eyebrow: "Samarbeidspartner", ingress: "Informasjon for leger, kommuner og andre som samarbeider med Nav." },
  "logg-inn": { title: "Logg inn", eyebrow: "Innlogging", ingress: "Innlogging finnes ikke på denne demosiden." },
};

function setText(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

function setList(section: string, list: string, items: string[] | undefined): void {
  const box = document.getElementById(section);
  const ul = document.getElementById(list);
  if (!box || !ul) return;
  if (!items?.length) {
    box.remove();
    return;
  }
  ul.replaceChildren(
    ...items.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }),
  );
}

const side = new URLSearchParams(location.search).get("side") ?? "";
const page = PAGES[side];
if (page) {
  document.title = `${page.title} – demoside for Nav-chat`;
  setText("title", page.title);
  setText("crumb", page.title);
  setText("eyebrow", page.eyebrow);
  setText("ingress", page.ingress);
  setList("hvem-section", "hvem-list", page.who);
  setList("hvordan-section", "hvordan-list", page.how);
}
