import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplePath } from "../examples/example-files.js";
import { type CliWorld, expectExit, jsonOf, putTaxiData, startCliWorld, tsvValue } from "./cli-fixture.js";

/**
 * `compute create|show|list|delete`, and the bound a registered compute puts on the deployments and
 * jobs that name it (`compute: azureml:cpu-cluster`), as Azure ML refuses them above the cluster's
 * `max_instances`.
 */

let world: CliWorld;

beforeAll(async () => {
  world = await startCliWorld();
}, 120_000);

afterAll(async () => {
  await world?.app.stop();
});

describe("compute targets", { timeout: 300_000 }, () => {
  it("runs the seed article's first command unchanged, and shows what it does not use", async () => {
    const created = await world.cli([
      "compute",
      "create",
      "--name",
      "cpu-cluster",
      "--type",
      "amlcompute",
      "--min-instances",
      "0",
      "--max-instances",
      "2",
    ]);
    expect(jsonOf(created)).toMatchObject({
      name: "cpu-cluster",
      type: "amlcompute",
      min_instances: 0,
      max_instances: 2,
      provisioning_state: "Succeeded",
      not_used: { min_instances: expect.stringContaining("scales itself") },
    });
    expect(created.stderr).toContain("WARNING: min_instances: accepted, not used");
    expect(
      tsvValue(
        await world.cli(["compute", "show", "-n", "cpu-cluster", "--query", "max_instances", "-o", "tsv"]),
      ),
    ).toBe("2");
    const quiet = await world.cli([
      "compute",
      "create",
      "-n",
      "batch-cluster",
      "--type",
      "AmlCompute",
      "--min-instances",
      "0",
      "--max-instances",
      "5",
      "--no-wait",
    ]);
    expect(expectExit(quiet, 0).stdout).toBe("");
    expect(
      tsvValue(await world.cli(["compute", "list", "--query", "[].name", "-o", "tsv"])).split("\n"),
    ).toEqual(["batch-cluster", "cpu-cluster"]);
  });

  it("reads an AmlCompute YAML file, keeping size, idle time and tier as written and not used", async () => {
    const dir = await mkdtemp(join(tmpdir(), "batchfn-compute-"));
    const file = join(dir, "cluster.yml");
    await writeFile(
      file,
      [
        "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json",
        "name: gpu-cluster",
        "type: amlcompute",
        "size: Standard_NC6s_v3",
        "min_instances: 0",
        "max_instances: 3",
        "idle_time_before_scale_down: 120",
        "tier: low_priority",
        "",
      ].join("\n"),
    );
    const shown = jsonOf(await world.cli(["compute", "create", "--file", file]));
    expect(shown).toMatchObject({
      name: "gpu-cluster",
      size: "Standard_NC6s_v3",
      idle_time_before_scale_down: 120,
      tier: "low_priority",
      max_instances: 3,
    });
    expect(Object.keys(shown.not_used as object).sort()).toEqual([
      "idle_time_before_scale_down",
      "min_instances",
      "size",
      "tier",
    ]);
  });

  it("refuses other compute types and min_instances above max_instances, naming the field", async () => {
    const instance = await world.cli(["compute", "create", "-n", "my-ci", "--type", "computeinstance"]);
    expect(instance.code).toBe(1);
    expect(instance.stderr).toContain("ERROR: (InvalidSpec)");
    expect(instance.stderr).toContain("type: must be amlcompute");
    const inverted = await world.cli([
      "compute",
      "create",
      "-n",
      "odd",
      "--min-instances",
      "4",
      "--max-instances",
      "2",
    ]);
    expect(inverted.code).toBe(1);
    expect(inverted.stderr).toContain("min_instances: must not be above max_instances (2)");
    expect((await world.cli(["compute", "show", "-n", "odd"])).stderr).toContain(
      "ERROR: (NotFound) Compute 'odd'",
    );
  });

  it("refuses a deployment and an invocation above the compute's max_instances, and runs one within it", async () => {
    expectExit(
      await world.cli(["batch-endpoint", "create", "--file", examplePath("taxi-tip", "endpoint.yml")]),
      0,
    );
    const deploy = (count: number) =>
      world.cli([
        "batch-deployment",
        "create",
        "--file",
        examplePath("taxi-tip", "deployment.yml"),
        "--set",
        "compute=azureml:cpu-cluster",
        `resources.instance_count=${count}`,
      ]);
    const refused = await deploy(3);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERROR: (LimitExceeded)");
    expect(refused.stderr).toContain(
      "resources.instance_count is 3; compute 'cpu-cluster' has at most 2 instances (max_instances)",
    );
    expect(
      (await world.cli(["batch-deployment", "list", "-e", "taxi-tip", "--query", "length(@)"])).stdout.trim(),
    ).toBe("0");
    const accepted = await deploy(2);
    expect(jsonOf(accepted)).toMatchObject({ resources: { instance_count: 2 } });
    expect(accepted.stderr).toContain(
      "WARNING: compute: compute 'cpu-cluster' bounds instance_count at its max_instances (2)",
    );

    await putTaxiData(world.data, "compute-bound/");
    const invoke = (...flags: string[]) =>
      world.cli([
        "batch-endpoint",
        "invoke",
        "-n",
        "taxi-tip",
        "--input",
        "azureml://datastores/workspaceblobstore/paths/compute-bound/",
        ...flags,
      ]);
    const tooMany = await invoke("--instance-count", "3");
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain("instance_count is 3; compute 'cpu-cluster' has at most 2 instances");
    const job = tsvValue(await invoke("--instance-count", "2", "--query", "name", "-o", "tsv"));
    expectExit(await world.cli(["job", "stream", "-n", job]), 0);
    const shown = jsonOf(await world.cli(["job", "show", "-n", job]));
    expect(shown).toMatchObject({
      status: "Completed",
      compute: "cpu-cluster",
      settings: { instance_count: 2 },
    });

    // A compute made smaller bounds the next invocation of a deployment created under the old bound.
    expectExit(await world.cli(["compute", "create", "-n", "cpu-cluster", "--max-instances", "1"]), 0);
    const shrunk = await invoke();
    expect(shrunk.code).toBe(1);
    expect(shrunk.stderr).toContain(
      "resources.instance_count is 2; compute 'cpu-cluster' has at most 1 instances (max_instances)",
    );
    // Deleted, the compute bounds nothing: the deployment is accepted with a warning saying so.
    expectExit(await world.cli(["compute", "delete", "-n", "cpu-cluster", "--yes"]), 0);
    expect((await world.cli(["compute", "show", "-n", "cpu-cluster"])).code).toBe(1);
    const unbounded = await world.cli([
      "batch-deployment",
      "update",
      "-n",
      "taxi-tip-onnx",
      "-e",
      "taxi-tip",
      "--set",
      "resources.instance_count=4",
    ]);
    expect(jsonOf(unbounded)).toMatchObject({ resources: { instance_count: 4 } });
    expect(unbounded.stderr).toContain("compute: accepted, not used: no compute 'cpu-cluster' is registered");
  });
});
