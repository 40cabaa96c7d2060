import { stat } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  assetName,
  assetVersion,
  deploymentSettingsSchema,
  endpointSchema,
  modelType,
  resourceName,
} from "../../../src/spec/resources.js";
import { examplePath, readYaml } from "./example-files.js";

const endpointFile = z.object({ $schema: z.url() }).loose();
const inlineModel = z.strictObject({
  name: assetName,
  version: assetVersion,
  type: modelType.optional(),
  path: z.string(),
});
const deploymentFile = z.strictObject({
  $schema: z.url(),
  name: resourceName,
  endpoint_name: resourceName,
  description: z.string(),
  tags: z.record(z.string(), z.string()),
  model: inlineModel,
  code_configuration: z.strictObject({ code: z.string(), scoring_script: z.string() }).optional(),
  resources: z.strictObject({ instance_count: z.number().int().min(1) }),
  settings: deploymentSettingsSchema,
});
const deployment2021 = deploymentSettingsSchema.extend({
  model: z.strictObject({ name: assetName, version: assetVersion, local_path: z.string() }),
  compute: z.strictObject({ target: z.string(), instance_count: z.number().int().min(1) }),
});
const endpoint2021File = z.strictObject({
  $schema: z.url(),
  name: resourceName,
  type: z.literal("batch"),
  auth_mode: z.string(),
  traffic: z.record(resourceName, z.union([z.literal(0), z.literal(100)])),
  deployments: z.record(resourceName, deployment2021),
});

async function expectFile(path: string): Promise<void> {
  expect((await stat(path)).isFile(), path).toBe(true);
}

describe.each([
  { example: "taxi-tip", modelFiles: ["MLmodel", "model.onnx"], type: "mlflow_model" },
  { example: "digits", modelFiles: ["model.onnx"], type: undefined },
])("$example endpoint and deployment files", ({ example, modelFiles, type }) => {
  it("name each other and point at a model folder (and scoring script) that exist", async () => {
    const { $schema, ...endpointFields } = await readYaml(examplePath(example, "endpoint.yml"), endpointFile);
    const endpoint = endpointSchema.parse(endpointFields);
    const deployment = await readYaml(examplePath(example, "deployment.yml"), deploymentFile);
    expect($schema).toMatch(/batchEndpoint\.schema\.json$/);
    expect(endpoint.name).toBe(example);
    expect(deployment.endpoint_name).toBe(endpoint.name);
    expect(endpoint.defaults.deployment_name).toBe(deployment.name);
    expect(deployment.model.type).toBe(type);
    for (const file of modelFiles) await expectFile(examplePath(example, deployment.model.path, file));
    const code = deployment.code_configuration;
    if (type === "mlflow_model") expect(code).toBeUndefined();
    else await expectFile(examplePath(example, code?.code ?? "", code?.scoring_script ?? ""));
  });
});

describe("taxi-tip 2021 endpoint file", () => {
  it("routes all traffic to its one inline deployment of the same model folder", async () => {
    const endpoint = await readYaml(examplePath("taxi-tip", "endpoint-2021.yml"), endpoint2021File);
    expect(endpoint.name).toBe("taxi-tip");
    expect(endpoint.traffic).toEqual({ taxi_tip_deployment: 100 });
    expect(Object.keys(endpoint.deployments)).toEqual(["taxi_tip_deployment"]);
    const deployment = endpoint.deployments.taxi_tip_deployment;
    if (deployment === undefined) throw new Error("endpoint-2021.yml: no deployment taxi_tip_deployment");
    await expectFile(examplePath("taxi-tip", deployment.model.local_path, "MLmodel"));
    const v2 = await readYaml(examplePath("taxi-tip", "deployment.yml"), deploymentFile);
    expect(deployment.model.name).toBe(v2.model.name);
    const { model: _model, compute, ...settings } = deployment;
    expect(settings).toEqual(v2.settings);
    expect(compute.instance_count).toBe(v2.resources.instance_count);
  });
});
