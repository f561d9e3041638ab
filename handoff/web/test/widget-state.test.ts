import { describe, expect, it } from "vitest";
import type { Message } from "../src/shared/types";
import {
  addMessages,
  cacheOf,
  clearConversation,
  errorOutcome,
  escapeTarget,
  initialState,
  lastVisitorId,
  launcherLabel,
  restoreCache,
  senderLabels,
  showsChoices,
  statusText,
  transcriptName,
  waitText,
} from "../src/widget/state";

const msg = (id: number, sender: Message["sender"], text = `m${id}`): Message => ({ id, sender, text });
const saved = () => ({ id: "c1", secret: "s", lastSeenId: 0 });

describe("addMessages", () => {
  it("keeps each message once and moves the cursor only for a read", () => {
    const state = initialState(saved());
    expect(addMessages(state, [msg(2, "visitor")], false)).toEqual({ added: [msg(2, "visitor")], moved: false });
    expect(state.saved?.lastSeenId).toBe(0);
    const { added, moved } = addMessages(state, [msg(1, "advisor"), msg(2, "visitor"), msg(3, "bot")], true);
    expect(added.map((m) => m.id)).toEqual([1, 3]);
    expect(moved).toBe(true);
    expect(state.saved?.lastSeenId).toBe(3);
    expect([...state.messages.keys()].sort()).toEqual([1, 2, 3]);
  });

  it("counts unread messages from others while the panel is closed", () => {
    const state = initialState(saved());
    addMessages(state, [msg(1, "visitor"), msg(2, "bot"), msg(3, "advisor")], true);
    expect(state.unread).toBe(2);
    state.open = true;
    addMessages(state, [msg(4, "bot")], true);
    expect(state.unread).toBe(2);
  });

  it("skips what is not a message", () => {
    const state = initialState(saved());
    const junk = [null, { id: "7", sender: "bot", text: "x" }] as unknown as Message[];
    expect(addMessages(state, junk, true).added).toEqual([]);
    expect(state.saved?.lastSeenId).toBe(0);
  });
});

describe("this tab's copy", () => {
  it("keeps the newest 300 messages, the votes and the cursor", () => {
    const state = initialState({ id: "c1", secret: "s", lastSeenId: 400 });
    for (let i = 1; i <= 310; i++) state.messages.set(i, msg(i, "bot"));
    state.votes.set(5, "ja");
    const cached = cacheOf(state);
    expect(cached.messages.length).toBe(300);
    expect(cached.messages[0].id).toBe(11);
    expect(cached.readUpTo).toBe(400);
    expect(cached.votes).toEqual({ 5: "ja" });
  });

  it("reads on from what this tab has read, and from the start in a new tab", () => {
    const state = initialState({ id: "c1", secret: "s", lastSeenId: 9 });
    restoreCache(state, { readUpTo: 4, messages: [msg(3, "bot"), msg(4, "visitor")], votes: { 3: "nei" } });
    expect(state.saved?.lastSeenId).toBe(4);
    expect(state.votes.get(3)).toBe("nei");
    const fresh = initialState({ id: "c1", secret: "s", lastSeenId: 9 });
    restoreCache(fresh, null);
    expect(fresh.saved?.lastSeenId).toBe(0);
    const older = initialState({ id: "c1", secret: "s", lastSeenId: 9 });
    restoreCache(older, [msg(1, "bot")]);
    expect([older.saved?.lastSeenId, older.messages.size]).toEqual([0, 1]);
  });

  it("clears everything of the conversation, not whether the panel is open", () => {
    const state = initialState(saved());
    state.open = true;
    state.owner = "advisor";
    state.footer = "ended";
    addMessages(state, [msg(1, "bot")], true);
    clearConversation(state);
    expect({ ...state, votes: state.votes.size, messages: state.messages.size }).toEqual({
      ...initialState(null),
      open: true,
      votes: 0,
      messages: 0,
    });
  });
});

describe("what the panel says", () => {
  it("offers choices under the bot's newest turn only, while the bot has the chat", () => {
    const list = [msg(1, "bot"), msg(2, "visitor"), msg(3, "bot"), msg(4, "system")];
    const last = lastVisitorId(list);
    expect(last).toBe(2);
    expect(list.map((m) => showsChoices(m, last, "bot", "composer"))).toEqual([false, false, true, true]);
    expect(showsChoices(list[2], last, "advisor", "composer")).toBe(false);
    expect(showsChoices(list[2], last, "bot", "ended")).toBe(false);
    expect(lastVisitorId([])).toBe(0);
  });

  it("names who is in charge", () => {
    expect(statusText(false, "advisor")).toBe("Chatbot og veiledere");
    expect(statusText(true, "queue")).toBe("Du venter på en veileder");
    expect(statusText(true, "closed")).toBe("Chatten er avsluttet");
  });

  it("gives an estimate only when an advisor is free", () => {
    const q = { topic: "arbeid", position: 2, estimated_wait_minutes: 4, urgent: false };
    expect(waitText(q)).toBe("Forventet ventetid er omtrent 4 minutter.");
    expect(waitText({ ...q, advisors_available: 0 })).toMatch(/^Ingen veileder er ledig akkurat nå/);
    expect(waitText({ ...q, estimated_wait_minutes: null })).toMatch(/55 55 33 33/);
  });

  it("counts new messages on the launcher", () => {
    expect(launcherLabel(0)).toBe("Chat med Nav");
    expect(launcherLabel(1)).toBe("Chat med Nav, 1 ny melding");
    expect(launcherLabel(3)).toBe("Chat med Nav, 3 nye meldinger");
  });

  it("names the sender, shown and spoken", () => {
    expect(senderLabels(msg(1, "visitor"))).toEqual({ who: "Du", spoken: "Du skrev: " });
    expect(senderLabels(msg(1, "bot"))).toEqual({ who: "Chatbot", spoken: "Chatboten skriver: " });
    expect(senderLabels({ ...msg(1, "advisor"), advisor_name: "Kari" })).toEqual({
      who: "Kari, veileder i Nav",
      spoken: "Kari fra Nav skriver: ",
    });
    expect(senderLabels(msg(1, "advisor")).spoken).toBe("Veilederen fra Nav skriver: ");
  });

  it("steps back out of a question with Escape before it minimises", () => {
    expect(escapeTarget("confirm")).toBe("composer");
    expect(escapeTarget("confirm-delete")).toBe("ended");
    expect(escapeTarget("composer")).toBe("minimise");
    expect(escapeTarget("ended")).toBe("minimise");
  });

  it("names the transcript as the hub says, or by default", () => {
    expect(transcriptName('attachment; filename="samtale.txt"')).toBe("samtale.txt");
    expect(transcriptName("attachment; filename*=UTF-8''samtale%20med%20Nav.txt")).toBe("samtale med Nav.txt");
    expect(transcriptName("")).toBe("samtale-med-nav.txt");
  });
});

describe("errorOutcome", () => {
  it("ends, forgets or explains", () => {
    expect(errorOutcome({ error: "conversation_closed" }, 1000)).toEqual({ kind: "closed" });
    expect(errorOutcome({ error: "not_found" }, 1000)).toEqual({ kind: "lost" });
    expect(errorOutcome({ error: "unauthorized" }, null)).toEqual({ kind: "lost" });
    expect(errorOutcome({ error: "message_too_long", limit: 500 }, 1000)).toEqual({
      kind: "show",
      text: "Meldingen er for lang. Du kan skrive opptil 500 tegn.",
    });
    expect(errorOutcome({ error: "message_too_long" }, 1000)).toEqual({
      kind: "show",
      text: "Meldingen er for lang. Du kan skrive opptil 1000 tegn.",
    });
    expect(errorOutcome({ error: "message_too_long", message: "For lang." }, null)).toEqual({ kind: "show", text: "For lang." });
    expect(errorOutcome({ error: "rate_limited" }, 1000)).toEqual({ kind: "show", text: "Noe gikk galt. Prøv igjen om litt." });
  });
});
