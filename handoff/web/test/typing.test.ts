// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TypingNotifier } from "../src/widget/typing";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("TypingNotifier", () => {
  it("says typing at most every 2.5 s, and stopped 4 s after the last key", () => {
    const sent: boolean[] = [];
    const typing = new TypingNotifier((t) => sent.push(t), () => true);
    typing.update(true);
    vi.advanceTimersByTime(1000);
    typing.update(true);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(1600);
    typing.update(true);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(3999);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, true, false]);
  });

  it("says stopped at once on send, and typing again at the next key", () => {
    const sent: boolean[] = [];
    const typing = new TypingNotifier((t) => sent.push(t), () => true);
    typing.update(true);
    typing.update(false);
    typing.update(true);
    expect(sent).toEqual([true, false, true]);
  });

  it("says nothing while no advisor has the chat", () => {
    const sent: boolean[] = [];
    const typing = new TypingNotifier((t) => sent.push(t), () => false);
    typing.update(true);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([]);
  });
});
