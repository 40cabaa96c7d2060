import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { nextOccurrence, parseNcrontab } from "../../../src/local-host/timer-trigger/ncrontab.js";

const next = (expression: string, after: string) =>
  nextOccurrence(parseNcrontab(expression), new Date(after)).toISOString();

describe("NCRONTAB schedules of timer triggers (UTC)", () => {
  it("finds the next second, minute, hour, day and month the schedule names", () => {
    expect(next("* * * * * *", "2026-01-01T00:00:00.500Z")).toBe("2026-01-01T00:00:01.000Z");
    expect(next("0 * * * * *", "2026-01-01T00:00:00Z")).toBe("2026-01-01T00:01:00.000Z");
    expect(next("0 */5 * * * *", "2026-01-01T00:07:30Z")).toBe("2026-01-01T00:10:00.000Z");
    expect(next("30 15 9 * * *", "2026-01-01T10:00:00Z")).toBe("2026-01-02T09:15:30.000Z");
    expect(next("0 0 0 1 3 *", "2026-04-01T00:00:00Z")).toBe("2027-03-01T00:00:00.000Z");
    expect(next("0 0 12 * * 1-5", "2026-01-03T13:00:00Z")).toBe("2026-01-05T12:00:00.000Z");
    expect(next("0 0,30 8-9 * * *", "2026-01-01T08:31:00Z")).toBe("2026-01-01T09:00:00.000Z");
    expect(next("10/20 * * * * *", "2026-01-01T00:00:31Z")).toBe("2026-01-01T00:00:50.000Z");
    expect(next("0 0 0 29 2 *", "2026-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
  });

  it("refuses what is not six valid fields, naming the field", () => {
    for (const [expression, why] of [
      ["* * * * *", /6 fields/],
      ["60 * * * * *", /second/],
      ["* * 24 * * *", /hour/],
      ["* * * 0 * *", /day/],
      ["* * * * JAN *", /month/],
      ["* * * * * */0", /day-of-week/],
      ["0 0 0 31 2 *", /no time/],
    ] as const) {
      let caught: unknown;
      try {
        next(expression, "2026-01-01T00:00:00Z");
      } catch (thrown) {
        caught = thrown;
      }
      expect(caught).toBeInstanceOf(BatchfnError);
      expect(String((caught as BatchfnError).message)).toMatch(why);
    }
  });
});
