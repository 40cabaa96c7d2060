import { describe, expect, it } from "vitest";
import { batchRecords, batchText } from "../../../src/io/output/batch-text.js";
import { formatRows } from "../../../src/io/output/row-format.js";
import {
  type OutputTensor,
  outputColumns,
  predictionBatch,
  predictionRows,
} from "../../../src/scoring/onnx/predictions.js";

/** Outputs of every kind a model gives: float32 (printed shortest), int64, bool, strings, [N,2]. */
function mixedBatch(fileName: string) {
  const results: Record<string, OutputTensor> = {
    score: { type: "float32", dims: [3], data: new Float32Array([0.1, -2.5, 1e-7]) },
    count: { type: "int64", dims: [3], data: new BigInt64Array([1n, 2n, 3n]) },
    flag: { type: "bool", dims: [3], data: new Uint8Array([1, 0, 1]) },
    label: { type: "string", dims: [3], data: ["cat", 'say "hi"', "a,b"] },
    probabilities: { type: "float64", dims: [3, 2], data: new Float64Array([0.25, 0.75, 0.5, 0.5, 1, 0]) },
  };
  return predictionBatch({
    results,
    columns: outputColumns(Object.keys(results)),
    firstRow: 40,
    count: 3,
    fileName,
  });
}

describe("predictions written straight from the tensors", () => {
  for (const format of ["csv", "aml", "jsonl"] as const) {
    it(`is exactly what formatRows makes of the records (${format})`, () => {
      for (const fileName of ["plain.csv", "odd, name.csv"]) {
        const rows = predictionRows(mixedBatch(fileName));
        const fromRecords = formatRows(batchRecords(rows), format, 0);
        expect(batchText(rows, format)).toBe(fromRecords.text);
        if (format === "csv") expect(rows.columns.map((c) => c.name)).toEqual(fromRecords.columns);
      }
    });
  }

  it("numbers rows from the batch's first row, prints float32 values shortest and types the columns", () => {
    const rows = predictionRows(mixedBatch("f.csv"));
    expect(batchText(rows, "aml").split("\n")[0]).toBe("40 0.1 1 true cat 0.25 0.75 f.csv");
    expect(rows.columns.map((c) => [c.name, c.type])).toEqual([
      ["row", "int64"],
      ["score", "float32"],
      ["count", "int64"],
      ["flag", "boolean"],
      ["label", "string"],
      ["probabilities_0", "float64"],
      ["probabilities_1", "float64"],
      ["file_name", "string"],
    ]);
    expect(batchText(rows, "jsonl").split("\n")[1]).toBe(
      '{"row":41,"score":-2.5,"count":2,"flag":false,"label":"say \\"hi\\"","probabilities_0":0.5,"probabilities_1":0.5,"file_name":"f.csv"}',
    );
  });

  it("places joined input columns after row, before the predictions", () => {
    const rows = predictionRows(mixedBatch("f.csv"), [
      { name: "trip", type: "string", values: ["a", "b", null] },
    ]);
    expect(rows.columns.map((c) => c.name).slice(0, 3)).toEqual(["row", "trip", "score"]);
    expect(batchText(rows, "csv").split("\n")[2]?.startsWith("42,,")).toBe(true);
  });

  it("writes a model with one number per row the same way (its own fast path)", () => {
    const outputs: Record<string, OutputTensor> = {
      float64: { type: "float64", dims: [4, 1], data: new Float64Array([0.5, Number.NaN, -1e21, 3]) },
      float32: {
        type: "float32",
        dims: [4],
        data: new Float32Array([0.1, -2.5, 1e-7, Number.POSITIVE_INFINITY]),
      },
      int64: { type: "int64", dims: [4], data: new BigInt64Array([1n, -2n, 3n, 9007199254740993n]) },
    };
    for (const [name, tensor] of Object.entries(outputs)) {
      for (const format of ["csv", "aml"] as const) {
        const batch = predictionBatch({
          results: { [name]: tensor },
          columns: outputColumns([name]),
          firstRow: 7,
          count: 4,
          fileName: "a, b.csv",
        });
        const rows = predictionRows(batch);
        const text = batchText(rows, format);
        expect(text).toBe(formatRows(batchRecords(rows), format, 0).text);
        expect(text.split("\n")).toHaveLength(5);
      }
    }
  });
});
