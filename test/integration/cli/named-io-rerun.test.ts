import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type CliWorld, expectExit, jsonOf, startCliWorld, tsvValue } from "./cli-fixture.js";

/**
 * Named inputs and outputs from the command line, as `az ml batch-endpoint invoke` takes them
 * (`--file inputs.yml`, `--set inputs.<name>...`, `--inputs`), and `job download --output-name`.
 */

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");
const ITEMS = ["a.txt", "b.txt", "c.txt"];
let world: CliWorld;
let work: string;

beforeAll(async () => {
  world = await startCliWorld();
  work = await mkdtemp(join(tmpdir(), "batchfn-named-cli-"));
  await mkdir(join(work, "job", "items"), { recursive: true });
  for (const name of ITEMS) await writeFile(join(work, "job", "items", name), `item ${name}`);
  await writeFile(join(work, "job", "zones.csv"), "east,west\n");
  await writeFile(
    join(work, "deployment.yml"),
    stringify({
      name: "named-js",
      endpoint_name: "named",
      model: { name: "named-model", version: 1, path: join(fixtures, "engine", "model") },
      code_configuration: { code: join(fixtures, "engine", "named-io"), scoring_script: "score.mjs" },
      inputs: { zones: { type: "uri_file" }, threshold: { type: "number", default: 1 } },
      outputs: { reports: { type: "uri_folder" } },
      settings: { output_format: "csv" },
    }),
  );
  expectExit(await world.cli(["batch-endpoint", "create", "--name", "named"]), 0);
  expectExit(await world.cli(["batch-deployment", "create", "--file", join(work, "deployment.yml")]), 0);
}, 180_000);

afterAll(async () => {
  await world?.app.stop();
});

async function invoke(args: string[], cwd?: string): Promise<string> {
  const job = tsvValue(
    await world.cli(
      ["batch-endpoint", "invoke", "--name", "named", ...args, "--query", "name", "-o", "tsv"],
      {
        cwd,
      },
    ),
  );
  expectExit(await world.cli(["job", "stream", "--name", job]), 0);
  return job;
}

async function download(job: string, output: string): Promise<Record<string, string>> {
  const dir = join(work, "downloads", job);
  expectExit(await world.cli(["job", "download", "-n", job, "--output-name", output, "-p", dir]), 0);
  const folder = join(dir, "named-outputs", output);
  const files: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) files[name] = await readFile(join(folder, name), "utf8");
  return files;
}

describe("named inputs and outputs on the command line", { timeout: 180_000 }, () => {
  it("invokes with --file inputs.yml (local paths from the file's folder), and downloads a named output", async () => {
    await writeFile(
      join(work, "job", "inputs.yml"),
      stringify({
        inputs: {
          items: { type: "uri_folder", path: "./items" },
          zones: { type: "uri_file", path: "zones.csv" },
          threshold: { type: "number", default: 2.5 },
        },
        outputs: { reports: { type: "uri_folder" } },
      }),
    );
    const job = await invoke(["--file", join(work, "job", "inputs.yml")], work);
    const shown = jsonOf<{ input_name: string; inputs: Record<string, unknown> }>(
      await world.cli(["job", "show", "-n", job]),
    );
    expect(shown.input_name).toBe("items");
    expect(shown.inputs.threshold).toEqual({ type: "number", value: 2.5 });
    const score = await download(job, "score");
    expect(score["predictions.csv"]?.trim().split("\n")).toEqual([
      "file,zones,threshold,threshold_type,env",
      ...ITEMS.map((name) => `${name},"east,west",2.5,number,2.5`),
    ]);
    expect(await download(job, "reports")).toEqual(
      Object.fromEntries(ITEMS.map((name) => [`${name}.report`, `report of ${name}\n`])),
    );
  });

  it("invokes with --set inputs.<name>.type/path/default and --inputs, the default literal filling in", async () => {
    const job = await invoke([
      "--input",
      join(work, "job", "items"),
      "--set",
      "inputs.zones.type=uri_file",
      `inputs.zones.path=${join(work, "job", "zones.csv")}`,
      "--outputs",
      '{"reports": {"type": "uri_folder", "path": "named-cli/reports-2"}}',
    ]);
    const score = await download(job, "score");
    expect(score["predictions.csv"]?.trim().split("\n").slice(1)).toEqual(
      ITEMS.map((name) => `${name},"east,west",1,number,1`),
    );
    expect(Object.keys(await download(job, "reports"))).toEqual(ITEMS.map((name) => `${name}.report`));
    expect(
      jsonOf<{ named_outputs: Record<string, string> }>(await world.cli(["job", "show", "-n", job]))
        .named_outputs,
    ).toEqual({ reports: "azureml://datastores/workspaceblobstore/paths/named-cli/reports-2/" });
  });

  it("refuses a literal of the wrong type and an unknown input name, starting nothing", async () => {
    const before = jsonOf<unknown[]>(await world.cli(["job", "list", "-e", "named"])).length;
    const wrong = await world.cli([
      "batch-endpoint",
      "invoke",
      "-n",
      "named",
      "--input",
      join(work, "job", "items"),
      "--inputs",
      `{"zones": {"type": "uri_file", "path": "${join(work, "job", "zones.csv")}"}, "threshold": {"type": "number", "default": "high"}}`,
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("InvalidLiteral");
    expect(wrong.stderr).toContain("inputs.threshold");
    const unknown = await world.cli([
      "batch-endpoint",
      "invoke",
      "-n",
      "named",
      "--input",
      join(work, "job", "items"),
      "--set",
      "inputs.colour.type=string",
      "inputs.colour.default=red",
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("UnknownInput");
    expect(jsonOf<unknown[]>(await world.cli(["job", "list", "-e", "named"])).length).toBe(before);
  });
});

describe("job rerun --failed-only", { timeout: 240_000 }, () => {
  it("re-runs the failed items after the poison is removed; the two outputs hold every item once", async () => {
    const items = ["p0.txt", "p1.txt", "p2.txt", "p3.txt", "p4.txt"];
    const put = (name: string, text: string) =>
      world.data.getBlockBlobClient(`cli-poison/${name}`).upload(text, text.length);
    for (const name of items) await put(name, name === "p3.txt" ? "POISON" : `good ${name}`);
    await writeFile(
      join(work, "poison.yml"),
      stringify({
        name: "poison",
        endpoint_name: "named",
        model: { name: "named-model", version: 1, path: join(fixtures, "engine", "model") },
        code_configuration: { code: join(fixtures, "engine", "poison"), scoring_script: "score.mjs" },
        settings: { mini_batch_size: 2, retry_settings: { max_retries: 0 } },
      }),
    );
    expectExit(await world.cli(["batch-deployment", "create", "--file", join(work, "poison.yml")]), 0);
    const job = tsvValue(
      await world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "named",
        "-d",
        "poison",
        "--input",
        "azureml://datastores/workspaceblobstore/paths/cli-poison/",
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expectExit(await world.cli(["job", "stream", "--name", job]), 0);
    await put("p3.txt", "good p3.txt");
    const again = tsvValue(
      await world.cli(["job", "rerun", "--name", job, "--failed-only", "--query", "name", "-o", "tsv"]),
    );
    expectExit(await world.cli(["job", "stream", "--name", again]), 0);
    const first = (await download(job, "score"))["predictions.csv"] ?? "";
    const second = (await download(again, "score"))["predictions.csv"] ?? "";
    const lines = (text: string) => text.split("\n").filter((line) => line !== "");
    expect(lines(second).sort()).toEqual(["p2.txt good p2.txt", "p3.txt good p3.txt"]);
    expect([...lines(first), ...lines(second)].sort()).toEqual(items.map((name) => `${name} good ${name}`));
    const shown = jsonOf<{ rerun_of: string }>(await world.cli(["job", "show", "-n", again]));
    expect(shown.rerun_of).toBe(job);
    const none = await world.cli(["job", "rerun", "--name", again, "--failed-only"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("NoFailedItems");
  });
});
