// Imported first by index.ts, so it runs before the widget's code.
import { installCookieShim } from "./cookies";

installCookieShim(document);
