import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { resolveInput } from "../../../src/io/inputs/resolve-input.js";
import { SourceCache } from "../../../src/io/inputs/source-cache.js";
import { downloadMiniBatch, type RowRangeWriter } from "../../../src/jobs/mini-batch/download-mini-batch.js";
import { planJob } from "../../../src/jobs/plan/plan-job.js";
import { readMiniBatch } from "../../../src/jobs/plan/read-plan.js";
import { downloadingRowCounter } from "../../../src/jobs/plan/row-counter.js";
import { blobJobStore } from "../../../src/jobs/store/job-store.js";
import { uniqueName } from "../../support/storage.js";
import { putBlobs, storageWorld } from "../io/input-fixtures.js";

async function failure(promise: Promise<unknown>): Promise<BatchfnError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof BatchfnError)) throw new Error(`expected a BatchfnError, got ${String(thrown)}`);
  return thrown;
}

/** A plain CSV counter and range writer for files without quoted newlines: stand-ins for src/io/tabular. */
async function countCsvRows(path: string): Promise<number> {
  const lines = (await readFile(path, "utf8")).split("\n").filter((line) => line !== "");
  return Math.max(0, lines.length - 1);
}
const writeCsvRange: RowRangeWriter = async ({ source, start, count, target }) => {
  const [header, ...rows] = (await readFile(source, "utf8")).split("\n").filter((line) => line !== "");
  await writeFile(target, [header, ...rows.slice(start, start + count)].map((line) => `${line}\n`).join(""));
};

function csv(prefix: string, rows: number): string {
  return `id,value\n${Array.from({ length: rows }, (_, i) => `${prefix}-${i},${i}\n`).join("")}`;
}

describe("planJob with mini_batch_size", () => {
  it("writes a paged plan that covers every file exactly once, in order, and downloads a mini-batch", async () => {
    const world = await storageWorld();
    const files: Record<string, string> = {};
    for (let i = 0; i < 23; i += 1)
      files[`in/${i % 3 === 0 ? "sub/" : ""}f${String(i).padStart(2, "0")}.txt`] = `file ${i}`;
    await putBlobs(world.container, files);
    const input = await resolveInput({ datastore: "ws", path: "in" }, world);
    const jobs = world.clients.blob.getContainerClient(uniqueName("jobs"));
    const store = blobJobStore(jobs);
    const job = uniqueName("job");

    const ref = await planJob({ jobName: job, input, miniBatchSize: 5 }, { store, pageItems: 7 });
    expect(ref).toMatchObject({ job, miniBatches: 5, files: 23, items: 23 });
    expect(ref.rows).toBeUndefined();
    expect(JSON.stringify(ref).length).toBeLessThan(200);

    const seen: string[] = [];
    for (let index = 0; index < ref.miniBatches; index += 1) {
      const { miniBatch } = await readMiniBatch(store, ref, index);
      expect(miniBatch.index).toBe(index);
      seen.push(...miniBatch.items.map((item) => item.name));
    }
    expect(seen).toEqual(input.items.map((item) => item.name));
    const pages = [];
    for await (const blob of jobs.listBlobsFlat({ prefix: `${job}/plan-pages/` })) pages.push(blob.name);
    expect(pages.length).toBeGreaterThan(1);

    const outOfRange = await failure(readMiniBatch(store, ref, 5));
    expect(outOfRange.code).toBe("InvalidReference");

    const localDir = await mkdtemp(join(tmpdir(), "batchfn-mb-"));
    const downloaded = await downloadMiniBatch(
      { plan: ref, index: 1, localDir },
      { store, access: world.access },
    );
    const { miniBatch } = await readMiniBatch(store, ref, 1);
    expect(downloaded.map((file) => file.name)).toEqual(miniBatch.items.map((item) => item.name));
    for (const file of downloaded) {
      expect(file.path).toBe(join(localDir, ...file.name.split("/")));
      expect(await readFile(file.path, "utf8")).toBe(files[`in/${file.name}`]);
      expect(file.rowOffset).toBe(0);
      expect(file.rowCount).toBeUndefined();
    }

    const replanned = await planJob({ jobName: job, input, miniBatchSize: 10 }, { store });
    expect(replanned.planId).not.toBe(ref.planId);
    const stale = { ...ref, planId: "not-the-current-plan" };
    expect((await failure(readMiniBatch(store, stale, 0))).code).toBe("CorruptRecord");
  });
});

describe("planJob with mini_batch_rows", () => {
  it("splits tabular files into row ranges that cover every row exactly once", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, {
      "rows/big.csv": csv("big", 23),
      "rows/notes.txt": "not tabular",
      "rows/small.csv": csv("small", 4),
    });
    const input = await resolveInput({ uri: "azureml://datastores/ws/paths/rows/" }, world);
    const jobs = world.clients.blob.getContainerClient(uniqueName("jobs"));
    const store = blobJobStore(jobs);
    const cacheDir = await mkdtemp(join(tmpdir(), "batchfn-cache-"));
    const sourceCache = new SourceCache({ dir: cacheDir, maxBytes: 1024 * 1024 });
    const countRows = downloadingRowCounter({
      access: world.access,
      countLocalRows: countCsvRows,
      sourceCache,
    });

    const ref = await planJob(
      { jobName: uniqueName("job"), input, miniBatchSize: 3, miniBatchRows: 10, countRows },
      { store },
    );
    expect(ref).toMatchObject({ files: 3, rows: 27, items: 28 });

    await putBlobs(world.container, { "rows/big.csv": csv("changed", 23) });
    const rowsByFile = new Map<string, string[]>();
    for (let index = 0; index < ref.miniBatches; index += 1) {
      const localDir = await mkdtemp(join(tmpdir(), "batchfn-mb-"));
      const files = await downloadMiniBatch(
        { plan: ref, index, localDir, writeRowRange: writeCsvRange },
        { store, access: world.access, sourceCache },
      );
      for (const file of files) {
        const lines = (await readFile(file.path, "utf8")).split("\n").filter((line) => line !== "");
        if (file.name.endsWith(".csv")) {
          expect(lines[0]).toBe("id,value");
          expect(lines.length - 1).toBe(file.rowCount);
          expect(lines[1]?.endsWith(`-${file.rowOffset},${file.rowOffset}`)).toBe(true);
        }
        rowsByFile.set(file.name, [
          ...(rowsByFile.get(file.name) ?? []),
          ...lines.slice(file.name.endsWith(".csv") ? 1 : 0),
        ]);
      }
    }
    expect(rowsByFile.get("big.csv")).toEqual(csv("big", 23).trim().split("\n").slice(1));
    expect(rowsByFile.get("small.csv")).toEqual(csv("small", 4).trim().split("\n").slice(1));
    expect(rowsByFile.get("notes.txt")).toEqual(["not tabular"]);
    expect((await readdir(cacheDir)).filter((name) => name.endsWith(".csv"))).toHaveLength(2);

    const noWriter = await failure(
      downloadMiniBatch(
        { plan: ref, index: 1, localDir: await mkdtemp(join(tmpdir(), "batchfn-mb-")) },
        { store, access: world.access, sourceCache },
      ),
    );
    expect(noWriter.code).toBe("InvalidConfig");
  });

  it("refuses mini_batch_rows without a row counter", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "rows/a.csv": csv("a", 2) });
    const input = await resolveInput({ datastore: "ws", path: "rows/" }, world);
    const jobs = world.clients.blob.getContainerClient(uniqueName("jobs"));
    const store = blobJobStore(jobs);
    const error = await failure(
      planJob({ jobName: "j1", input, miniBatchSize: 1, miniBatchRows: 5 }, { store }),
    );
    expect(error.code).toBe("InvalidConfig");
    expect(error.message).toContain("mini_batch_rows");
  });
});
