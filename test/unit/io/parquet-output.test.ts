import { parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { type FooterPart, parquetFooter } from "../../../src/io/output/parquet-footer.js";
import { encodeParquetPart, parquetMagic } from "../../../src/io/output/parquet-part.js";
import { type RowBatch, recordsToBatch } from "../../../src/io/output/row-batch.js";

/** A whole Parquet file as the finaliser commits it: magic, the parts' bodies in order, the footer. */
function assemble(parts: Array<ReturnType<typeof encodeParquetPart> & { miniBatch: number }>): ArrayBuffer {
  const footerParts: FooterPart[] = parts.map((part) => ({
    miniBatch: part.miniBatch,
    bytes: part.rows === 0 ? 0 : part.body.length,
    rows: part.rows,
    columns: part.columns,
    types: part.types,
    footer: part.footer,
  }));
  const chunks = [
    parquetMagic(),
    ...parts.filter((p) => p.rows > 0).map((p) => p.body),
    parquetFooter(footerParts, "f"),
  ];
  const file = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return file.buffer;
}

function thrown(run: () => unknown): BatchfnError {
  try {
    run();
  } catch (error) {
    if (error instanceof BatchfnError) return error;
    throw error;
  }
  throw new Error("expected a BatchfnError");
}

const typed = (file: string, first: number, count: number): RowBatch => ({
  file,
  count,
  columns: [
    { name: "row", type: "int64", values: Array.from({ length: count }, (_, i) => first + i) },
    {
      name: "id",
      type: "int64",
      values: Array.from({ length: count }, (_, i) => 2n ** 60n + BigInt(first + i)),
    },
    { name: "score", type: "float32", values: Array.from({ length: count }, (_, i) => (first + i) / 4) },
    { name: "p", type: "float64", values: Array.from({ length: count }, (_, i) => (first + i) / 3) },
    { name: "small", type: "int32", values: Array.from({ length: count }, (_, i) => -(first + i)) },
    { name: "ok", type: "boolean", values: Array.from({ length: count }, (_, i) => (first + i) % 2 === 0) },
    {
      name: "label",
      type: "string",
      values: Array.from({ length: count }, (_, i) => (i === 1 ? null : `l${first + i}`)),
    },
    {
      name: "at",
      type: "timestamp",
      values: Array.from({ length: count }, (_, i) => new Date(Date.UTC(2026, 0, 1 + first + i))),
    },
    { name: "extra", type: "json", values: Array.from({ length: count }, (_, i) => ({ k: [first + i] })) },
    { name: "file_name", type: "string", values: new Array(count).fill(file) },
  ],
});

describe("Parquet output assembled from parts", () => {
  it("reads back every row of every part, in order, with the columns' types", async () => {
    const parts = [
      { ...encodeParquetPart([typed("a.csv", 0, 3), typed("b.csv", 3, 2)], 0), miniBatch: 0 },
      { ...encodeParquetPart([typed("c.csv", 5, 0)], 1), miniBatch: 1 },
      { ...encodeParquetPart([typed("c.csv", 5, 4)], 2), miniBatch: 2 },
    ];
    const rows = await parquetReadObjects({ file: assemble(parts) });
    expect(rows).toHaveLength(9);
    expect(rows.map((r) => r.row)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    expect(rows[8]).toEqual({
      row: 8n,
      id: 2n ** 60n + 8n,
      score: 2,
      p: 8 / 3,
      small: -8,
      ok: true,
      label: "l8",
      at: new Date(Date.UTC(2026, 0, 9)),
      extra: { k: [8] },
      file_name: "c.csv",
    });
    expect(rows[1]?.label).toBeNull();
    expect(rows.map((r) => r.file_name)).toEqual([
      "a.csv",
      "a.csv",
      "a.csv",
      "b.csv",
      "b.csv",
      "c.csv",
      "c.csv",
      "c.csv",
      "c.csv",
    ]);
  });

  it("gives a column without values in one part the type another part has", async () => {
    const part = (miniBatch: number, values: unknown[]) => ({
      ...encodeParquetPart(
        [
          recordsToBatch(
            values.map((x) => ({ x })),
            { miniBatch },
          ),
        ],
        miniBatch,
      ),
      miniBatch,
    });
    const parts = [part(0, [null, null]), part(1, [1.5, null]), part(2, [null])];
    expect(parts.map((p) => p.types)).toEqual([["null"], ["float64"], ["null"]]);
    expect(await parquetReadObjects({ file: assemble(parts) })).toEqual([
      { x: null },
      { x: null },
      { x: 1.5 },
      { x: null },
      { x: null },
    ]);
  });

  it("refuses parts whose columns or types differ, naming the mini-batches and the column", () => {
    const a = { ...encodeParquetPart([recordsToBatch([{ x: 1 }], { miniBatch: 0 })], 0), miniBatch: 0 };
    const b = { ...encodeParquetPart([recordsToBatch([{ y: 1 }], { miniBatch: 3 })], 3), miniBatch: 3 };
    const c = { ...encodeParquetPart([recordsToBatch([{ x: "one" }], { miniBatch: 4 })], 4), miniBatch: 4 };
    const columns = thrown(() => assemble([a, b]));
    expect(columns.code).toBe("OutputColumnsMismatch");
    expect(columns.message).toContain("mini-batch 3 returned the columns (y)");
    const types = thrown(() => assemble([a, c]));
    expect(types.code).toBe("OutputColumnsMismatch");
    expect(types.message).toContain("column 'x' is string in mini-batch 4");
  });

  it("writes a file of no part as a valid empty file", async () => {
    expect(await parquetReadObjects({ file: assemble([]) })).toEqual([]);
  });

  it("refuses text rows and columns of two kinds with UnsupportedOutputType", () => {
    const text = thrown(() => recordsToBatch(["a.png: 7"], { miniBatch: 2 }));
    expect(text.code).toBe("UnsupportedOutputType");
    expect(text.message).toContain("Mini-batch 2, row 1 is text");
    const mixed = thrown(() => recordsToBatch([{ v: 1 }, { v: "x" }], { miniBatch: 0 }));
    expect(mixed.code).toBe("UnsupportedOutputType");
    expect(mixed.message).toContain("column 'v' holds float64 values (row 1) and string values (row 2)");
  });

  it("refuses a value that does not fit its column's type", () => {
    const batch: RowBatch = { count: 1, columns: [{ name: "n", type: "int64", values: [1.5] }] };
    const error = thrown(() => encodeParquetPart([batch], 7));
    expect(error.code).toBe("UnsupportedOutputType");
    expect(error.message).toContain("Mini-batch 7, column 'n', row 1");
  });

  it("fills a record's missing keys with nulls and takes declared types over inferred ones", () => {
    const batch = recordsToBatch([{ a: 1 }, { a: 2, b: "x" }], { miniBatch: 0, types: { a: "int64" } });
    expect(batch.columns).toEqual([
      { name: "a", type: "int64", values: [1, 2] },
      { name: "b", type: "string", values: [null, "x"] },
    ]);
  });
});
