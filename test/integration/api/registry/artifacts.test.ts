import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlockBlobClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ApiWorld, apiWorld, expectRefused } from "./api-fixture.js";

let world: ApiWorld;
let small: ApiWorld;

beforeAll(async () => {
  world = await apiWorld();
  small = await apiWorld({ maxArtifactBytes: 2048 });
});

afterAll(async () => {
  await world?.close();
  await small?.close();
});

const sha256 = (content: Buffer | string) => createHash("sha256").update(content).digest("hex");
const base64 = (content: string) => Buffer.from(content).toString("base64");

const script =
  "export async function init() {}\nexport async function run(batch) { return batch.map(String); }\n";

const uploadResult = z.object({
  uri: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  uploaded: z.number(),
});
const startResult = z.object({
  upload_id: z.uuid(),
  expires_on: z.iso.datetime(),
  files: z.array(z.object({ path: z.string(), url: z.url() })),
  commit_url: z.string(),
});

async function stagedBlobs(): Promise<string[]> {
  const names: string[] = [];
  const container = world.clients.blob.getContainerClient(world.config.containers.artifacts);
  for await (const blob of container.listBlobsFlat({ prefix: "uploads/" })) names.push(blob.name);
  return names;
}

async function downloaded(uri: string): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-api-artifact-"));
  try {
    const files = await world.registry.downloadArtifact(uri, dir);
    const entries = await Promise.all(
      files.map(async (file) => [
        file.slice(dir.length + 1).replaceAll("\\", "/"),
        await readFile(file, "utf8"),
      ]),
    );
    return Object.fromEntries(entries);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Starts an upload and PUTs each file to its SAS URL with a plain fetch. */
async function stage(files: Record<string, string>): Promise<z.infer<typeof startResult>> {
  const started = await world.call("POST", "artifact-uploads", {
    body: { files: Object.keys(files).map((path) => ({ path })) },
  });
  expect(started.status).toBe(201);
  const upload = startResult.parse(started.body);
  for (const { path, url } of upload.files) {
    const response = await fetch(url, {
      method: "PUT",
      headers: { "x-ms-blob-type": "BlockBlob" },
      body: files[path],
    });
    expect(response.status).toBe(201);
  }
  return upload;
}

describe("POST artifacts (files in the body)", () => {
  it("stores a folder as a content-addressed artifact that a deployment can use", async () => {
    const body = {
      files: [
        { path: "score.js", content_base64: base64(script) },
        { path: "lib/notes.txt", content_base64: base64("hello") },
      ],
    };
    const first = await world.call("POST", "artifacts", { body });
    expect(first.status).toBe(201);
    const result = uploadResult.parse(first.body);
    expect(result.uri).toBe(`azureml://datastores/workspaceartifactstore/paths/sha256/${result.hash}/`);
    expect(result.uploaded).toBe(2);
    const again = await world.call("POST", "artifacts", { body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...result, uploaded: 0 });
    expect(await downloaded(result.uri)).toEqual({ "score.js": script, "lib/notes.txt": "hello" });

    const model = uploadResult.parse(
      (
        await world.call("POST", "artifacts", {
          body: { files: [{ path: "model.bin", content_base64: base64("w") }] },
        })
      ).body,
    );
    await world.call("PUT", "models/art-model/versions/1", { body: { path: model.uri } });
    await world.call("PUT", "batch-endpoints/art-ep", { body: {} });
    const deployment = await world.call("PUT", "batch-endpoints/art-ep/deployments/blue", {
      body: {
        model: "azureml:art-model:1",
        code_configuration: { code: result.uri, scoring_script: "score.js" },
      },
    });
    expect(deployment.status).toBe(201);
  });

  it("refuses bad base64, a path leaving its folder, no files, unknown keys and YAML", async () => {
    const badBase64 = await expectRefused(
      world,
      {
        method: "POST",
        path: "artifacts",
        body: { files: [{ path: "a.txt", content_base64: "not base64!" }] },
      },
      400,
      "InvalidSpec",
    );
    expect(badBase64.details.map((d) => d.path)).toEqual(["files.0.content_base64"]);
    await expectRefused(
      world,
      {
        method: "POST",
        path: "artifacts",
        body: { files: [{ path: "../up.txt", content_base64: base64("x") }] },
      },
      400,
      "InvalidSpec",
    );
    await expectRefused(
      world,
      { method: "POST", path: "artifacts", body: { files: [] } },
      400,
      "InvalidSpec",
    );
    await expectRefused(
      world,
      { method: "POST", path: "artifacts", body: { files: [{ path: "a", content_base64: "" }], extra: 1 } },
      400,
      "InvalidSpec",
    );
    await expectRefused(
      world,
      { method: "POST", path: "artifacts", body: "files: []", contentType: "application/yaml" },
      415,
      "UnsupportedMediaType",
    );
  });

  it("refuses a body over the artifact size limit", async () => {
    await expectRefused(
      small,
      {
        method: "POST",
        path: "artifacts",
        body: { files: [{ path: "big.bin", content_base64: "A".repeat(4096) }] },
      },
      413,
      "PayloadTooLarge",
    );
  });
});

describe("artifact uploads through SAS URLs", () => {
  it("hands out write-only URLs, commits the staged files as an artifact and removes the staging", async () => {
    const files = { "score.js": script, "lib/notes.txt": "staged through SAS URLs" };
    const upload = await stage(files);
    expect(upload.files.map((f) => f.path).sort()).toEqual(["lib/notes.txt", "score.js"]);
    expect(upload.commit_url).toBe(`http://127.0.0.1:7071/api/artifact-uploads/${upload.upload_id}/commit`);
    expect(new Date(upload.expires_on).getTime()).toBeGreaterThan(Date.now());

    const url = upload.files[0]?.url ?? "";
    expect((await fetch(url)).status).toBe(403);
    const elsewhere = url.replace(`uploads/${upload.upload_id}/`, "sha256/");
    const forged = await fetch(elsewhere, {
      method: "PUT",
      headers: { "x-ms-blob-type": "BlockBlob" },
      body: "x",
    });
    expect(forged.status).toBe(403);

    const committed = await world.call("POST", `artifact-uploads/${upload.upload_id}/commit`, {
      body: { files: Object.entries(files).map(([path, content]) => ({ path, sha256: sha256(content) })) },
    });
    expect(committed.status).toBe(201);
    const result = uploadResult.parse(committed.body);
    expect(result.uploaded).toBe(2);
    expect(await downloaded(result.uri)).toEqual(files);
    expect(await stagedBlobs()).toEqual([]);

    const same = await world.call("POST", "artifacts", {
      body: {
        files: Object.entries(files).map(([path, content]) => ({ path, content_base64: base64(content) })),
      },
    });
    expect(same.body).toEqual({ ...result, uploaded: 0 });
  });

  it("takes a large file uploaded block by block with the SDK", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const started = startResult.parse(
      (await world.call("POST", "artifact-uploads", { body: { files: [{ path: "weights/big.bin" }] } })).body,
    );
    const target = new BlockBlobClient(started.files[0]?.url ?? "");
    await target.uploadData(big, { blockSize: 1024 * 1024, maxSingleShotSize: 1024 * 1024, concurrency: 2 });
    const committed = await world.call("POST", `artifact-uploads/${started.upload_id}/commit`, {
      body: { files: [{ path: "weights/big.bin", sha256: sha256(big).toUpperCase() }] },
    });
    expect(committed.status).toBe(201);
    const { uri } = uploadResult.parse(committed.body);
    const dir = await mkdtemp(join(tmpdir(), "batchfn-api-big-"));
    try {
      const [file] = await world.registry.downloadArtifact(uri, dir);
      expect(sha256(await readFile(file ?? ""))).toBe(sha256(big));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a commit whose sha256 does not match, keeping the staged files for a retry", async () => {
    const upload = await stage({ "a.txt": "real content" });
    const error = await expectRefused(
      world,
      {
        method: "POST",
        path: `artifact-uploads/${upload.upload_id}/commit`,
        body: { files: [{ path: "a.txt", sha256: sha256("other content") }] },
      },
      400,
      "UploadMismatch",
    );
    expect(error.details).toEqual([{ path: "a.txt", message: expect.stringContaining("not the declared") }]);
    const retried = await world.call("POST", `artifact-uploads/${upload.upload_id}/commit`, {
      body: { files: [{ path: "a.txt", sha256: sha256("real content") }] },
    });
    expect(retried.status).toBe(201);
  });

  it("refuses a commit naming a file that was not uploaded", async () => {
    const upload = await stage({ "a.txt": "one" });
    const error = await expectRefused(
      world,
      {
        method: "POST",
        path: `artifact-uploads/${upload.upload_id}/commit`,
        body: {
          files: [
            { path: "a.txt", sha256: sha256("one") },
            { path: "b.txt", sha256: sha256("two") },
          ],
        },
      },
      400,
      "UploadMismatch",
    );
    expect(error.details).toEqual([{ path: "b.txt", message: "was not uploaded" }]);
  });

  it("refuses an invalid upload id, a sha256 that is not hex, and absolute paths", async () => {
    await expectRefused(
      world,
      {
        method: "POST",
        path: "artifact-uploads/..%2Fsha256/commit",
        body: { files: [{ path: "a", sha256: sha256("a") }] },
      },
      400,
      "InvalidParameter",
    );
    const notHex = await expectRefused(
      world,
      {
        method: "POST",
        path: "artifact-uploads/7d444840-9dc0-41d1-b2b2-0c5c5e0e3f4a/commit",
        body: { files: [{ path: "a", sha256: "xyz" }] },
      },
      400,
      "InvalidSpec",
    );
    expect(notHex.details.map((d) => d.path)).toEqual(["files.0.sha256"]);
    await expectRefused(
      world,
      { method: "POST", path: "artifact-uploads", body: { files: [{ path: "/etc/passwd" }] } },
      400,
      "InvalidSpec",
    );
  });
});
