import { describe, expect, it } from "vitest";
import { batchBytes } from "../../../src/io/output/batch-bytes.js";
import { batchText } from "../../../src/io/output/batch-text.js";
import { piecesFromBatches } from "../../../src/io/output/output-pieces.js";
import type { RowBatch } from "../../../src/io/output/row-batch.js";

const numbers = [
  0,
  -0,
  1,
  9,
  10,
  99,
  100,
  123456789,
  2147483647,
  2147483648,
  4294967296,
  -1,
  -2147483648,
  0.1,
  -0.5,
  1 / 3,
  1e21,
  1.5e-7,
  123456789012345680000,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  12.000000000000002,
];

function batch(file: string, fileName: string): RowBatch {
  const count = numbers.length;
  return {
    file,
    count,
    columns: [
      { name: "row", type: "int64", values: numbers.map((_, i) => i * 1_000_003) },
      { name: "prediction", type: "float64", values: Float64Array.from(numbers) },
      { name: "score", type: "int32", values: Int32Array.from(numbers, (v) => v | 0) },
      { name: "p32", type: "float32", values: Float32Array.from(numbers) },
      { name: "plain", type: "float64", values: numbers },
      { name: "file_name", type: "string", values: new Array<string>(count).fill(fileName) },
    ],
  };
}

const utf8 = (text: string) => Buffer.from(text, "utf8");

describe("the no-code rows written straight into bytes", () => {
  it.each([
    ["csv", "taxi-00001.csv"],
    ["aml", "taxi-00001.csv"],
    ["csv", 'café, "a".csv'],
    ["aml", "日本 🙂\nline.csv"],
  ] as const)("are the UTF-8 bytes of the %s text (file name %j)", (format, fileName) => {
    const rows = batch(fileName, fileName);
    const bytes = batchBytes(rows, format);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes ?? []).equals(utf8(batchText(rows, format)))).toBe(true);
  });

  it("are left to the text for jsonl and for columns of varying text", () => {
    const rows = batch("a.csv", "a.csv");
    expect(batchBytes(rows, "jsonl")).toBeUndefined();
    const varying: RowBatch = {
      file: "a.csv",
      count: 2,
      columns: [{ name: "label", type: "string", values: ["x", "y"] }],
    };
    expect(batchBytes(varying, "csv")).toBeUndefined();
  });

  it("make the same pieces as the text when asked for bytes, in every text format and layout", () => {
    const batches = [batch("a.csv", "a.csv"), batch("b.csv", "b é.csv"), batch("a.csv", "a.csv")];
    const varying: RowBatch = {
      file: "c.csv",
      count: 2,
      columns: [
        { name: "row", type: "int64", values: [0, 1] },
        { name: "prediction", type: "string", values: ["x,1", "y\n"] },
        { name: "file_name", type: "string", values: ["c.csv", "c.csv"] },
      ],
    };
    for (const format of ["csv", "aml", "jsonl"] as const) {
      for (const perFile of [false, true]) {
        const all = format === "csv" && !perFile ? batches : [...batches, varying];
        const text = piecesFromBatches(all, { format, perFile }, 3);
        const bytes = piecesFromBatches(all, { format, perFile, bytes: true }, 3);
        expect(
          bytes.map((piece) => ({ ...piece, content: Buffer.from(piece.content).toString("utf8") })),
        ).toEqual(text);
        expect(bytes.every((piece) => piece.content instanceof Uint8Array)).toBe(true);
      }
    }
  });

  it("are empty bytes for a mini-batch without rows", () => {
    const empty: RowBatch = { file: "e.csv", count: 0, columns: batch("e.csv", "e.csv").columns };
    const [piece] = piecesFromBatches([empty], { format: "csv", perFile: false, bytes: true }, 0);
    expect(piece?.rows).toBe(0);
    expect(piece?.content).toEqual(new Uint8Array(0));
  });
});
