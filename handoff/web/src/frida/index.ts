// The /frida page: Nav's own chat widget (@navikt/nav-chatbot 2.5.13), unchanged, talking
// to this hub's boost.ai API (docs/contracts/boost-v2.md). Everything Nav-specific is
// handled here, around the widget: its cookies (./cookies.ts), the API address.
import "./shim";
import { createElement } from "react";
import { render } from "react-dom";
// The package's main file, named so that its own type declarations stay out (modules.d.ts).
import Chatbot from "@navikt/nav-chatbot/umd/nav-chatbot.min.js";

const root = document.getElementById("frida-root");
if (root) {
  render(
    createElement(Chatbot, {
      // The hub that served this page (a page elsewhere names its hub in data-hub).
      boostApiUrlBase: new URL("/api/chat/v2", root.dataset.hub ?? location.origin).href,
    }),
    root,
  );
}
