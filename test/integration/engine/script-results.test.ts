import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { parseCsv } from "../../../src/io/tabular/index.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";

/** Whole jobs of fixture scripts (test/fixtures/scripts) whose results test the output's rules. */

const scripts = fileURLToPath(new URL("../../fixtures/scripts/", import.meta.url));
const model = fileURLToPath(new URL("../../fixtures/engine/model/", import.meta.url));
let world: EngineWorld;

async function deployScript(
  name: string,
  folder: string,
  script: string,
  settings: Record<string, unknown>,
  env: Record<string, string> = {},
) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-fixture-"));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "results",
      model: { name: "results-model", version: 1, path: model },
      code_configuration: { code: join(scripts, folder), scoring_script: script },
      environment_variables: env,
      settings: { retry_settings: { max_retries: 0, timeout: 30 }, ...settings },
    }),
  );
  return registerDeploymentFile(file, { registry: world.engine.registry, workDir: world.engine.workDir });
}

const tenFiles = (text: string) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${String(i).padStart(2, "0")}.txt`, text]));

beforeAll(async () => {
  world = await engineWorld();
  await world.engine.registry.endpoints.create({ name: "results" });
  await deployScript("result-count", "result-count", "score.mjs", { mini_batch_size: 10 });
  await world.upload("none/", tenFiles("0"));
  await world.upload("triple/", tenFiles("3"));
  await deployScript("strings", "multiline", "score.mjs", {}, { ROWS: "strings" });
  await deployScript("records", "multiline", "score.mjs", {});
  await deployScript("path-errors", "path-errors", "score.mjs", { mini_batch_size: 1 });
  await world.upload("sub/dir/", { "a.txt": "throw", "b.txt": "enoent" });
  await world.upload(
    "multiline/",
    Object.fromEntries(Object.keys(tenFiles("")).map((name, i) => [name, multiline(i)])),
  );
}, 120_000);

/** The text of the i-th multi-line input: line breaks (LF, CRLF, CR), quotes, commas and a backslash. */
function multiline(i: number): string {
  return `line one of ${i}\nline two, with "quotes"\r\nline three\rin C:\\data ${i}\n`;
}

afterAll(async () => {
  await world?.close();
});

async function summaryOf(job: string) {
  return JSON.parse(await world.read(`batchfn-outputs/${job}/job_summary.json`));
}

describe("a job reconciles run() results with its inputs", () => {
  it("fails every item of a mini-batch whose run() returned no results for 10 inputs", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "results",
      deployment: "result-count",
      body: { input: "azureml://datastores/workspaceblobstore/paths/none/" },
    });
    // error_threshold -1 (the default) tolerates any number of failed items
    expect(result.status).toBe("Completed");
    expect(result.progress?.items).toEqual({ total: 10, succeeded: 0, failed: 10 });
    const summary = await summaryOf(spec.name);
    expect(summary.items).toMatchObject({ total: 10, succeeded: 0, failed: 10 });
    expect(summary.rows_written).toBe(0);
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors).toHaveLength(10);
    expect(errors[0]).toMatchObject({ item: "f00.txt", code: "ScriptError" });
    expect(errors[0].message).toContain("returned 0 results for 10 input items");
  });

  it("writes all 30 rows of a run() that returned 3 per input, and counts 10 items", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "results",
      deployment: "result-count",
      body: { input: "azureml://datastores/workspaceblobstore/paths/triple/" },
    });
    expect(result.status).toBe("Completed");
    expect(result.progress?.items).toEqual({ total: 10, succeeded: 10, failed: 0 });
    expect(result.progress?.rows).toBe(30);
    const summary = await summaryOf(spec.name);
    expect(summary.items).toMatchObject({ total: 10, succeeded: 10, failed: 0 });
    expect(summary.rows_written).toBe(30);
    const rows = (await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).trimEnd().split("\n");
    expect(rows).toHaveLength(30);
  });
});

describe("results with line breaks stay one row each", () => {
  const input = "azureml://datastores/workspaceblobstore/paths/multiline/";
  const names = Object.keys(tenFiles(""));

  it("escapes CR and LF in aml rows, strings and record values alike: 10 results, 10 lines", async () => {
    for (const deployment of ["strings", "records"]) {
      const { spec, result } = await world.runJob({ endpoint: "results", deployment, body: { input } });
      expect(result.status).toBe("Completed");
      const text = await world.read(`batchfn-outputs/${spec.name}/predictions.csv`);
      const lines = text.split("\n");
      expect(lines.pop()).toBe("");
      expect(lines).toHaveLength(10);
      const unescapeBreaks = (line: string) => line.replaceAll("\\r", "\r").replaceAll("\\n", "\n");
      const separator = deployment === "strings" ? ": " : " ";
      expect(lines.map(unescapeBreaks)).toEqual(names.map((name, i) => `${name}${separator}${multiline(i)}`));
    }
  });

  it("quotes them in csv (RFC 4180), so a CSV reader reads back every result exactly", async () => {
    const records = await world.runJob({
      endpoint: "results",
      deployment: "records",
      body: { input, output_format: "csv" },
    });
    const recordsCsv = await world.read(`batchfn-outputs/${records.spec.name}/predictions.csv`);
    const table = parseCsv(recordsCsv, "predictions.csv");
    expect(table.rowCount).toBe(10);
    expect(table.columns.map((column) => [column.name, column.values])).toEqual([
      ["file", names],
      ["text", names.map((_, i) => multiline(i))],
    ]);

    const strings = await world.runJob({
      endpoint: "results",
      deployment: "strings",
      body: { input, output_format: "csv" },
    });
    const stringsCsv = await world.read(`batchfn-outputs/${strings.spec.name}/predictions.csv`);
    // string rows are one field each, and have no header: the reader is given one
    const read = parseCsv(`result\n${stringsCsv}`, "predictions.csv");
    expect(read.columns[0]?.values).toEqual(names.map((name, i) => `${name}: ${multiline(i)}`));
  });
});

describe("what invokers see of a failure names items, not host paths", () => {
  it("keeps the scratch, model and app folders out of errors.jsonl and the job log", async () => {
    const { spec, result } = await world.runJob({
      endpoint: "results",
      deployment: "path-errors",
      body: { input: "azureml://datastores/workspaceblobstore/paths/sub/" },
    });
    expect(result.progress?.items).toMatchObject({ total: 2, failed: 2 });
    const errorsText = await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`);
    const errors = errorsText
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors.map((e) => e.item)).toEqual(["dir/a.txt", "dir/b.txt"]);
    expect(errors[0].message).toContain("cannot score dir/a.txt with $AZUREML_MODEL_DIR/weights.bin");
    expect(errors[1].message).toContain("ENOENT: no such file or directory, open 'dir/b.txt.missing'");
    const { records } = await world.engine.jobLog.readJobLog(spec.name);
    expect(records.some((r) => r.source === "script" && r.message === "reading dir/a.txt")).toBe(true);
    const shown = JSON.stringify({ errorsText, records, result });
    for (const hostPath of [world.engine.workDir, tmpdir(), process.cwd()]) {
      expect(shown).not.toContain(hostPath);
    }
  });
});
