// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { forgetAfterMinutes, isStale } from "../src/widget/idle";
import {
  ACTIVE_KEY,
  dropOtherCopies,
  forgetStored,
  MESSAGES_KEY,
  NOTICE_KEY,
  OPEN_KEY,
  readActiveAt,
  readJson,
  STORE_KEY,
  writeActiveAt,
  writeJson,
} from "../src/widget/storage";

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe("storage keys", () => {
  it("stay what earlier widgets wrote (a reload after an update finds the conversation)", () => {
    expect([STORE_KEY, NOTICE_KEY, OPEN_KEY, MESSAGES_KEY, ACTIVE_KEY]).toEqual([
      "navchat:conversation",
      "navchat:notice-seen",
      "navchat:open",
      "navchat:messages:",
      "navchat:active-at",
    ]);
  });
});

describe("forgetting a conversation", () => {
  it("removes its id, secret, time, notice and message copies", () => {
    writeJson(localStorage, STORE_KEY, { id: "a", secret: "s", lastSeenId: 1 });
    localStorage.setItem(NOTICE_KEY, "1");
    writeActiveAt(1000);
    writeJson(sessionStorage, MESSAGES_KEY + "a", { readUpTo: 0, messages: [] });
    writeJson(sessionStorage, MESSAGES_KEY + "old", { readUpTo: 0, messages: [] });
    forgetStored("a");
    expect([localStorage.length, sessionStorage.length]).toEqual([0, 0]);
  });

  it("leaves a newer conversation another tab started alone", () => {
    writeJson(localStorage, STORE_KEY, { id: "b", secret: "s", lastSeenId: 0 });
    writeJson(sessionStorage, MESSAGES_KEY + "a", {});
    writeJson(sessionStorage, MESSAGES_KEY + "b", {});
    forgetStored("a");
    expect(readJson<{ id: string }>(localStorage, STORE_KEY)?.id).toBe("b");
    expect(sessionStorage.getItem(MESSAGES_KEY + "a")).toBeNull();
    expect(sessionStorage.getItem(MESSAGES_KEY + "b")).not.toBeNull();
  });

  it("drops message copies of other conversations only", () => {
    writeJson(sessionStorage, MESSAGES_KEY + "a", {});
    writeJson(sessionStorage, MESSAGES_KEY + "b", {});
    sessionStorage.setItem(OPEN_KEY, "1");
    dropOtherCopies("a");
    expect(Object.keys(sessionStorage).sort()).toEqual([MESSAGES_KEY + "a", OPEN_KEY]);
  });

  it("reads broken JSON as nothing", () => {
    localStorage.setItem(STORE_KEY, "{not json");
    expect(readJson(localStorage, STORE_KEY)).toBeNull();
  });
});

describe("the idle time", () => {
  it("keeps the latest use of any tab", () => {
    expect(readActiveAt()).toBeNull();
    writeActiveAt(2000);
    writeActiveAt(1000);
    expect(readActiveAt()).toBe(2000);
  });

  it("reads data-forget-after-minutes between 1 and 1440, else 30", () => {
    expect([undefined, "", "abc", "0", "7.6", "99999"].map(forgetAfterMinutes)).toEqual([30, 30, 30, 1, 8, 1440]);
  });

  it("is stale only past the limit, and never without a known time", () => {
    expect(isStale(null, 10_000, 1000)).toBe(false);
    expect(isStale(9_001, 10_000, 1000)).toBe(false);
    expect(isStale(9_000, 10_000, 1000)).toBe(true);
  });
});
