import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";
import { afterEach, describe, expect, it } from "vitest";
import { expectBatchfnError, testRegistry } from "./registry-fixture.js";

const folder = () => [
  { path: "model/weights.bin", content: Buffer.from([1, 2, 3, 4]) },
  { path: "score.js", content: Buffer.from("export function run(batch) { return batch; }") },
  { path: "./conf/settings.json", content: new TextEncoder().encode('{"a":1}') },
];

async function blobs(container: ContainerClient): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const blob of container.listBlobsFlat()) found.set(blob.name, blob.properties.etag ?? "");
  return found;
}

const temporary: string[] = [];
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-artifact-"));
  temporary.push(dir);
  return dir;
}

describe("registry: artifacts", () => {
  it("stores a folder under its content hash and uploads it only once", async () => {
    const { registry, clients, config } = testRegistry();
    const container = clients.blob.getContainerClient(config.containers.artifacts);
    const first = await registry.putArtifact(folder());
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.uri).toBe(`azureml://datastores/workspaceartifactstore/paths/sha256/${first.hash}/`);
    expect(first.uploaded).toBe(3);
    const stored = await blobs(container);
    expect([...stored.keys()].sort()).toEqual([
      `sha256/${first.hash}.json`,
      `sha256/${first.hash}/conf/settings.json`,
      `sha256/${first.hash}/model/weights.bin`,
      `sha256/${first.hash}/score.js`,
    ]);

    const again = await registry.putArtifact([...folder()].reverse());
    expect(again).toEqual({ ...first, uploaded: 0 });
    expect(await blobs(container)).toEqual(stored);

    const changed = await registry.putArtifact([
      ...folder().slice(1),
      { path: "model/weights.bin", content: Buffer.from([9]) },
    ]);
    expect(changed.hash).not.toBe(first.hash);
    const renamed = await registry.putArtifact([
      ...folder().slice(1),
      { path: "model/weights2.bin", content: Buffer.from([1, 2, 3, 4]) },
    ]);
    expect(renamed.hash).not.toBe(first.hash);
  });

  it("finishes an upload that was interrupted before its manifest", async () => {
    const { registry, clients, config } = testRegistry();
    const container = clients.blob.getContainerClient(config.containers.artifacts);
    const { hash } = await registry.putArtifact(folder());
    await container.getBlobClient(`sha256/${hash}.json`).delete();
    await container.getBlobClient(`sha256/${hash}/score.js`).delete();
    const kept = (await blobs(container)).get(`sha256/${hash}/model/weights.bin`);

    const resumed = await registry.putArtifact(folder());
    expect(resumed.uploaded).toBe(1);
    const after = await blobs(container);
    expect(after.get(`sha256/${hash}/model/weights.bin`)).toBe(kept);
    expect(after.has(`sha256/${hash}.json`)).toBe(true);
  });

  it("downloads the files back and checks their hashes", async () => {
    const { registry, clients, config } = testRegistry();
    const { uri, hash } = await registry.putArtifact(folder());
    const dir = await tempDir();
    const paths = await registry.downloadArtifact(uri, dir);
    expect(paths.sort()).toEqual(
      [join(dir, "conf", "settings.json"), join(dir, "model", "weights.bin"), join(dir, "score.js")].sort(),
    );
    expect([...(await readFile(join(dir, "model", "weights.bin")))]).toEqual([1, 2, 3, 4]);
    expect(await readFile(join(dir, "conf", "settings.json"), "utf8")).toBe('{"a":1}');

    const container = clients.blob.getContainerClient(config.containers.artifacts);
    await container.getBlockBlobClient(`sha256/${hash}/score.js`).upload("tampered", 8);
    await expectBatchfnError(registry.downloadArtifact(uri, await tempDir()), "CorruptRecord", "'score.js'");
  });

  it("refuses paths outside the folder and uploads nothing", async () => {
    const { registry, clients, config } = testRegistry();
    const container = clients.blob.getContainerClient(config.containers.artifacts);
    const content = Buffer.from("x");
    for (const path of ["../escape.txt", "a/../../b", "/etc/passwd", "C:\\temp\\x", "a//b", ""]) {
      await expectBatchfnError(
        registry.putArtifact([
          { path: "ok.txt", content },
          { path, content },
        ]),
        "InvalidSpec",
        `'${path}'`,
      );
    }
    await expectBatchfnError(
      registry.putArtifact([
        { path: "a.txt", content },
        { path: "./a.txt", content },
      ]),
      "InvalidSpec",
      "twice",
    );
    await expectBatchfnError(registry.putArtifact([]), "InvalidSpec", "at least one file");
    expect(await blobs(container)).toEqual(new Map());
  });

  it("answers NotFound for an unknown artifact and InvalidReference for a URI that is not one", async () => {
    const { registry } = testRegistry();
    const dir = await tempDir();
    await expectBatchfnError(
      registry.downloadArtifact(
        `azureml://datastores/workspaceartifactstore/paths/sha256/${"0".repeat(64)}/`,
        dir,
      ),
      "NotFound",
      "Artifact",
    );
    await expectBatchfnError(
      registry.downloadArtifact("azureml://datastores/workspaceblobstore/paths/x/", dir),
      "InvalidReference",
      "not an artifact URI",
    );
  });
});
