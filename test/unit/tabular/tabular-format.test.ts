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

  it("refuses anything else with UnsupportedFileType naming the file", () => {
    expect(() => requireTabularFormat("/tmp/x/img.png", "images/img.png")).toThrow(
      expect.objectContaining({
        code: "UnsupportedFileType",
        message: expect.stringContaining("'images/img.png'"),
      }),
    );
  });
});
