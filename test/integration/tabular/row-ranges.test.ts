import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTable } from "../../../src/io/tabular/read-table.js";
import { countRows } from "../../../src/io/tabular/row-count.js";
import { writeRowRange } from "../../../src/io/tabular/row-range.js";
import type { Table, TabularFormat } from "../../../src/io/tabular/table.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "batchfn-ranges-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function columnValues(table: Table, name: string): unknown[] {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Error(`no column ${name}`);
  return Array.from(column.values as ArrayLike<unknown>);
}

/** Cuts the file into ranges of `size` rows and reads every range back. */
async function readInRanges(source: string, format: TabularFormat, size: number): Promise<Table[]> {
  const total = await countRows(source);
  const tables: Table[] = [];
  for (let start = 0; start < total; start += size) {
    const count = Math.min(size, total - start);
    const target = join(dir, `range-${start}-${Math.random().toString(36).slice(2)}.${format}`);
    await writeRowRange({ source, format, start, count, target });
    const table = await readTable(target, { format, rowOffset: start });
    expect(table.rowCount).toBe(count);
    tables.push(table);
  }
  return tables;
}

/** A CSV with every awkward feature, big enough that 1 MiB read chunks split it mid-record. */
function awkwardCsv(rows: number): string {
  const lines = ["\uFEFFid,note,value"];
  for (let id = 0; id < rows; id++) {
    const note = id % 3 === 0 ? `"multi\nline ""${id}"", with comma"` : id % 3 === 1 ? "" : `plain ${id}`;
    lines.push(`${id},${note},${(id * 0.25).toFixed(2)}`);
    if (id % 50 === 0) lines.push("");
  }
  return `${lines.join("\r\n")}\r\n`;
}

describe("row counting and row ranges", () => {
  it("cuts a large CSV into ranges that hold every row exactly once, header kept", async () => {
    const source = join(dir, "big.csv");
    const text = awkwardCsv(40_000);
    await writeFile(source, text);
    expect(text.length).toBeGreaterThan(1 << 20);
    expect(await countRows(source)).toBe(40_000);
    const whole = await readTable(source);
    const ranges = await readInRanges(source, "csv", 7_001);
    expect(ranges.flatMap((t) => columnValues(t, "id"))).toEqual(columnValues(whole, "id"));
    expect(ranges.flatMap((t) => columnValues(t, "note"))).toEqual(columnValues(whole, "note"));
    expect(columnValues(whole, "note")[3]).toBe('multi\nline "3", with comma');
    for (const table of ranges) expect(table.columns.map((c) => c.name)).toEqual(["id", "note", "value"]);
  });

  it("keeps LF line ends and a last row without a line break", async () => {
    const source = join(dir, "lf.csv");
    await writeFile(source, 'a,b\n1,"x\ny"\n\n2,z\n3,w');
    expect(await countRows(source)).toBe(3);
    const ranges = await readInRanges(source, "csv", 2);
    expect(ranges.flatMap((t) => columnValues(t, "a"))).toEqual([1, 2, 3]);
    expect(ranges.flatMap((t) => columnValues(t, "b"))).toEqual(["x\ny", "z", "w"]);
  });

  it("writes a CSV range of no rows as the header alone", async () => {
    const source = join(dir, "small.csv");
    await writeFile(source, "a,b\r\n1,2\r\n");
    const target = join(dir, "empty-range.csv");
    await writeRowRange({ source, format: "csv", start: 1, count: 0, target });
    expect(await readFile(target, "utf8")).toBe("a,b\r\n");
  });

  it("refuses a range past the end of the file", async () => {
    const source = join(dir, "three.csv");
    await writeFile(source, "a\n1\n2\n3\n");
    await expect(
      writeRowRange({ source, format: "csv", start: 2, count: 5, target: join(dir, "past.csv") }),
    ).rejects.toMatchObject({
      code: "InvalidInputFile",
      message: expect.stringContaining("holds only 3 rows"),
    });
  });

  it("cuts JSON lines into ranges that hold every row exactly once", async () => {
    const source = join(dir, "rows.jsonl");
    const lines: string[] = [];
    for (let id = 0; id < 2_500; id++) {
      lines.push(JSON.stringify({ id, text: `line\n${id}`, ok: id % 2 === 0 }));
      if (id % 100 === 0) lines.push("   ");
    }
    await writeFile(source, lines.join("\n"));
    expect(await countRows(source)).toBe(2_500);
    const ranges = await readInRanges(source, "jsonl", 333);
    expect(ranges.flatMap((t) => columnValues(t, "id"))).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
    expect(ranges.flatMap((t) => columnValues(t, "text"))[7]).toBe("line\n7");
  });

  it("reports an invalid JSON line with the row counted in the original file", async () => {
    const source = join(dir, "bad.jsonl");
    await writeFile(source, '{"a":1}\n{"a":2}\n{"a":\n');
    const target = join(dir, "bad-range.jsonl");
    await writeRowRange({ source, format: "jsonl", start: 2, count: 1, target });
    await expect(readTable(target, { rowOffset: 2, displayName: "in/bad.jsonl" })).rejects.toMatchObject({
      code: "InvalidInputFile",
      message: expect.stringContaining("'in/bad.jsonl': row 3 is not valid JSON"),
    });
  });
});

describe("parquet", () => {
  const rows = 53;
  const ids = Array.from({ length: rows }, (_, i) => i);
  let source: string;
  beforeAll(async () => {
    source = join(dir, "data.parquet");
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "id", data: Int32Array.from(ids), type: "INT32" },
        { name: "amount", data: ids.map((i) => i * 1.5), type: "DOUBLE" },
        { name: "big", data: ids.map((i) => BigInt(i) * 1_000_000_007n), type: "INT64" },
        { name: "name", data: ids.map((i) => (i % 5 === 0 ? null : `n${i}`)), type: "STRING" },
        { name: "flag", data: ids.map((i) => i % 2 === 0), type: "BOOLEAN" },
        { name: "when", data: ids.map((i) => new Date(Date.UTC(2024, 0, 1 + i))), type: "TIMESTAMP" },
      ],
      rowGroupSize: 10,
    });
    await writeFile(source, new Uint8Array(buffer));
  });

  it("reads typed columns in file order", async () => {
    const table = await readTable(source);
    expect(table.rowCount).toBe(rows);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ["id", "number"],
      ["amount", "number"],
      ["big", "number"],
      ["name", "string"],
      ["flag", "boolean"],
      ["when", "mixed"],
    ]);
    expect(columnValues(table, "id")).toEqual(ids);
    expect(columnValues(table, "amount")[3]).toBe(4.5);
    expect(columnValues(table, "big")[2]).toBe(2_000_000_014);
    expect(columnValues(table, "name").slice(0, 2)).toEqual([null, "n1"]);
    expect(columnValues(table, "flag").slice(0, 2)).toEqual([true, false]);
    expect(columnValues(table, "when")[1]).toBe("2024-01-02T00:00:00.000Z");
  });

  it("counts rows from the footer and cuts ranges across row groups, keeping the schema", async () => {
    expect(await countRows(source)).toBe(rows);
    const ranges = await readInRanges(source, "parquet", 17);
    expect(ranges.flatMap((t) => columnValues(t, "id"))).toEqual(ids);
    expect(ranges.flatMap((t) => columnValues(t, "name"))).toEqual(
      columnValues(await readTable(source), "name"),
    );

    const target = join(dir, "middle.pqt");
    await writeRowRange({ source, format: "parquet", start: 8, count: 5, target });
    const objects = await parquetReadObjects({ file: await asyncBufferFromFile(target) });
    expect(objects.map((o) => o.id)).toEqual([8, 9, 10, 11, 12]);
    expect(objects[0]?.big).toBe(8_000_000_056n);
    expect(objects[0]?.when).toEqual(new Date(Date.UTC(2024, 0, 9)));
  });

  it("fails a file that is not parquet with InvalidInputFile naming it", async () => {
    const bogus = join(dir, "bogus.parquet");
    await writeFile(bogus, "not parquet at all");
    await expect(readTable(bogus, { displayName: "in/bogus.parquet" })).rejects.toMatchObject({
      code: "InvalidInputFile",
      message: expect.stringContaining("'in/bogus.parquet'"),
    });
    await expect(countRows(bogus)).rejects.toMatchObject({ code: "InvalidInputFile" });
  });
});
