// "Logg ut" for the editors' pages (the console has its own in its header): ends the
// login (the hub revokes the token and deletes the cookie), then shows the login page.

import { h, icon } from "./dom";
import { leaveIcon } from "./icons";
import { send } from "./api";

/** The button; `mayLeave` can stop it (unsaved changes the editor wants to keep). */
export function logoutButton(mayLeave: () => boolean = () => true): HTMLButtonElement {
  const leave = async (): Promise<void> => {
    if (!mayLeave()) return;
    try {
      await send("/api/advisor/logout", { method: "POST" });
    } catch {
      /* the page goes to the login anyway; the login page asks again */
    }
    window.location.assign("/veileder");
  };
  return h(
    "button",
    {
      type: "button",
      class: "aksel-button aksel-button--small topbar__logout",
      "data-variant": "tertiary",
      onclick: () => void leave(),
    },
    icon(leaveIcon, "aksel-button__icon"),
    h("span", null, "Logg ut"),
  );
}
