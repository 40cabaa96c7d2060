import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { testPython } from "../../support/python.js";
import { type CliWorld, expectExit, jsonOf, startCliWorld, tsvValue } from "./cli-fixture.js";

/**
 * An Azure ML scoring script, unchanged (init loads a pickled scikit-learn model from
 * AZUREML_MODEL_DIR, run returns a DataFrame), through the real local host and the real CLI:
 * batch-deployment create, batch-endpoint invoke, job stream, job download.
 */

const fixture = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "fixtures",
  "python",
  "azureml-iris",
);
let world: CliWorld;
let work: string;
let python: string;

async function runtimes(app: CliWorld): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${app.app.url}/api/runtimes`, { headers: { "x-functions-key": app.key } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { runtimes: Array<Record<string, unknown>> };
  return body.runtimes;
}

beforeAll(async () => {
  python = testPython();
  work = await mkdtemp(join(tmpdir(), "batchfn-aml-python-"));
  const trained = spawnSync(python, [join(fixture, "train.py"), join(work, "model"), join(work, "data")], {
    encoding: "utf8",
  });
  if (trained.status !== 0) throw new Error(`train.py failed: ${trained.stderr}`);
  await cp(join(fixture, "code"), join(work, "code"), { recursive: true });
  await cp(join(fixture, "conda.yaml"), join(work, "conda.yaml"));
  await writeFile(join(work, "endpoint.yml"), stringify({ name: "iris-py", auth_mode: "key" }));
  await writeFile(
    join(work, "deployment.yml"),
    stringify({
      name: "iris-sklearn",
      endpoint_name: "iris-py",
      model: { name: "iris-sklearn", version: 1, path: "./model" },
      code_configuration: { code: "./code", scoring_script: "score.py" },
      environment: {
        name: "iris-env",
        image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest",
        conda_file: "./conda.yaml",
      },
      resources: { instance_count: 1 },
      settings: { mini_batch_size: 2, max_concurrency_per_instance: 2, output_file_name: "predictions.csv" },
    }),
  );
  world = await startCliWorld();
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

describe("an Azure ML Python scoring script through the CLI and the local host", { timeout: 240_000 }, () => {
  it("says the app has Python, naming its interpreter", async () => {
    const python = (await runtimes(world)).find((runtime) => runtime.name === "python");
    expect(python).toMatchObject({
      available: true,
      interpreter: testPython(),
      version: expect.stringMatching(/^3\./),
    });
  });

  it("creates the deployment, scores the files and downloads Azure ML's rows", async () => {
    expectExit(await world.cli(["batch-endpoint", "create", "--file", join(work, "endpoint.yml")]), 0);
    const created = await world.cli([
      "batch-deployment",
      "create",
      "--file",
      join(work, "deployment.yml"),
      "--set-default",
    ]);
    expect(jsonOf(created)).toMatchObject({
      name: "iris-sklearn",
      code_configuration: { scoring_script: "score.py" },
    });
    expect(created.stderr).toContain("environment.image");
    const job = tsvValue(
      await world.cli([
        "batch-endpoint",
        "invoke",
        "--name",
        "iris-py",
        "--input",
        join(work, "data"),
        "--query",
        "name",
        "-o",
        "tsv",
      ]),
    );
    expectExit(await world.cli(["job", "stream", "--name", job]), 0);
    expect(tsvValue(await world.cli(["job", "show", "--name", job, "--query", "status", "-o", "tsv"]))).toBe(
      "Completed",
    );
    const dir = join(work, "download");
    expectExit(
      await world.cli(["job", "download", "--name", job, "--output-name", "score", "--download-path", dir]),
      0,
    );
    const rows = await readFile(join(dir, "named-outputs", "score", "predictions.csv"), "utf8");
    expect(rows).toBe(await readFile(join(work, "expected.txt"), "utf8"));
  });

  it("refuses a .py deployment early on an app without Python, storing nothing", async () => {
    const bare = await startCliWorld({ BATCHFN_PYTHON: "/nonexistent/python3" });
    try {
      const python = (await runtimes(bare)).find((runtime) => runtime.name === "python");
      expect(python).toMatchObject({
        available: false,
        interpreter: "/nonexistent/python3",
        setting: "BATCHFN_PYTHON",
      });
      expectExit(await bare.cli(["batch-endpoint", "create", "--file", join(work, "endpoint.yml")]), 0);
      const refused = await bare.cli(["batch-deployment", "create", "--file", join(work, "deployment.yml")]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("PythonUnavailable");
      expect(refused.stderr).toContain("BATCHFN_PYTHON");
      expect(refused.stderr).toContain("docs/scoring.md#python-scoring-scripts");
      expect(refused.stderr).not.toMatch(/Uploaded/);
      const listed = jsonOf<unknown[]>(
        await bare.cli(["batch-deployment", "list", "--endpoint-name", "iris-py"]),
      );
      expect(listed).toEqual([]);
    } finally {
      await bare.app.stop();
    }
  });
});
