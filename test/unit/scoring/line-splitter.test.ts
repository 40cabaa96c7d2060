import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/scoring/python/line-splitter.js";

function split(chunks: Array<string | Buffer>, maxLine?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLine);
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("joins lines cut across chunks and hands over a last line without a newline", () => {
    expect(split(["ab", "c\nde", "f\n\ng"])).toEqual(["abc", "def", "", "g"]);
  });

  it("decodes a UTF-8 character cut between chunks", () => {
    const bytes = Buffer.from("é€\n");
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual(["é€"]);
  });

  it("cuts a line longer than maxLine into pieces", () => {
    expect(split(["abcdefg", "hij\nk"], 4)).toEqual(["abcd", "efgh", "ij", "k"]);
  });
});
