import { describe, expect, it } from "vitest";
import { type Figures, handoffs, isNewer, type Overview, parseOverview, percentText, ratingsText, waitText } from "../src/oversikt/state";

function figures(over: Partial<Figures> = {}): Figures {
  return {
    waiting: 0,
    longest_wait_seconds: 0,
    in_progress: 0,
    handoffs_today: { asked_for_person: 0, unsure: 0, urgent: 0 },
    claimed_today: 0,
    longest_wait_today_seconds: 0,
    answered_within_3min_today: 0,
    answer_decided_today: 0,
    answered_within_3min_percent: null,
    ratings_today: { ja: 0, nei: 0, delvis: 0 },
    ...over,
  };
}

function overview(at: string): Overview {
  return {
    at,
    day_start: "2026-11-24T23:00:00.000Z",
    total: figures(),
    topics: [],
    advisors: { available: 0, away: 0, in_chat_with_free_seats: 0, free_seats: 0 },
  };
}

describe("the supervisors' overview", () => {
  it("reads only an overview", () => {
    expect(parseOverview(overview("2026-11-25T09:00:00.000Z"))?.at).toBe("2026-11-25T09:00:00.000Z");
    expect(parseOverview({ at: "x" })).toBeNull();
    expect(parseOverview(null)).toBeNull();
  });

  it("never replaces a newer overview with an older one", () => {
    const newer = overview("2026-11-25T09:00:05.000Z");
    expect(isNewer(newer, null)).toBe(true);
    expect(isNewer(overview("2026-11-25T09:00:01.000Z"), newer)).toBe(false);
    expect(isNewer(overview("2026-11-25T09:00:06.000Z"), newer)).toBe(true);
  });

  it("words waits, shares and ratings in Norwegian", () => {
    expect(waitText(0, false)).toBe("–");
    expect(waitText(30, true)).toBe("under 1 min");
    expect(waitText(185, true)).toBe("3 min");
    expect(waitText(3900, true)).toBe("1 t 5 min");
    expect(percentText(figures())).toBe("–");
    expect(percentText(figures({ answered_within_3min_percent: 75 }))).toBe("75 %");
    expect(ratingsText(figures())).toBe("Ingen");
    expect(ratingsText(figures({ ratings_today: { ja: 3, nei: 1, delvis: 0 } }))).toBe("3 ja, 1 nei");
    expect(handoffs(figures({ handoffs_today: { asked_for_person: 2, unsure: 1, urgent: 1 } }))).toBe(4);
  });
});
