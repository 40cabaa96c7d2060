import { describe, expect, it } from "vitest";
import { requireTabularFormat, tabularFormatOf } from "../../../src/io/tabular/tabular-format.js";

describe("tabular format from the extension", () => {
  it("knows csv, parquet, pqt and jsonl in any case", () => {
    expect(tabularFormatOf("a/b.CSV")).toBe("csv");
    expect(tabularFormatOf("b.parquet")).toBe("parquet");
    expect(tabularFormatOf("b.pqt")).toBe("parquet");
    expect(tabularFormatOf("b.jsonl")).toBe("jsonl");
    expect(tabularFormatOf("b.json")).toBeUndefined();
    expect(tabularFormatOf("csv")).toBeUndefined();
  });

  it("reads the extension of the last segment of a blob name or local path only", () => {
    expect(tabularFormatOf("folder.csv/readme")).toBeUndefined();
    expect(tabularFormatOf("inputs/2026.01/trips.Parquet")).toBe("parquet");
    expect(tabularFormatOf("/tmp/job/a.b.jsonl")).toBe("jsonl");
    expect(tabularFormatOf(".csv")).toBeUndefined();
    expect(tabularFormatOf("data/.csv")).toBeUndefined();
  });

  it("refuses anything else with UnsupportedFileType naming the file", () => {
    expect(() => requireTabularFormat("/tmp/x/img.png", "images/img.png")).toThrow(
      expect.objectContaining({
        code: "UnsupportedFileType",
        message: expect.stringContaining("'images/img.png'"),
      }),
    );
  });
});
