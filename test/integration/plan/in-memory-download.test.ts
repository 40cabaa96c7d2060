import { access, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { downloadItem, fetchItemBytes } from "../../../src/io/inputs/download-item.js";
import { resolveInput } from "../../../src/io/inputs/resolve-input.js";
import { downloadMiniBatch } from "../../../src/jobs/mini-batch/download-mini-batch.js";
import { planJob } from "../../../src/jobs/plan/plan-job.js";
import { blobJobStore } from "../../../src/jobs/store/job-store.js";
import { refusal } from "../../support/refusal.js";
import { uniqueName } from "../../support/storage.js";
import { putBlobs, storageWorld } from "../io/input-fixtures.js";

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("small inputs handed over in memory", () => {
  it("reads items up to the size limit into memory, in plan order, and downloads larger ones to files", async () => {
    const world = await storageWorld();
    const content = (i: number) => String(i).repeat(i + 1);
    await putBlobs(
      world.container,
      Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`in/f${i}.txt`, content(i)])),
    );
    const store = blobJobStore(world.clients.blob.getContainerClient(uniqueName("jobs")));
    const input = await resolveInput({ uri: "azureml://datastores/ws/paths/in/" }, world);
    const plan = await planJob({ jobName: uniqueName("job"), input, miniBatchSize: 8 }, { store });
    const localDir = await mkdtemp(join(tmpdir(), "batchfn-memory-"));

    const files = await downloadMiniBatch(
      { plan, index: 0, localDir, inMemoryMaxBytes: 4 },
      { store, access: world.access },
    );

    expect(files.map((file) => file.name)).toEqual(Array.from({ length: 8 }, (_, i) => `f${i}.txt`));
    for (const [i, file] of files.entries()) {
      expect(file.path).toBe(join(localDir, `f${i}.txt`));
      if (i < 4) {
        expect(Buffer.from(file.data ?? []).toString()).toBe(content(i));
        expect(await exists(file.path)).toBe(false);
      } else {
        expect(file.data).toBeUndefined();
        expect(await readFile(file.path, "utf8")).toBe(content(i));
      }
    }
  });

  it("insists on the version seen at planning, as a download to a file does", async () => {
    const world = await storageWorld();
    await putBlobs(world.container, { "d/one.csv": "1,2\n", "d/two.csv": "3,4\n" });
    const folder = await resolveInput({ datastore: "ws", path: "d" }, world);
    const [one, two] = folder.items;
    if (!one || !two) throw new Error("two items expected");
    const bytes = await fetchItemBytes({ root: folder.root, item: one, access: world.access });
    expect(Buffer.from(bytes).toString()).toBe("1,2\n");

    await putBlobs(world.container, { "d/one.csv": "changed\n" });
    const changed = await refusal(fetchItemBytes({ root: folder.root, item: one, access: world.access }));
    expect(changed.code).toBe("InputChanged");
    expect(changed.message).toContain("one.csv");

    // Azurite answers a conditional GET of a removed blob 412, Azure 404: either way, as downloadItem says
    await world.container.deleteBlob("d/two.csv");
    const removed = await refusal(fetchItemBytes({ root: folder.root, item: two, access: world.access }));
    const target = join(await mkdtemp(join(tmpdir(), "batchfn-memory-")), "two.csv");
    const downloaded = await refusal(
      downloadItem({ root: folder.root, item: two, target, access: world.access }),
    );
    expect(["InputNotFound", "InputChanged"]).toContain(removed.code);
    expect(removed.code).toBe(downloaded.code);
    expect(removed.message).toBe(downloaded.message);
  });
});
