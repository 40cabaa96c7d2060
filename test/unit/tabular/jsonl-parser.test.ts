import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { parseJsonl } from "../../../src/io/tabular/jsonl-parser.js";

function parseError(text: string): BatchfnError {
  try {
    parseJsonl(text, "/tmp/x.jsonl", { displayName: "in/x.jsonl" });
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected a BatchfnError");
}

describe("parseJsonl", () => {
  it("reads one object per line with keys in order of first appearance", () => {
    const table = parseJsonl('{"b":1,"a":"x"}\n\n{"a":"y","c":true,"b":2.5}\n{"b":null}\n', "x.jsonl");
    expect(table.rowCount).toBe(3);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ["b", "number"],
      ["a", "string"],
      ["c", "boolean"],
    ]);
    expect(Array.from(table.columns[0]?.values ?? [])).toEqual([1, 2.5, Number.NaN]);
    expect(table.columns[1]?.values).toEqual(["x", "y", null]);
    expect(table.columns[2]?.values).toEqual([null, true, null]);
  });

  it("keeps mixed and nested values in a mixed column", () => {
    const table = parseJsonl('{"v":1}\r\n{"v":"two"}\r\n{"v":[3]}', "x.jsonl");
    expect(table.columns[0]?.kind).toBe("mixed");
    expect(table.columns[0]?.values).toEqual([1, "two", "[3]"]);
  });

  it("fails an invalid line naming the file, row and line", () => {
    const error = parseError('{"a":1}\n\n{"a":2\n');
    expect(error.code).toBe("InvalidInputFile");
    expect(error.message).toContain("'in/x.jsonl'");
    expect(error.message).toContain("row 2 (line 3) is not valid JSON");
  });

  it("fails a line that is not an object", () => {
    expect(parseError('{"a":1}\n[1,2]\n').message).toContain("row 2 (line 2) is not a JSON object");
    expect(parseError("3\n").message).toContain("row 1 (line 1) is not a JSON object");
  });

  it("reads an empty file as a table without rows or columns", () => {
    expect(parseJsonl("\n\n", "x.jsonl")).toEqual({ columns: [], rowCount: 0 });
  });
});
