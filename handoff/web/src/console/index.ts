// The advisor (veileder) console: log in, watch the queues, claim, chat with several visitors,
// insert FAQ answers, transfer, end or hand back to the bot (see controller.ts).

import { Console } from "./controller";

void new Console().init();
