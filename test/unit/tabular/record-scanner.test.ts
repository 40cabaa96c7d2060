import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../src/io/tabular/csv-parser.js";
import { parseJsonl } from "../../../src/io/tabular/jsonl-parser.js";
import { RecordScanner } from "../../../src/io/tabular/record-scanner.js";

/** Splits bytes at every given size and returns the record end positions in whole-file offsets. */
function recordEnds(
  text: string,
  format: "csv" | "jsonl",
  chunkSize: number,
): { ends: number[]; pending: boolean } {
  const bytes = new TextEncoder().encode(text);
  const scanner = new RecordScanner(format);
  const ends: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const chunk = bytes.subarray(offset, offset + chunkSize);
    scanner.scan(chunk, (end) => {
      ends.push(offset + end);
      return true;
    });
  }
  return { ends, pending: scanner.pendingRecord };
}

const CSV_SAMPLES = [
  'a,b\n1,"x\ny"\n2,z\n',
  'a,b\r\n1,"x\r\ny"\r\n\r\n2,z',
  '\uFEFFa,b\n\n1,"say ""hi""\n"\n5\'11",2\n',
  'h\n"a""\n""b"\n\n\n"c"\r"d"\r\n',
  "a,b\n,\n\n",
];

describe("RecordScanner", () => {
  it("finds the same CSV records as the parser, however the bytes are split", () => {
    for (const text of CSV_SAMPLES) {
      const rows = parseCsv(text, "f.csv").rowCount;
      for (const size of [1, 2, 3, 5, 7, 64]) {
        const { ends, pending } = recordEnds(text, "csv", size);
        const records = ends.length + (pending ? 1 : 0);
        expect(records - 1, `${JSON.stringify(text)} split by ${size}`).toBe(rows);
      }
    }
  });

  it("ends a CRLF record after the LF even when the chunk ends between CR and LF", () => {
    expect(recordEnds("a\r\n1\r\n", "csv", 2).ends).toEqual([3, 6]);
    expect(recordEnds("a\r\n1\r\n", "csv", 64).ends).toEqual([3, 6]);
  });

  it("finds the same JSON lines as the parser", () => {
    const text = '{"a":1}\n\n  \n{"a":"x\\ny"}\r\n{"a":3}';
    for (const size of [1, 4, 64]) {
      const { ends, pending } = recordEnds(text, "jsonl", size);
      expect(ends.length + (pending ? 1 : 0)).toBe(parseJsonl(text, "f.jsonl").rowCount);
    }
  });

  it("stops when the callback says so", () => {
    const scanner = new RecordScanner("jsonl");
    const seen: number[] = [];
    scanner.scan(new TextEncoder().encode("1\n2\n3\n"), (end) => {
      seen.push(end);
      return seen.length < 2;
    });
    expect(seen).toEqual([2, 4]);
  });
});
