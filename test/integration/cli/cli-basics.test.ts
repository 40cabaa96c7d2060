import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { resolveCredentials } from "../../../src/cli/api/credentials.js";
import { cacheDir, openUploadCache } from "../../../src/cli/upload/upload-cache.js";
import { loadConfig } from "../../../src/config.js";
import { contentHash, manifestOf } from "../../../src/registry/artifact-manifest.js";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, putTaxiData, startCliWorld, tsvValue } from "./cli-fixture.js";

/** Output formats, --query, --set, usage errors, credentials, and how failures are shown. */

let world: CliWorld;
let dataContainer: string;

beforeAll(async () => {
  world = await startCliWorld();
  dataContainer = loadConfig(world.app.env).containers.data;
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

describe("output formats and --query", { timeout: 60_000 }, () => {
  it("prints JSON by default and the same resource as YAML with -o yaml", async () => {
    const json = jsonOf(await world.cli(["datastore", "show", "--name", "workspaceblobstore"]));
    expect(json).toMatchObject({ name: "workspaceblobstore", container_name: dataContainer });
    const yaml = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "-o", "yaml"]),
      0,
    );
    expect(parseYaml(yaml.stdout)).toEqual(json);
  });

  it("prints tab-separated scalar fields with -o tsv, one line per element of a list", async () => {
    const row = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "-o", "tsv"]),
      0,
    ).stdout;
    expect(row.endsWith("\n")).toBe(true);
    expect(row.trimEnd().split("\t")).toEqual(
      expect.arrayContaining(["workspaceblobstore", dataContainer, "azure_blob"]),
    );
    expect(row).not.toContain("{");
    const names = tsvValue(await world.cli(["datastore", "list", "--query", "[].name", "-o", "tsv"]));
    expect(names).toBe("workspaceartifactstore\nworkspaceblobstore");
  });

  it("prints a table with titled columns and a line of dashes with -o table", async () => {
    const table = expectExit(await world.cli(["datastore", "list", "-o", "table"]), 0)
      .stdout.trimEnd()
      .split("\n");
    expect(table[0]).toMatch(/^Name\s+Type\s+ContainerName/);
    expect(table[1]).toMatch(/^-+ +-+ +-+/);
    expect(table.slice(2).map((line) => line.split(/\s+/)[0])).toEqual([
      "workspaceartifactstore",
      "workspaceblobstore",
    ]);
  });

  it("applies JMESPath: a projection with a filter, and a query matching nothing prints nothing", async () => {
    const container = tsvValue(
      await world.cli([
        "datastore",
        "list",
        "--query",
        "[?name=='workspaceblobstore'].container_name | [0]",
        "-o",
        "tsv",
      ]),
    );
    expect(container).toBe(dataContainer);
    const shaped = jsonOf(
      await world.cli([
        "datastore",
        "show",
        "-n",
        "workspaceblobstore",
        "--query",
        "{store: name, container: container_name}",
      ]),
    );
    expect(shaped).toEqual({ store: "workspaceblobstore", container: dataContainer });
    const nothing = expectExit(
      await world.cli(["datastore", "show", "-n", "workspaceblobstore", "--query", "missing"]),
      0,
    );
    expect(nothing.stdout).toBe("");
  });
});

describe("--set", { timeout: 120_000 }, () => {
  it("sets dotted keys, repeatable and several per flag, values read as JSON when they are JSON", async () => {
    const created = jsonOf(
      await world.cli([
        "batch-endpoint",
        "create",
        "--name",
        "set-test",
        "--set",
        "description=tips of taxi trips",
        "--set",
        "tags.team=risk",
        'tags.cost="5"',
        "auth_mode=key",
      ]),
    );
    expect(created).toMatchObject({
      name: "set-test",
      description: "tips of taxi trips",
      tags: { team: "risk", cost: "5" },
      auth_mode: "key",
    });
    const refused = await world.cli([
      "batch-endpoint",
      "create",
      "--name",
      "set-test-2",
      "--set",
      "tags.cost=5",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERROR: (InvalidSpec)");
    expect(refused.stderr).toContain("tags.cost");
  });

  it("updates a deployment as it is: only the fields set change", async () => {
    expectExit(
      await world.cli([
        "batch-deployment",
        "create",
        "-f",
        examplePath("taxi-tip", "deployment.yml"),
        "--endpoint-name",
        "set-test",
        "--name",
        "dep",
      ]),
      0,
    );
    const updated = jsonOf(
      await world.cli([
        "batch-deployment",
        "update",
        "--name",
        "dep",
        "--endpoint-name",
        "set-test",
        "--set",
        "settings.mini_batch_size=7",
        "settings.retry_settings.timeout=45",
        "tags.stage=canary",
      ]),
    );
    expect(updated).toMatchObject({
      settings: {
        mini_batch_size: 7,
        max_concurrency_per_instance: 2,
        retry_settings: { max_retries: 3, timeout: 45 },
      },
      tags: { example: "taxi-tip", stage: "canary" },
      model: { name: "taxi-tip-model", version: "1" },
    });
  });

  it("refuses malformed --set values as usage errors (exit 2), naming the flag", async () => {
    const cases = [
      ["batch-endpoint", "create", "--name", "x-set", "--set", "novalue"],
      ["batch-endpoint", "create", "--name", "x-set", "--set", "a..b=1"],
      ["batch-endpoint", "create", "--name", "x-set", "--set", "description=a", "description.more=1"],
    ];
    const results = await Promise.all(cases.map((args) => world.cli(args)));
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --set '/m);
      expect(result.stderr).toContain("Run 'batchfn batch-endpoint create --help' to see every flag.");
    }
    expect(results[2]?.stderr).toContain("'description' is a value, not a mapping");
  });
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

describe("usage errors: exit code 2 and a hint", { timeout: 60_000 }, () => {
  it("names an unknown flag with a suggestion, before complaining about a missing required one", async () => {
    const result = await world.cli(["batch-endpoint", "show", "--nme", "taxi"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown option '--nme'");
    expect(result.stderr).toContain("(Did you mean --name?)");
    expect(result.stderr).toContain("Run 'batchfn batch-endpoint show --help' to see every flag.");
    expect(result.stdout).toBe("");
  });

  it("refuses missing required flags, unknown commands and invalid values", async () => {
    const cases: Array<[string[], string]> = [
      [["batch-endpoint", "show"], "error: required option '-n, --name <endpoint>' not specified"],
      [["endpoint", "show", "--name", "x"], "error: required option '-t, --type <type>' not specified"],
      [["endpoint", "show", "--name", "x", "--type", "online"], "Allowed choices are batch."],
      [["batch-endpoit", "list"], "(Did you mean batch-endpoint?)"],
      [
        ["batch-endpoint", "invoke", "-n", "x", "--input", "y", "-m", "0"],
        "'-m, --mini-batch-size <n>' argument '0' is invalid",
      ],
      [["job", "list", "-o", "xml"], "Allowed choices are json, tsv, table, yaml."],
      [["job", "show", "-n", "x", "--query", "[["], "error: --query is not a valid JMESPath expression"],
      [["job", "download", "-n", "x", "--output-name", "other"], "a batch job has one named output, 'score'"],
      [["endpoint", "invoke", "-n", "x", "--type", "batch"], "error: give one input: --input-data"],
      [
        [
          "endpoint",
          "invoke",
          "-n",
          "x",
          "--type",
          "batch",
          "--input-data",
          "d:1",
          "--input-local-path",
          ".",
        ],
        "(got --input-data and --input-local-path)",
      ],
      [["batch-endpoint", "list", "extra"], "error: too many arguments"],
    ];
    const results = await Promise.all(cases.map(([args]) => world.cli(args)));
    results.forEach((result, index) => {
      const [args, message] = cases[index] ?? [[], ""];
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
      expect(result.stderr, args.join(" ")).toMatch(/Run 'batchfn .*--help'/);
    });
  });

  it("lists every command and its flags in --help, and each command's flags in its own help", async () => {
    const help = expectExit(await world.cli(["--help"]), 0).stdout;
    const commands = [
      "batch-endpoint create",
      "batch-endpoint show",
      "batch-endpoint list",
      "batch-endpoint update",
      "batch-endpoint delete",
      "batch-endpoint invoke",
      "batch-endpoint list-jobs",
      "batch-deployment create",
      "batch-deployment show",
      "batch-deployment list",
      "batch-deployment update",
      "batch-deployment delete",
      "job show",
      "job list",
      "job stream",
      "job cancel",
      "job download",
      "model create",
      "model show",
      "model list",
      "data create",
      "data show",
      "data list",
      "datastore create",
      "datastore show",
      "datastore list",
      "endpoint create",
      "endpoint show",
      "endpoint update",
      "endpoint delete",
      "endpoint invoke",
    ];
    for (const command of commands) expect(help).toMatch(new RegExp(`^  ${command}( |$)`, "m"));
    expect(help).toMatch(
      /^ {2}batch-endpoint invoke --name\/-n <endpoint> --input <input> \[--input-type <type>\]/m,
    );
    expect(help).toContain("[--set-default]");
    expect(help).toContain("--input-local-path <path>");
    expect(help).toMatch(/-o, --output <format>/);
    const invokeHelp = expectExit(await world.cli(["endpoint", "invoke", "--help"]), 0).stdout;
    for (const flag of [
      "--input-data",
      "--input-datastore",
      "--input-path",
      "--input-local-path",
      "--output-datastore",
      "--output-path",
      "--mini-batch-size",
      "--instance-count",
      "--set",
    ]) {
      expect(invokeHelp).toContain(flag);
    }
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
    const listed = await world.cli(["datastore", "list", "--query", "length(@)", "-o", "tsv"], {
      cwd: nested,
      env: { BATCHFN_KEY: undefined },
    });
    expect(tsvValue(listed)).toBe("2");
    const local = await resolveCredentials({ env: {}, cwd: nested }, world.app.url);
    expect(local.headers).toEqual({ "x-functions-key": world.key });
    const remote = await resolveCredentials({ env: {}, cwd: nested }, "https://batchfn.example.net");
    expect(remote.headers).toEqual({});
  });

  it("sends the output of BATCHFN_TOKEN_COMMAND as a bearer credential, and nothing without credentials", async () => {
    const bare = await mkdtemp(join(tmpdir(), "batchfn-bare-"));
    const viaCommand = await world.cli(
      ["datastore", "list", "--query", "length(@)", "-o", "tsv", "--debug"],
      {
        cwd: bare,
        env: { BATCHFN_KEY: undefined, BATCHFN_TOKEN_COMMAND: `echo ${world.key}` },
      },
    );
    expect(tsvValue(viaCommand)).toBe("2");
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
});
