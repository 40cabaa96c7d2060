import { describe, expect, it } from "vitest";
import { applySetValues, parsePairs, parseSetValues } from "../../../src/cli/set-values.js";

describe("--set values", () => {
  it("refuses keys that reach Object.prototype, and pollutes nothing", () => {
    for (const item of ["__proto__.polluted=1", "constructor.prototype.polluted=1", "tags.__proto__=1"]) {
      expect(() => applySetValues({}, parseSetValues([item]))).toThrow(/is not a key that can be set/);
    }
    expect(() => parsePairs(["__proto__=1"], "--defaults")).toThrow(/is not a key that can be set/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("still sets dotted keys", () => {
    const document: Record<string, unknown> = {};
    applySetValues(document, parseSetValues(["settings.mini_batch_size=5", "tags.team=risk"]));
    expect(document).toEqual({ settings: { mini_batch_size: 5 }, tags: { team: "risk" } });
  });
});
