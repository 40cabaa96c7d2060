import { describe, expect, it } from "vitest";
import { parseNumberText } from "../../../src/io/tabular/column-values.js";
import { fastNumber } from "../../../src/io/tabular/fast-number.js";

describe("fastNumber", () => {
  it("answers exactly what Number() answers whenever it answers", () => {
    const samples: string[] = [];
    for (let k = 0; k < 4000; k++) {
      const magnitude = 10 ** ((k % 40) - 20);
      const value = ((k * 7919) % 100003) * magnitude * (k % 3 === 0 ? -1 : 1);
      samples.push(
        String(value),
        value.toFixed(k % 12),
        value.toExponential(k % 15),
        value.toPrecision((k % 17) + 1),
      );
    }
    samples.push(
      "0",
      "-0",
      "+5",
      "007",
      "1.",
      ".25",
      "9007199254740993",
      "123456789012345",
      "1e22",
      "1e23",
      "4e-22",
    );
    let answered = 0;
    const mismatches: string[] = [];
    for (const sample of samples) {
      const value = fastNumber(sample, 0, sample.length);
      if (value === undefined) continue;
      answered++;
      if (!Object.is(value, Number(sample))) mismatches.push(sample);
    }
    expect(mismatches).toEqual([]);
    expect(answered).toBeGreaterThan(samples.length / 2);
  });

  it("declines what is not a plain decimal number", () => {
    for (const text of ["", "-", ".", "1e", "1e+", "0x10", "1,5", "abc", "1 ", "Infinity", "--1"]) {
      expect(fastNumber(text, 0, text.length), text).toBeUndefined();
    }
  });

  it("reads a slice of a longer text", () => {
    expect(fastNumber("a,12.5,b", 2, 6)).toBe(12.5);
  });
});

describe("parseNumberText", () => {
  it("reads numbers, missing markers and refuses words", () => {
    expect(parseNumberText("1.5")).toBe(1.5);
    expect(parseNumberText("")).toBeNaN();
    expect(parseNumberText("  ")).toBeNaN();
    expect(parseNumberText("N/A")).toBeNaN();
    expect(parseNumberText("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseNumberText("0b11")).toBeUndefined();
    expect(parseNumberText("yes")).toBeUndefined();
  });
});
