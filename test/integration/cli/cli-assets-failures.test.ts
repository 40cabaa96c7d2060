import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveCredentials } from "../../../src/cli/api/credentials.js";
import { cacheDir, openUploadCache } from "../../../src/cli/upload/upload-cache.js";
import { contentHash, manifestOf } from "../../../src/spec/artifact-manifest.js";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, putTaxiData, startCliWorld, tsvValue } from "./cli-fixture.js";

/** Models, data and datastores, the upload cache, how failures are shown, and credentials. */

let world: CliWorld;

beforeAll(async () => {
  world = await startCliWorld();
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

describe("assets and uploads", { timeout: 120_000 }, () => {
  it("registers a model from a local folder and a datastore from flags, and shows and lists them", async () => {
    const model = jsonOf(
      await world.cli([
        "model",
        "create",
        "--name",
        "tips",
        "--version",
        "2",
        "--type",
        "mlflow_model",
        "--path",
        examplePath("taxi-tip", "model"),
      ]),
    );
    expect(model).toMatchObject({ name: "tips", version: "2", type: "mlflow_model" });
    expect(String(model.path)).toMatch(
      /^azureml:\/\/datastores\/workspaceartifactstore\/paths\/sha256\/[0-9a-f]{64}\/$/,
    );
    expect(
      tsvValue(
        await world.cli(["model", "show", "-n", "tips", "-l", "latest", "--query", "path", "-o", "tsv"]),
      ),
    ).toBe(model.path);
    expect(
      tsvValue(await world.cli(["model", "list", "--name", "tips", "--query", "[].version", "-o", "tsv"])),
    ).toBe("2");
    const store = jsonOf(
      await world.cli(["datastore", "create", "--name", "extra", "--set", "container_name=extra-data"]),
    );
    expect(store).toMatchObject({ name: "extra", container_name: "extra-data" });
    expect(
      tsvValue(
        await world.cli(["datastore", "show", "-n", "extra", "--query", "container_name", "-o", "tsv"]),
      ),
    ).toBe("extra-data");
  });

  it("uploads again when the server does not hold a folder the upload cache says it holds", async () => {
    const folder = await mkdtemp(join(tmpdir(), "batchfn-model-"));
    await cp(examplePath("taxi-tip", "model"), folder, { recursive: true });
    await writeFile(join(folder, "NOTES.txt"), `copied for ${folder}\n`);
    const files = await Promise.all(
      (await readdir(folder)).map(async (name) => {
        const content = await readFile(join(folder, name));
        return { path: name, sha256: contentHash(content), size: content.length };
      }),
    );
    const { hash } = manifestOf(files);
    const store = jsonOf(await world.cli(["datastore", "show", "-n", "workspaceartifactstore"]));
    const cache = await openUploadCache({
      dir: cacheDir({ BATCHFN_CACHE_DIR: world.cacheDir }),
      server: world.app.url,
      fingerprint: `${String(store.container_name)}@${String(store.created_at)}`,
    });
    await cache.add(hash);
    const file = join(folder, "..", `${hash.slice(0, 8)}-deployment.yml`);
    await writeFile(
      file,
      stringify({
        name: "stale",
        endpoint_name: "stale-ep",
        model: { name: "stale-model", version: 1, type: "mlflow_model", path: folder },
      }),
    );
    expectExit(await world.cli(["batch-endpoint", "create", "--name", "stale-ep"]), 0);
    const created = await world.cli(["batch-deployment", "create", "--file", file]);
    expectExit(created, 0);
    expect(created.stderr).toContain(`is unchanged (sha256 ${hash.slice(0, 12)}…): not uploaded again`);
    expect(created.stderr).toContain(
      "The server does not hold an artifact this machine uploaded before; uploading it again.",
    );
    expect(created.stderr).toContain(`Uploaded model '${folder}' (5 files`);
    const model = jsonOf(await world.cli(["model", "show", "-n", "stale-model", "-v", "1"]));
    expect(model.path).toBe(`azureml://datastores/workspaceartifactstore/paths/sha256/${hash}/`);
  });
});

describe("failures are shown, never a bare exit code", { timeout: 120_000 }, () => {
  it("reports a server error with its code and message, and an unreachable server", async () => {
    const missing = await world.cli(["batch-endpoint", "show", "--name", "nowhere"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("ERROR: (NotFound) Batch endpoint 'nowhere' was not found.\n");
    const down = await world.cli(["batch-endpoint", "list", "--url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("ERROR: (ServerUnreachable) Cannot reach batchfn at http://127.0.0.1:9");
  });

  it("streams a failed job to exit code 1 and shows its first errors with their file names", async () => {
    expectExit(await world.cli(["batch-endpoint", "create", "--name", "fails"]), 0);
    expectExit(
      await world.cli([
        "batch-deployment",
        "create",
        "-f",
        examplePath("taxi-tip", "deployment.yml"),
        "-e",
        "fails",
      ]),
      0,
    );
    await putTaxiData(world.data, "broken/", ["taxi-tip-01.csv"]);
    const text = "fareAmount,paymentType\n1.5,1\n";
    await world.data.getBlockBlobClient("broken/no-columns.csv").upload(text, text.length);
    const job = tsvValue(
      await world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "fails",
        "--input",
        "azureml://datastores/workspaceblobstore/paths/broken/",
        "--set",
        "error_threshold=0",
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    const streamed = await world.cli(["job", "stream", "--name", job]);
    expect(streamed.code).toBe(1);
    expect(streamed.stdout).toMatch(/WARNING \[mini-batch 0, attempt 1\] script: .*no-columns\.csv/);
    expect(streamed.stderr).toContain(`Job ${job} Failed`);
    expect(streamed.stderr).toMatch(
      /first errors:\n\s+no-columns\.csv \(mini-batch \d+, attempt \d+\): \w+: /,
    );

    const shown = await world.cli(["job", "show", "--name", job]);
    expectExit(shown, 0);
    const view = JSON.parse(shown.stdout) as { status: string; errors: Array<{ item: string }> };
    expect(view.status).toBe("Failed");
    expect(view.errors.map((error) => error.item)).toContain("no-columns.csv");
    expect(shown.stderr).toMatch(/^Job \S+ Failed: error_threshold 0 exceeded/);
    expect(shown.stderr).toMatch(
      /first errors:\n\s+no-columns\.csv \(mini-batch 0, attempt 1\): MissingColumn: /,
    );
    expect(
      tsvValue(
        await world.cli(["job", "show", "-n", job, "--query", "status", "-o", "tsv", "--only-show-errors"]),
      ),
    ).toBe("Failed");
  });
});

describe("credentials", { timeout: 60_000 }, () => {
  it("finds the local host's admin key in .batchfn/local.json of a parent folder, for a local server only", async () => {
    const root = await mkdtemp(join(tmpdir(), "batchfn-local-"));
    await mkdir(join(root, ".batchfn"));
    await writeFile(join(root, ".batchfn", "local.json"), JSON.stringify({ adminKey: world.key }));
    const nested = join(root, "project", "scripts");
    await mkdir(nested, { recursive: true });
    const listed = await world.cli(
      ["datastore", "show", "-n", "workspaceblobstore", "--query", "name", "-o", "tsv"],
      {
        cwd: nested,
        env: { BATCHFN_KEY: undefined },
      },
    );
    expect(tsvValue(listed)).toBe("workspaceblobstore");
    const local = await resolveCredentials({ env: {}, cwd: nested }, world.app.url);
    expect(local.headers).toEqual({ "x-functions-key": world.key });
    const remote = await resolveCredentials({ env: {}, cwd: nested }, "https://batchfn.example.net");
    expect(remote.headers).toEqual({});
  });

  it("sends the output of BATCHFN_TOKEN_COMMAND as a bearer credential, and nothing without credentials", async () => {
    const bare = await mkdtemp(join(tmpdir(), "batchfn-bare-"));
    const viaCommand = await world.cli(
      ["datastore", "show", "-n", "workspaceblobstore", "--query", "name", "-o", "tsv", "--debug"],
      {
        cwd: bare,
        env: { BATCHFN_KEY: undefined, BATCHFN_TOKEN_COMMAND: `echo ${world.key}` },
      },
    );
    expect(tsvValue(viaCommand)).toBe("workspaceblobstore");
    expect(viaCommand.stderr).toContain("DEBUG: credentials: BATCHFN_TOKEN_COMMAND");
    const token = await resolveCredentials(
      { env: { BATCHFN_TOKEN: "abc.def.ghi" }, cwd: bare },
      world.app.url,
    );
    expect(token.headers).toEqual({ authorization: "Bearer abc.def.ghi" });
    const none = await world.cli(["datastore", "list"], { cwd: bare, env: { BATCHFN_KEY: undefined } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^ERROR: \(\w+\) /);
  });

  it("shows an auth_mode key endpoint's keys once, regenerates one, and lets its keys invoke but not manage", async () => {
    const created = await world.cli([
      "batch-endpoint",
      "create",
      "--name",
      "keyed",
      "--set",
      "auth_mode=key",
    ]);
    const keys = jsonOf<{ keys: { primaryKey: string; secondaryKey: string } }>(created).keys;
    expect(keys.primaryKey).not.toBe(keys.secondaryKey);
    const credentials = jsonOf(await world.cli(["batch-endpoint", "get-credentials", "--name", "keyed"]));
    expect(credentials.auth_mode).toBe("key");
    expect(JSON.stringify(credentials)).not.toContain(keys.primaryKey);
    const regenerated = await world.cli([
      "batch-endpoint",
      "regenerate-keys",
      "--name",
      "keyed",
      "--key-type",
      "secondary",
      "--query",
      "secondaryKey",
      "-o",
      "tsv",
    ]);
    const secondary = tsvValue(regenerated);
    expect(secondary).not.toBe(keys.secondaryKey);
    expect(regenerated.stderr).toContain("The new keys are shown this once");
    for (const key of [keys.primaryKey, secondary]) {
      expect(
        tsvValue(
          await world.cli(["batch-endpoint", "list-jobs", "-n", "keyed", "-o", "tsv"], {
            env: { BATCHFN_KEY: key },
          }),
        ),
      ).toBe("");
    }
    const old = await world.cli(["batch-endpoint", "list-jobs", "-n", "keyed"], {
      env: { BATCHFN_KEY: keys.secondaryKey },
    });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("ERROR: (Unauthenticated)");
    expect(old.stderr).toContain("Hint: set BATCHFN_KEY");
    const manage = await world.cli(["batch-endpoint", "show", "-n", "keyed"], {
      env: { BATCHFN_KEY: keys.primaryKey },
    });
    expect(manage.code).toBe(1);
    expect(manage.stderr).toContain("ERROR: (Forbidden)");
    expect(manage.stderr).toContain("Hint: this credential cannot do that");
  });
});
