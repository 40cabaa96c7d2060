import { describe, expect, it } from "vitest";
import { mlflowPieces } from "../../../src/scoring/mlflow/mlflow-output.js";

const rows = [
  { row: 0, prediction: "2026-01-01T00:00:00", file_name: "a.csv" },
  { row: 1, prediction: "2026-01-02T00:00:00", file_name: "a.csv" },
];
const input = (format: "parquet" | "csv") => ({
  index: 5,
  attempt: 1,
  files: [{ path: "/nowhere/a.csv", name: "a.csv", rowOffset: 0 }],
  output: { format, perFile: false },
});

describe("the no-code MLflow driver's rows as output pieces", () => {
  it("refuses a prediction dtype Parquet cannot hold, naming the column and the dtype", async () => {
    const answer = {
      rows,
      succeededItems: 1,
      failedItems: [],
      columnTypes: { prediction: "datetime64[ns]" },
    };
    await expect(mlflowPieces(answer, input("parquet"))).rejects.toMatchObject({
      code: "UnsupportedOutputType",
      message: expect.stringContaining("'prediction' is of numpy type datetime64[ns]"),
    });
    const csv = await mlflowPieces(answer, input("csv"));
    expect(csv.pieces[0]?.content).toBe("0,2026-01-01T00:00:00,a.csv\n1,2026-01-02T00:00:00,a.csv\n");
  });

  it("types integer predictions from their dtype, not from the JSON numbers", async () => {
    const answer = {
      rows: [{ row: 0, prediction: 3, file_name: "a.csv" }],
      succeededItems: 1,
      failedItems: [],
      fileRows: [{ file: "a.csv", rows: 1 }],
      columnTypes: { prediction: "int64" },
    };
    const { pieces } = await mlflowPieces(answer, input("parquet"));
    expect(pieces[0]?.types).toEqual(["int64", "int64", "string"]);
  });
});
