import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { registerDeploymentFile } from "../../../src/api/registry/register-from-files.js";
import { createJobLog } from "../../../src/io/log/job-log.js";
import { type EngineWorld, engineWorld } from "../../support/engine-world.js";
import { testPython } from "../../support/python.js";
import { refusal } from "../../support/refusal.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "python");
let world: EngineWorld;
let python: string;

/** Registers a deployment of the `py` endpoint whose code is test/fixtures/python/<folder>. */
async function deploy(
  name: string,
  folder: string,
  more: Record<string, unknown> = {},
  options: { interpreter?: string; conda?: unknown } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), "batchfn-pydeploy-"));
  if (options.conda !== undefined) await writeFile(join(dir, "conda.yaml"), stringify(options.conda));
  const file = join(dir, "deployment.yml");
  await writeFile(
    file,
    stringify({
      name,
      endpoint_name: "pyscore",
      model: { name: "py-model", version: 1, path: join(fixtures, "model") },
      code_configuration: { code: join(fixtures, folder), scoring_script: "score.py" },
      ...more,
    }),
  );
  return registerDeploymentFile(file, {
    registry: world.engine.registry,
    workDir: world.engine.workDir,
    pythonInterpreter: options.interpreter ?? python,
  });
}

async function stored(): Promise<string[]> {
  return (await world.engine.registry.deployments.list("pyscore")).map((record) => record.resource.name);
}

beforeAll(async () => {
  python = testPython();
  world = await engineWorld();
  await world.engine.registry.endpoints.create({ name: "pyscore" });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe("creating a Python deployment", () => {
  it("refuses it on an app without Python, naming the setting and the doc page, and stores nothing", async () => {
    const error = await refusal(
      deploy("no-python", "behaviours", {}, { interpreter: "/nonexistent/python3" }),
    );
    expect(error.code).toBe("PythonUnavailable");
    expect(error.status).toBe(400);
    expect(error.message).toContain("'/nonexistent/python3' (app setting BATCHFN_PYTHON)");
    expect(error.message).toContain("docs/scoring.md#python-scoring-scripts");
    expect(await stored()).not.toContain("no-python");
  });

  it("refuses packages of the environment that do not import, naming each module and the interpreter", async () => {
    const conda = {
      name: "scoring",
      dependencies: [
        "python=3.10",
        "pip",
        "scikit-learn",
        "pandas",
        {
          pip: [
            "mlflow",
            "azureml-core==1.50.0",
            "inference-schema",
            "not-a-package-batchfn",
            "opencv-python",
          ],
        },
      ],
    };
    const error = await refusal(
      deploy("missing-deps", "behaviours", { environment: { conda_file: "conda.yaml" } }, { conda }),
    );
    expect(error.code).toBe("PythonDependencyMissing");
    expect(error.message).toContain(python);
    expect(error.message).toContain("not_a_package_batchfn (package not-a-package-batchfn");
    expect(error.message).toContain("cv2 (package opencv-python");
    expect(error.message).not.toMatch(/mlflow|azureml|inference|sklearn|pandas/);
    expect(error.details.map((d) => d.message)).toEqual([
      `module 'not_a_package_batchfn' (package not-a-package-batchfn) is not importable in ${python}`,
      `module 'cv2' (package opencv-python) is not importable in ${python}`,
    ]);
    expect(await stored()).not.toContain("missing-deps");
  });

  it("refuses a script that fails to import, with its traceback", async () => {
    const error = await refusal(deploy("import-fails", "import-fails"));
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain(`cannot be imported by ${python}`);
    expect(error.message).toContain("ModuleNotFoundError: No module named 'not_a_module_batchfn_test'");
    expect(error.message).toMatch(/File ".*score\.py", line 1/);
    expect(await stored()).not.toContain("import-fails");
  });

  it("refuses a script without run()", async () => {
    const error = await refusal(deploy("no-run", "no-run"));
    expect(error.code).toBe("InvalidScoringScript");
    expect(error.message).toContain("Scoring script 'score.py' does not define run(mini_batch)");
    expect(await stored()).not.toContain("no-run");
  });

  it("accepts installed packages, warns about a different version and an unused image", async () => {
    const conda = { dependencies: ["scikit-learn=0.24.2", { pip: ["pandas"] }] };
    const { record, warnings } = await deploy(
      "versions",
      "behaviours",
      {
        environment: {
          image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04",
          conda_file: "conda.yaml",
        },
      },
      { conda },
    );
    expect(record.resource.name).toBe("versions");
    expect(warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(`^environment\\.conda_file: scikit-learn 0\\.24\\.2 is asked for; ${python} has \\d`),
      ),
    );
    expect(warnings).toContain(
      "environment.image: 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04' is not used; the app's Python interpreter (BATCHFN_PYTHON) runs the script",
    );
    expect(record.resource.accepted_not_used.environment).toMatchObject({ conda_file: conda });
  });
});

describe("a Python deployment's jobs", () => {
  const files = (names: string[], instruction = "ok") =>
    Object.fromEntries(names.map((name) => [name, instruction]));

  it("writes every row exactly once in Azure ML's format when mini-batches fail once and are retried", async () => {
    const markers = await mkdtemp(join(tmpdir(), "batchfn-markers-"));
    await world.upload("flaky/", files(["a.txt", "b.txt", "c.txt", "d.txt"], "fail-once"));
    await deploy("flaky", "behaviours", {
      environment_variables: { MARKER_DIR: markers },
      settings: { mini_batch_size: 2, max_concurrency_per_instance: 2 },
    });
    const { spec, result } = await world.runJob({
      endpoint: "pyscore",
      deployment: "flaky",
      body: { input: "azureml://datastores/workspaceblobstore/paths/flaky/" },
    });
    expect(result.status).toBe("Completed");
    expect(await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe(
      ["a", "b", "c", "d"].map((f) => `${f}.txt m-42 9 0.5\n`).join(""),
    );
    // each file fails its first time: a mini-batch of two succeeds at its third attempt
    expect(await readdir(markers)).toHaveLength(4);
    const jobs = world.clients.blob.getContainerClient(world.config.containers.jobs);
    const { records } = await createJobLog({ jobs }).readJobLog(spec.name);
    const retried = records.filter((r) => r.message.includes("will be retried"));
    expect(retried.map((r) => `${r.miniBatch}/${r.attempt}`).sort()).toEqual(["0/1", "0/2", "1/1", "1/2"]);
    expect(records).toContainEqual(
      expect.objectContaining({
        source: "script",
        message: expect.stringMatching(/^init: model m-42, cwd /),
        level: "info",
        miniBatch: expect.any(Number),
      }),
    );
  });

  it("writes a CSV with a header under output_format: csv", async () => {
    await world.upload("two/", files(["x.txt", "y.txt"]));
    await deploy("csv", "behaviours", { settings: { output_format: "csv" } });
    const { spec, result } = await world.runJob({
      endpoint: "pyscore",
      deployment: "csv",
      body: { input: "azureml://datastores/workspaceblobstore/paths/two/" },
    });
    expect(result.status).toBe("Completed");
    expect(await world.read(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe(
      "file,model,length,score\nx.txt,m-42,2,0.5\ny.txt,m-42,2,0.5\n",
    );
  });

  it("fails the job once error_threshold is exceeded, listing the failed items", async () => {
    await world.upload("bad/", { ...files(["bad-1.txt", "bad-2.txt"], "raise nope"), ...files(["ok.txt"]) });
    await deploy("bad", "behaviours", {
      settings: { mini_batch_size: 1, error_threshold: 1, retry_settings: { max_retries: 0, timeout: 30 } },
    });
    const { spec, result } = await world.runJob({
      endpoint: "pyscore",
      deployment: "bad",
      body: { input: "azureml://datastores/workspaceblobstore/paths/bad/" },
    });
    expect(result.status).toBe("Failed");
    expect(result.message).toContain("error_threshold 1 exceeded: 2 failed items");
    const errors = (await world.read(`batchfn-outputs/${spec.name}/errors.jsonl`))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(errors.map((e) => [e.item, e.code])).toEqual([
      ["bad-1.txt", "ScriptError"],
      ["bad-2.txt", "ScriptError"],
    ]);
    expect(errors[0].message).toContain("ValueError: nope");
  });

  it("uploads the files a summary_only script writes to AZUREML_BI_OUTPUT_PATH as the job's outputs", async () => {
    await world.upload("writes/", { "w1.txt": "write one.txt", "w2.txt": "write two.txt" });
    await deploy("writes", "behaviours", { settings: { output_action: "summary_only" } });
    const { spec, result } = await world.runJob({
      endpoint: "pyscore",
      deployment: "writes",
      body: { input: "azureml://datastores/workspaceblobstore/paths/writes/" },
    });
    expect(result.status).toBe("Completed");
    expect(await world.read(`batchfn-outputs/${spec.name}/one.txt`)).toBe("written for w1.txt (None)\n");
    expect(await world.read(`batchfn-outputs/${spec.name}/two.txt`)).toBe("written for w2.txt (None)\n");
    expect(await world.exists(`batchfn-outputs/${spec.name}/predictions.csv`)).toBe(false);
  });
});
