import { describe, expect, it } from "vitest";
import { parseEndpointDocument } from "../../../src/spec/endpoint.schema.js";

/** The 2021 preview sample of azureml-examples (cli/endpoints/batch/batch-endpoint.yml). */
const mybatchedp2021 = `
$schema: https://azuremlschemas.azureedge.net/latest/batchEndpoint.schema.json
name: mybatchedp
type: batch
auth_mode: aad_token
traffic:
  autolog_deployment: 100
deployments:
  autolog_deployment:
    model:
      name: autolog_model
      version: 1
      local_path: ./autolog_nyc_taxi
    code_configuration:
      code:
        local_path: ./endpoints/batch/autolog
      scoring_script: score.js
    environment: azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:1
    compute:
      target: azureml:cpu-cluster
      instance_count: 1
    mini_batch_size: 5
    output_file_name: predictions.csv
    retry_settings:
      max_retries: 3
      timeout: 30
    error_threshold: -1
    logging_level: info
`;

describe("parseEndpointDocument: the v2 form", () => {
  it("reads the heart-classifier endpoint and applies the defaults", () => {
    const parsed = parseEndpointDocument(`
$schema: https://azuremlschemas.azureedge.net/latest/batchEndpoint.schema.json
name: heart-classifier-batch
description: A heart condition classifier for batch inference
auth_mode: aad_token
`);
    expect(parsed).toEqual({
      endpoint: {
        name: "heart-classifier-batch",
        description: "A heart condition classifier for batch inference",
        tags: {},
        auth_mode: "aad_token",
        defaults: {},
      },
      deployments: [],
      warnings: [],
    });
  });

  it("defaults auth_mode to aad_token and reads tags, key auth and the default deployment", () => {
    expect(parseEndpointDocument("name: mnist-batch\n").endpoint.auth_mode).toBe("aad_token");
    const { endpoint } = parseEndpointDocument(`
name: mnist-batch
tags: {team: vision}
auth_mode: KEY
defaults:
  deployment_name: mnist-torch-dpl
`);
    expect(endpoint).toEqual({
      name: "mnist-batch",
      tags: { team: "vision" },
      auth_mode: "key",
      defaults: { deployment_name: "mnist-torch-dpl" },
    });
  });

  it("accepts a REST body object", () => {
    const { endpoint } = parseEndpointDocument({
      name: "rest-endpoint",
      defaults: { deployment_name: "blue" },
    });
    expect(endpoint.defaults.deployment_name).toBe("blue");
  });
});

describe("parseEndpointDocument: the 2021 form", () => {
  it("makes the deployment at 100 the default and returns the inline deployment", () => {
    const parsed = parseEndpointDocument(mybatchedp2021);
    expect(parsed.endpoint).toEqual({
      name: "mybatchedp",
      tags: {},
      auth_mode: "aad_token",
      defaults: { deployment_name: "autolog_deployment" },
    });
    expect(parsed.deployments).toHaveLength(1);
    const [autolog] = parsed.deployments;
    expect(autolog?.deployment).toEqual({
      name: "autolog_deployment",
      endpoint_name: "mybatchedp",
      tags: {},
      model: { name: "autolog_model", version: "1" },
      code_configuration: { code: "./endpoints/batch/autolog", scoring_script: "score.js" },
      environment_variables: {},
      resources: { instance_count: 1 },
      settings: {
        max_concurrency_per_instance: 1,
        mini_batch_size: 5,
        output_action: "append_row",
        output_file_name: "predictions.csv",
        output_format: "aml",
        output_layout: "single_file",
        retry_settings: { max_retries: 3, timeout: 30 },
        error_threshold: -1,
        logging_level: "info",
      },
      accepted_not_used: {
        environment: "azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:1",
        compute: { target: "azureml:cpu-cluster" },
      },
    });
    expect(autolog?.inlineModel).toEqual({
      name: "autolog_model",
      version: "1",
      type: "custom_model",
      path: "./autolog_nyc_taxi",
      tags: {},
    });
    expect(parsed.warnings).toEqual([
      "deployments.autolog_deployment.environment: accepted, not used: an environment is read only for a Python scoring script; this deployment scores on the Function App's Node.js runtime",
      "deployments.autolog_deployment.compute.target: accepted, not used: the compute is the Function App; scale with resources.instance_count and max_concurrency_per_instance",
    ]);
  });

  it("leaves no default when every deployment has traffic 0", () => {
    const parsed = parseEndpointDocument(`
name: mybatchedp
type: batch
traffic: {blue: 0, green: 0}
deployments:
  blue: {model: azureml:m:1}
  green: {model: azureml:m:2}
`);
    expect(parsed.endpoint.defaults).toEqual({});
    expect(parsed.deployments.map((d) => [d.deployment.name, d.deployment.model.version])).toEqual([
      ["blue", "1"],
      ["green", "2"],
    ]);
  });

  it("accepts traffic without inline deployments", () => {
    const parsed = parseEndpointDocument("name: mybatchedp\ntype: batch\ntraffic: {blue: 100}\n");
    expect(parsed.endpoint.defaults.deployment_name).toBe("blue");
    expect(parsed.deployments).toEqual([]);
  });

  it("accepts the same default from traffic and from defaults.deployment_name", () => {
    const parsed = parseEndpointDocument(
      "name: mybatchedp\ntraffic: {blue: 100}\ndefaults: {deployment_name: blue}\n",
    );
    expect(parsed.endpoint.defaults.deployment_name).toBe("blue");
  });

  it("accepts inline deployments written as a list of named deployments", () => {
    const parsed = parseEndpointDocument(`
name: mybatchedp
type: batch
traffic: {blue: 100}
deployments:
  - name: blue
    model: azureml:m:1
    mini_batch_size: 4
  - name: green
    model: azureml:m:2
`);
    expect(parsed.endpoint.defaults.deployment_name).toBe("blue");
    expect(parsed.deployments.map((d) => d.deployment.name)).toEqual(["blue", "green"]);
    expect(parsed.deployments[0]?.deployment.settings.mini_batch_size).toBe(4);
    expect(parsed.deployments[0]?.deployment.endpoint_name).toBe("mybatchedp");
  });

  it("accepts an inline deployment that repeats its own name and endpoint", () => {
    const parsed = parseEndpointDocument(`
name: mybatchedp
deployments:
  blue: {name: blue, endpoint_name: mybatchedp, model: azureml:m:1}
`);
    expect(parsed.deployments[0]?.deployment.name).toBe("blue");
  });
});
