import { describe, expect, it } from "vitest";
import type { InputItem } from "../../../src/io/inputs/resolved-input.js";
import { failedMiniBatchResult } from "../../../src/jobs/mini-batch/failed-mini-batch.js";
import { countPlan, cutMiniBatches, itemUnits } from "../../../src/jobs/plan/cut-mini-batches.js";
import type { PlannedMiniBatch } from "../../../src/jobs/plan/plan-schema.js";

function items(...names: string[]): InputItem[] {
  return names.map((name) => ({ name, size: 1 }));
}

/** Every row index of every file, in scoring order, from the mini-batches. */
function rowsCovered(miniBatches: PlannedMiniBatch[]): string[] {
  const rows: string[] = [];
  for (const miniBatch of miniBatches) {
    for (const item of miniBatch.items) {
      if (!item.rows) rows.push(`${item.name}:whole`);
      else for (let i = 0; i < item.rows.count; i += 1) rows.push(`${item.name}:${item.rows.start + i}`);
    }
  }
  return rows;
}

describe("cutMiniBatches", () => {
  it("takes mini_batch_size files per mini-batch, in order, like Azure ML", () => {
    const cut = cutMiniBatches({ items: items("a", "b", "c", "d", "e", "f", "g"), miniBatchSize: 3 });
    expect(cut.map((miniBatch) => miniBatch.items.map((item) => item.name))).toEqual([
      ["a", "b", "c"],
      ["d", "e", "f"],
      ["g"],
    ]);
    expect(cut.map((miniBatch) => miniBatch.index)).toEqual([0, 1, 2]);
    expect(countPlan(cut, false)).toEqual({ miniBatches: 3, files: 7, items: 7 });
  });

  it("ignores mini_batch_rows for non-tabular files and row counts it was not given", () => {
    const cut = cutMiniBatches({
      items: items("a.png", "b.png", "c.png"),
      miniBatchSize: 2,
      miniBatchRows: 10,
    });
    expect(cut.map((miniBatch) => miniBatch.items.length)).toEqual([2, 1]);
  });

  it("splits a large file into ranges and packs small files, covering every row exactly once", () => {
    const rowCounts = new Map([
      ["big.csv", 25],
      ["small-1.csv", 3],
      ["small-2.parquet", 4],
      ["empty.csv", 0],
      ["tail.jsonl", 11],
    ]);
    const input = items("big.csv", "empty.csv", "image.png", "small-1.csv", "small-2.parquet", "tail.jsonl");
    const cut = cutMiniBatches({ items: input, miniBatchSize: 3, miniBatchRows: 10, rowCounts });

    const expected: string[] = [];
    for (const item of input) {
      const total = rowCounts.get(item.name);
      if (!total) expected.push(`${item.name}:whole`);
      else for (let i = 0; i < total; i += 1) expected.push(`${item.name}:${i}`);
    }
    expect(rowsCovered(cut)).toEqual(expected);
    for (const miniBatch of cut) {
      expect(miniBatch.items.length).toBeLessThanOrEqual(3);
      const rows = miniBatch.items.reduce((sum, item) => sum + (item.rows?.count ?? 0), 0);
      expect(rows).toBeLessThanOrEqual(10);
      expect(new Set(miniBatch.items.map((item) => item.name)).size).toBe(miniBatch.items.length);
    }
    expect(cut[0]?.items).toEqual([{ name: "big.csv", size: 1, rows: { start: 0, count: 10, total: 25 } }]);
    expect(cut[2]?.items.map((item) => [item.name, item.rows?.count])).toEqual([
      ["big.csv", 5],
      ["empty.csv", undefined],
      ["image.png", undefined],
    ]);
    expect(countPlan(cut, true)).toEqual({ miniBatches: cut.length, files: 6, rows: 43, items: 45 });
  });

  it("counts threshold units as rows for ranges and 1 for whole files", () => {
    expect(itemUnits({ name: "a.csv", rows: { start: 5, count: 7, total: 100 } })).toBe(7);
    expect(itemUnits({ name: "a.png" })).toBe(1);
  });
});

describe("failedMiniBatchResult", () => {
  it("fails every item of the mini-batch, counting rows for row ranges", () => {
    const result = failedMiniBatchResult(
      {
        index: 4,
        items: [{ name: "a.png" }, { name: "big.csv", rows: { start: 100, count: 50, total: 1000 } }],
      },
      { code: "MiniBatchTimeout", message: "run() took longer than 30 s" },
    );
    expect(result).toEqual({
      rows: [],
      succeededItems: 0,
      failedItems: [
        { item: "a.png", count: 1, code: "MiniBatchTimeout", message: "run() took longer than 30 s" },
        {
          item: "big.csv rows 101-150",
          count: 50,
          code: "MiniBatchTimeout",
          message: "run() took longer than 30 s",
        },
      ],
    });
  });
});

describe("cutMiniBatches settings", () => {
  it("refuses sizes below 1 instead of looping", () => {
    expect(() => cutMiniBatches({ items: items("a.csv"), miniBatchSize: 0 })).toThrow(/mini_batch_size/);
    expect(() =>
      cutMiniBatches({
        items: items("a.csv"),
        miniBatchSize: 1,
        miniBatchRows: 0,
        rowCounts: new Map([["a.csv", 3]]),
      }),
    ).toThrow(/mini_batch_rows/);
  });
});
