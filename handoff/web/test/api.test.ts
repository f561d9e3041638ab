import { describe, expect, it } from "vitest";
import { failure, FALLBACK_ERROR, readError, readJson } from "../src/shared/api";

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("the hub's errors", () => {
  it("reads the hub's JSON error as it is", async () => {
    const err = await readError(json({ error: "message_too_long", message: "For lang.", limit: 1000 }, 413));
    expect(err).toEqual({ error: "message_too_long", message: "For lang.", limit: 1000 });
  });

  it("says something went wrong, in Norwegian, when the answer is not the hub's error", async () => {
    expect(await readError(new Response("<html>Bad gateway</html>", { status: 502 }))).toEqual({
      error: "http_502",
      message: FALLBACK_ERROR,
    });
    expect(await readError(json({ detail: "x" }, 500))).toEqual({ error: "http_500", message: FALLBACK_ERROR });
  });

  it("makes an ApiFailure with the code, the status and a fallback for an error without a message", async () => {
    const f = await failure(json({ error: "already_claimed" }, 409), "Noe gikk galt. Prøv igjen.");
    expect([f.code, f.status, f.message]).toEqual(["already_claimed", 409, "Noe gikk galt. Prøv igjen."]);
    expect(f.body).toEqual({ error: "already_claimed" });
  });
});

describe("readJson", () => {
  it("reads JSON, and nothing from 204 or a body that is not JSON", async () => {
    expect(await readJson(json({ a: 1 }, 200))).toEqual({ a: 1 });
    expect(await readJson(new Response(null, { status: 204 }))).toBeUndefined();
    expect(await readJson(new Response("ok", { status: 200, headers: { "Content-Type": "text/plain" } }))).toBeUndefined();
  });
});
