import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { parseCsv } from "../../../src/io/tabular/csv-parser.js";
import type { Table, TableColumn } from "../../../src/io/tabular/table.js";

function column(table: Table, name: string): TableColumn {
  const found = table.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
}

function values(table: Table, name: string): unknown[] {
  return Array.from(column(table, name).values as ArrayLike<unknown>);
}

function parseError(text: string, options = {}): BatchfnError {
  try {
    parseCsv(text, "/tmp/local/in.csv", { displayName: "inputs/in.csv", ...options });
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected a BatchfnError");
}

describe("parseCsv", () => {
  it("reads a header and typed columns in file order", () => {
    const table = parseCsv("b,a,name\n1,2.5,x\n-3,1e3,y\n", "f.csv");
    expect(table.rowCount).toBe(2);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ["b", "number"],
      ["a", "number"],
      ["name", "string"],
    ]);
    expect(column(table, "b").values).toBeInstanceOf(Float64Array);
    expect(values(table, "b")).toEqual([1, -3]);
    expect(values(table, "a")).toEqual([2.5, 1000]);
    expect(values(table, "name")).toEqual(["x", "y"]);
  });

  it("handles quotes, escaped quotes, commas and line breaks inside quotes", () => {
    const text = 'id,text\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,""\n5,"""quoted"" start"\n';
    const table = parseCsv(text, "f.csv");
    expect(table.rowCount).toBe(5);
    expect(values(table, "id")).toEqual([1, 2, 3, 4, 5]);
    expect(values(table, "text")).toEqual(["a, b", 'say "hi"', "two\nlines", null, '"quoted" start']);
  });

  it("accepts CRLF and lone CR line ends and a last row without a line break", () => {
    const table = parseCsv('a,b\r\n1,"x\r\ny"\r\n2,z\r3,w', "f.csv");
    expect(values(table, "a")).toEqual([1, 2, 3]);
    expect(values(table, "b")).toEqual(["x\r\ny", "z", "w"]);
  });

  it("strips a byte order mark from the first column name", () => {
    const table = parseCsv("\uFEFFx,y\n1,2\n", "f.csv");
    expect(table.columns.map((c) => c.name)).toEqual(["x", "y"]);
  });

  it("reads empty fields as missing: NaN in numeric columns, null in text columns", () => {
    const table = parseCsv("n,s,last\n1,,\n,b,\n3,c,9\n", "f.csv");
    expect(values(table, "n")).toEqual([1, Number.NaN, 3]);
    expect(values(table, "s")).toEqual([null, "b", "c"]);
    expect(values(table, "last")).toEqual([Number.NaN, Number.NaN, 9]);
  });

  it("reads a trailing comma at the end of the file as an empty last field", () => {
    const table = parseCsv("a,b\n1,", "f.csv");
    expect(values(table, "b")).toEqual([Number.NaN]);
  });

  it("skips blank lines between rows", () => {
    const table = parseCsv("a\n\n1\n\r\n\n2\n\n", "f.csv");
    expect(values(table, "a")).toEqual([1, 2]);
  });

  it("reads pandas missing markers and infinities in numeric columns", () => {
    const table = parseCsv("v\nNA\nNaN\nnull\ninf\n-inf\n 7 \n", "f.csv");
    expect(values(table, "v")).toEqual([
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      7,
    ]);
  });

  it("keeps a column as text when one value is not a number, and hex as text", () => {
    const table = parseCsv("v,h\n1,0x10\n2,1\nthree,2\n", "f.csv");
    expect(column(table, "v").kind).toBe("string");
    expect(values(table, "v")).toEqual(["1", "2", "three"]);
    expect(values(table, "h")).toEqual(["0x10", "1", "2"]);
  });

  it("keeps columns named in stringColumns as text", () => {
    const table = parseCsv("zip,n\n02134,1\n", "f.csv", { stringColumns: new Set(["zip"]) });
    expect(values(table, "zip")).toEqual(["02134"]);
    expect(values(table, "n")).toEqual([1]);
  });

  it("reads numbers exactly as Number() does, including long and quoted ones", () => {
    const cells = [
      "0.1",
      "-0",
      "123456789012345678",
      "3.14159265358979323846",
      "1e-7",
      "5E+3",
      '"42"',
      ".5",
      "7.",
    ];
    const table = parseCsv(`v\n${cells.join("\n")}\n`, "f.csv");
    const expected = cells.map((cell) => Number(cell.replaceAll('"', "")));
    expect(values(table, "v")).toEqual(expected);
    expect(Object.is(values(table, "v")[1], -0)).toBe(true);
  });

  it("reads a header-only file as a table without rows", () => {
    const table = parseCsv("a,b\n", "f.csv");
    expect(table.rowCount).toBe(0);
    expect(table.columns.map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("fails a row with too few fields naming the file, row, line and missing column", () => {
    const error = parseError("a,b,c\n1,2,3\n\n4,5\n");
    expect(error.code).toBe("InvalidInputFile");
    expect(error.message).toContain("'inputs/in.csv'");
    expect(error.message).toContain("row 2 (line 4)");
    expect(error.message).toContain("column 'c'");
  });

  it("fails a row with too many fields", () => {
    const error = parseError("a,b\n1,2\n3,4\n5,6,7\n");
    expect(error.code).toBe("InvalidInputFile");
    expect(error.message).toContain("row 3 (line 4)");
    expect(error.message).toContain("more fields than the header's 2 columns");
  });

  it("counts rows as records: a quoted line break does not start a row", () => {
    const error = parseError('a,b\n1,"x\ny"\n2\n');
    expect(error.message).toContain("row 2 (line 4)");
  });

  it("counts rows from the original file for a row range", () => {
    const error = parseError("a,b\n1,2\n3\n", { rowOffset: 1000 });
    expect(error.message).toContain("row 1002 has 1 field");
    expect(error.message).not.toContain("line");
  });

  it("fails a quote that is never closed naming the column", () => {
    const error = parseError('a,b\n1,"open\n2,3\n');
    expect(error.code).toBe("InvalidInputFile");
    expect(error.message).toContain("column 'b'");
    expect(error.message).toContain("row 1 (line 2)");
  });

  it("fails an empty file and a duplicate column name", () => {
    expect(parseError("").message).toContain("header row naming the columns is required");
    expect(parseError("\uFEFF\n\n").code).toBe("InvalidInputFile");
    expect(parseError("a,b,a\n1,2,3\n").message).toContain("column 'a' appears twice");
  });
});
