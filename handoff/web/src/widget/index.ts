// The visitor chat widget. One script tag:
//   <script src="https://host/widget.js" data-hub="https://host" defer></script>
// It renders in a shadow root (view.ts), talks to the hub over a WebSocket (HTTP polling as
// fallback; shared/live.ts) and keeps the conversation across reloads and page changes, until
// it ends or nobody has used it for a while (`data-forget-after-minutes`, 30 by default; see
// storage.ts and idle.ts). The controller (controller.ts) ties these together.

import { ChatWidget } from "./controller";
import { forgetAfterMinutes } from "./idle";

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
}

// document.currentScript is only set while the script first runs.
const SCRIPT = findScript();

function boot(): void {
  if (document.getElementById("nav-chat-widget")) return;
  const script = SCRIPT;
  const hub = script?.dataset.hub || (script?.src ? new URL(script.src, location.href).origin : location.origin);
  const transport = script?.dataset.transport ?? new URLSearchParams(location.search).get("navchat-transport");
  const widget = new ChatWidget({
    hub,
    forcePolling: transport === "polling",
    forgetMinutes: forgetAfterMinutes(script?.dataset.forgetAfterMinutes),
  });
  (window as unknown as { navChat?: ChatWidget }).navChat = widget;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
