import { describe, expect, it } from "vitest";
import { backoffMs, givesUp, GIVE_UP_AFTER, parseFrame, POLL_AFTER, pollsAfter } from "../src/shared/live";

describe("reconnect policy", () => {
  it("waits 1, 2, 4, 8 s and then at most 10 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it("never waits less than the first step", () => {
    expect(backoffMs(-1)).toBe(1000);
  });

  it("polls as well after two failed sockets and gives the socket up after three", () => {
    expect([0, 1, 2, 3].map(pollsAfter)).toEqual([false, false, true, true]);
    expect([0, 1, 2, 3, 4].map(givesUp)).toEqual([false, false, false, true, true]);
    expect(POLL_AFTER).toBeLessThan(GIVE_UP_AFTER);
  });
});

describe("parseFrame", () => {
  it("reads a frame with a type", () => {
    expect(parseFrame('{"type":"message","data":{"id":3}}')).toEqual({ type: "message", data: { id: 3 } });
  });

  it("refuses text that is not JSON, and JSON that is not a frame", () => {
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame("null")).toBeNull();
    expect(parseFrame('{"data":1}')).toBeNull();
    expect(parseFrame('{"type":7}')).toBeNull();
  });
});
