// Builds the widget, the advisor console and the pages into dist/.
// Everything the browser needs is written here; nothing is loaded from a CDN at run time.
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const staticDir = join(dist, "static");
const ds = join(root, "node_modules/@navikt/ds-css/dist");
const fontsrc = join(root, "node_modules/@fontsource-variable/source-sans-3/files");
const watch = process.argv.includes("--watch");

/** Aksel CSS without its @font-face rules (they point at Nav's CDN; we serve the font ourselves). */
function akselCss(files) {
  const css = files.map((f) => readFileSync(join(ds, f), "utf8")).join("\n");
  const stripped = css.replace(/@font-face\s*{[^}]*}/g, "");
  if (/https?:\/\//.test(stripped.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ""))) {
    throw new Error("Aksel CSS still references a remote URL");
  }
  return stripped;
}

/** @font-face rules for Source Sans 3 (variable), served from /static/fonts/. */
function fontFaces(base) {
  const faces = [];
  for (const style of ["normal", "italic"]) {
    faces.push(
      `@font-face{font-family:"Source Sans 3";font-style:${style};font-display:swap;font-weight:200 900;` +
        `src:url("${base}source-sans-3-latin-ext-wght-${style}.woff2") format("woff2-variations");` +
        `unicode-range:U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF}`,
      `@font-face{font-family:"Source Sans 3";font-style:${style};font-display:swap;font-weight:200 900;` +
        `src:url("${base}source-sans-3-latin-wght-${style}.woff2") format("woff2-variations");` +
        `unicode-range:U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD}`,
    );
  }
  return faces.join("\n");
}

async function minifyCss(css) {
  const out = await esbuild.transform(css, { loader: "css", minify: true, target: ["chrome100", "firefox100", "safari15"] });
  return out.code;
}

/**
 * Nav's own widget (@navikt/nav-chatbot 2.5.13, unchanged) for the /frida page: React 17 and
 * its nav-frontend peers bundled in, and their compiled CSS (fonts inlined as data: URLs).
 */
async function buildFrida(common) {
  await esbuild.build({
    ...common,
    entryPoints: { frida: join(root, "src/frida/index.ts") },
    outdir: staticDir,
    format: "iife",
    // The nav-frontend packages import their .less sources; the compiled CSS is below.
    loader: { ...common.loader, ".less": "empty", ".css": "empty" },
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const modules = join(root, "node_modules");
  const styles = readdirSync(modules)
    .filter((name) => /^nav-frontend-.*-style$/.test(name))
    .sort()
    .map((name) => join(modules, name, "dist/main.css"));
  const css = [
    join(modules, "nav-frontend-core/dist/main.css"),
    ...styles,
    join(modules, "@navikt/nav-chatbot/umd/main.83272068.css"),
    join(root, "src/frida/frida.css"),
  ]
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  writeFileSync(join(staticDir, "frida.css"), await minifyCss(css));
}

async function buildAll() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(staticDir, "fonts"), { recursive: true });

  // Fonts (latin + latin-ext, normal + italic).
  for (const f of readdirSync(fontsrc)) {
    if (/^source-sans-3-latin(-ext)?-wght-(normal|italic)\.woff2$/.test(f)) {
      cpSync(join(fontsrc, f), join(staticDir, "fonts", f));
    }
  }
  writeFileSync(join(staticDir, "fonts.css"), fontFaces("fonts/"));

  // Full Aksel CSS for the pages (demo, console).
  const pageCss = akselCss(["index.css"]);
  writeFileSync(join(staticDir, "aksel.css"), await minifyCss(pageCss));

  // The widget's CSS lives in its shadow root: tokens + the components it uses + its own.
  const widgetCss =
    akselCss([
      "global/tokens.css",
      "global/reset.css",
      "global/baseline.css",
      "component/typography.css",
      "component/button.css",
      "component/chat.css",
      "component/alert.css",
      "component/tag.css",
      "component/loader.css",
    ]) + readFileSync(join(root, "src/widget/widget.css"), "utf8");
  const widgetCssMin = await minifyCss(widgetCss);
  writeFileSync(join(dist, "widget.css"), widgetCssMin);

  const common = {
    bundle: true,
    minify: true,
    sourcemap: true,
    target: ["chrome100", "firefox100", "safari15"],
    loader: { ".svg": "text" },
    logLevel: "info",
  };
  await esbuild.build({
    ...common,
    entryPoints: [join(root, "src/widget/index.ts")],
    outfile: join(dist, "widget.js"),
    format: "iife",
    define: { __WIDGET_CSS__: JSON.stringify(widgetCssMin) },
  });
  await esbuild.build({
    ...common,
    entryPoints: {
      console: join(root, "src/console/index.ts"),
      demo: join(root, "src/demo/demo.ts"),
      editor: join(root, "src/editor/index.ts"),
      content: join(root, "src/content/index.ts"),
      oversikt: join(root, "src/oversikt/index.ts"),
    },
    outdir: staticDir,
    entryNames: "[name]",
    format: "iife",
  });
  await esbuild.build({
    ...common,
    entryPoints: {
      demo: join(root, "src/demo/demo.css"),
      console: join(root, "src/console/console.css"),
      editor: join(root, "src/editor/editor.css"),
      content: join(root, "src/content/content.css"),
      oversikt: join(root, "src/oversikt/oversikt.css"),
    },
    outdir: staticDir,
    loader: { ".woff2": "file" },
  });
  await buildFrida(common);
  // Pages and images.
  for (const page of ["demo.html", "veileder.html", "ubesvart.html", "innhold.html", "oversikt.html", "frida.html"]) {
    cpSync(join(root, "pages", page), join(dist, page));
  }
  // The hub serves "/" from index.html; demo.html is the same page under its own name.
  cpSync(join(root, "pages/demo.html"), join(dist, "index.html"));
  cpSync(join(root, "pages/img"), join(staticDir, "img"), { recursive: true });
  // The widget is also reachable under /static/ for hubs that only serve that folder.
  cpSync(join(dist, "widget.js"), join(staticDir, "widget.js"));
  cpSync(join(dist, "widget.js.map"), join(staticDir, "widget.js.map"));
  console.log("built", dist);
}

await buildAll();
if (watch) {
  const { watch: fsWatch } = await import("node:fs");
  let timer;
  for (const dir of ["src", "pages"]) {
    fsWatch(join(root, dir), { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => buildAll().catch((e) => console.error(e)), 150);
    });
  }
}
