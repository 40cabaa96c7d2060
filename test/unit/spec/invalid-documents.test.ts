import { describe, expect, it } from "vitest";
import { BatchfnError, type ErrorDetail } from "../../../src/errors.js";
import { parseDataDocument } from "../../../src/spec/data.schema.js";
import { parseDatastoreDocument } from "../../../src/spec/datastore.schema.js";
import { parseDeploymentDocument } from "../../../src/spec/deployment.schema.js";
import { parseEndpointDocument } from "../../../src/spec/endpoint.schema.js";
import { parseModelDocument } from "../../../src/spec/model.schema.js";

function thrownBy(attempt: () => unknown): BatchfnError {
  try {
    attempt();
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("expected the parse to throw");
}

const deployment = "name: dpl-one\nendpoint_name: ep-one\nmodel: azureml:m:1\n";
const endpoint2021 = "name: mybatchedp\ntype: batch\n";
const NAME_RULE =
  "must start with a letter, end with a letter or digit, and hold only letters, digits, '-' and '_'";

type Case = [label: string, yaml: string, expected: ErrorDetail[]];

const invalidDeployments: Case[] = [
  [
    "mini_batch_size 0",
    `${deployment}settings: {mini_batch_size: 0}`,
    [{ path: "settings.mini_batch_size", message: "must be ≥ 1" }],
  ],
  [
    "error_threshold -2",
    `${deployment}settings: {error_threshold: -2}`,
    [{ path: "settings.error_threshold", message: "must be ≥ -1" }],
  ],
  [
    "a number given as a string",
    `${deployment}settings: {mini_batch_size: "10"}`,
    [{ path: "settings.mini_batch_size", message: 'must be a number (got string "10")' }],
  ],
  [
    "a fractional mini_batch_size",
    `${deployment}settings: {mini_batch_size: 2.5}`,
    [{ path: "settings.mini_batch_size", message: "must be a whole number (got number 2.5)" }],
  ],
  [
    "an unknown logging_level",
    `${deployment}settings: {logging_level: verbose}`,
    [{ path: "settings.logging_level", message: "must be one of: warning, info, debug" }],
  ],
  [
    "an unknown output_action",
    `${deployment}settings: {output_action: append}`,
    [{ path: "settings.output_action", message: "must be one of: append_row, summary_only" }],
  ],
  [
    "include_columns and exclude_columns together",
    `${deployment}settings: {include_columns: [a], exclude_columns: [b]}`,
    [{ path: "settings.exclude_columns", message: "give include_columns or exclude_columns, not both" }],
  ],
  [
    "a key_field that exclude_columns excludes",
    `${deployment}settings: {key_field: id, exclude_columns: [id]}`,
    [{ path: "settings.exclude_columns", message: "names the key_field 'id', which every row carries" }],
  ],
  [
    "pass-through columns with a scoring script",
    `${deployment}code_configuration: {code: ./src, scoring_script: score.py}\nsettings: {key_field: id}`,
    [
      {
        path: "settings.key_field",
        message:
          "applies to no-code deployments (ONNX and MLflow models without a scoring script); a scoring script returns its own columns",
      },
    ],
  ],
  [
    "pass-through columns with summary_only (2021 form: settings at the root)",
    `${deployment}output_action: summary_only\ninclude_columns: [a]`,
    [
      {
        path: "include_columns",
        message: "joins input columns to the prediction rows, so it needs output_action: append_row",
      },
    ],
  ],
  [
    "per_file with a scoring script and mini-batches of several files",
    `${deployment}code_configuration: {code: ./src, scoring_script: score.js}\nsettings: {output_layout: per_file, mini_batch_size: 4}`,
    [
      {
        path: "settings.output_layout",
        message:
          "per_file with a scoring script needs mini_batch_size: 1, as the script's rows do not say which input file they come from",
      },
    ],
  ],
  [
    "an unknown output_layout",
    `${deployment}settings: {output_layout: per_folder}`,
    [{ path: "settings.output_layout", message: "must be one of: single_file, per_file" }],
  ],
  [
    "an unknown output_format",
    `${deployment}settings: {output_format: xml}`,
    [{ path: "settings.output_format", message: "must be one of: aml, csv, jsonl, parquet" }],
  ],
  [
    "negative max_retries",
    `${deployment}settings: {retry_settings: {max_retries: -1}}`,
    [{ path: "settings.retry_settings.max_retries", message: "must be ≥ 0" }],
  ],
  [
    "timeout 0",
    `${deployment}settings: {retry_settings: {timeout: 0}}`,
    [{ path: "settings.retry_settings.timeout", message: "must be ≥ 1" }],
  ],
  [
    "max_concurrency_per_instance 0",
    `${deployment}settings: {max_concurrency_per_instance: 0}`,
    [{ path: "settings.max_concurrency_per_instance", message: "must be ≥ 1" }],
  ],
  [
    "mini_batch_rows 0",
    `${deployment}settings: {mini_batch_rows: 0}`,
    [{ path: "settings.mini_batch_rows", message: "must be ≥ 1" }],
  ],
  [
    "worker_memory_mb 64",
    `${deployment}settings: {worker_memory_mb: 64}`,
    [{ path: "settings.worker_memory_mb", message: "must be ≥ 128" }],
  ],
  [
    "instance_count 0",
    `${deployment}resources: {instance_count: 0}`,
    [{ path: "resources.instance_count", message: "must be ≥ 1" }],
  ],
  [
    "an output file in a folder",
    `${deployment}settings: {output_file_name: out/p.csv}`,
    [{ path: "settings.output_file_name", message: "must be a file name, without folders" }],
  ],
  [
    "an unknown key at the root",
    `${deployment}instance_type: Standard_DS3_v2`,
    [{ path: "instance_type", message: "unknown key 'instance_type'" }],
  ],
  [
    "an unknown key in settings",
    `${deployment}settings: {mini_batch: 5}`,
    [{ path: "settings.mini_batch", message: "unknown key 'mini_batch'" }],
  ],
  [
    "an unknown key in retry_settings",
    `${deployment}settings: {retry_settings: {attempts: 2}}`,
    [{ path: "settings.retry_settings.attempts", message: "unknown key 'attempts'" }],
  ],
  [
    "a name too short",
    deployment.replace("dpl-one", "ab"),
    [{ path: "name", message: "must be 3-32 characters long" }],
  ],
  [
    "a name too long",
    deployment.replace("dpl-one", `d${"x".repeat(32)}`),
    [{ path: "name", message: "must be 3-32 characters long" }],
  ],
  [
    "a name starting with a digit",
    deployment.replace("dpl-one", "1dpl"),
    [{ path: "name", message: NAME_RULE }],
  ],
  [
    "a name ending with a dash",
    deployment.replace("dpl-one", "dpl-"),
    [{ path: "name", message: NAME_RULE }],
  ],
  ["a missing model", "name: dpl-one\nendpoint_name: ep-one\n", [{ path: "model", message: "is required" }]],
  [
    "a model reference without version",
    deployment.replace("azureml:m:1", "azureml:m"),
    [
      {
        path: "model",
        message:
          "must be azureml:<name>:<version> or <name>:<version> or azureml:<name>@latest (got 'azureml:m')",
      },
    ],
  ],
  [
    "an inline model without path",
    deployment.replace("azureml:m:1", "{name: m, type: mlflow_model}"),
    [{ path: "model.path", message: "is required (or local_path)" }],
  ],
  [
    "an inline model with path and local_path",
    deployment.replace("azureml:m:1", "{name: m, version: 1, path: a, local_path: b}"),
    [{ path: "model.local_path", message: "give either path or local_path, not both" }],
  ],
  [
    "an inline model of an unknown type",
    deployment.replace("azureml:m:1", "{name: m, version: 1, path: a, type: triton_model}"),
    [{ path: "model.type", message: "must be one of: custom_model, mlflow_model" }],
  ],
  [
    "a model of the wrong type",
    deployment.replace("azureml:m:1", "[m, 1]"),
    [{ path: "model", message: "must be a string or a mapping (got a list)" }],
  ],
  [
    "code_configuration without scoring_script",
    `${deployment}code_configuration: {code: ./code}`,
    [{ path: "code_configuration.scoring_script", message: "is required" }],
  ],
  [
    "code given as a mapping without local_path",
    `${deployment}code_configuration: {code: {path: ./c}, scoring_script: s.js}`,
    [
      { path: "code_configuration.code.local_path", message: "is required" },
      { path: "code_configuration.code.path", message: "unknown key 'path'" },
    ],
  ],
  [
    "no endpoint_name",
    "name: dpl-one\nmodel: azureml:m:1\n",
    [{ path: "endpoint_name", message: "is required (or give the endpoint name with the command)" }],
  ],
  [
    "a setting in both forms",
    `${deployment}mini_batch_size: 5\nsettings: {mini_batch_size: 6}`,
    [
      {
        path: "mini_batch_size",
        message:
          "is also given as settings.mini_batch_size; give it once (at the root is the 2021 form, under settings: the v2 form)",
      },
    ],
  ],
  [
    "instance_count in both forms",
    `${deployment}compute: {instance_count: 2}\nresources: {instance_count: 3}`,
    [{ path: "compute.instance_count", message: "is also given as resources.instance_count; give it once" }],
  ],
  [
    "an environment variable set twice",
    `${deployment}environment_variables: {A: x}\nsettings: {environment_variables: {A: y}}`,
    [
      {
        path: "settings.environment_variables.A",
        message: "is also set in environment_variables; set it once",
      },
    ],
  ],
  [
    "a pipeline deployment",
    `${deployment}type: pipeline`,
    [{ path: "type", message: "must be model (pipeline deployments are not supported)" }],
  ],
  [
    "a number as an environment variable",
    `${deployment}environment_variables: {WORKERS: 4}`,
    [{ path: "environment_variables.WORKERS", message: "must be a string (got number 4)" }],
  ],
  [
    "tags given as a list",
    `${deployment}tags: [a, b]`,
    [{ path: "tags", message: "must be a mapping (got a list)" }],
  ],
  [
    "an empty settings key",
    `${deployment}settings:`,
    [{ path: "settings", message: "must be a mapping (got an empty value)" }],
  ],
  [
    "compute as a number",
    `${deployment}compute: 5`,
    [{ path: "compute", message: "must be a string or a mapping (got number 5)" }],
  ],
  [
    "an unknown key in compute",
    `${deployment}compute: {target: azureml:cpu, vm_size: STANDARD_D2}`,
    [{ path: "compute.vm_size", message: "unknown key 'vm_size'" }],
  ],
  [
    "a 2021 root setting of the wrong type",
    `${deployment}error_threshold: "-1"`,
    [{ path: "error_threshold", message: 'must be a number (got string "-1")' }],
  ],
];

const invalidEndpoints: Case[] = [
  [
    "an online endpoint",
    "name: mybatchedp\ntype: online\n",
    [{ path: "type", message: "must be batch (online endpoints are not supported)" }],
  ],
  [
    "traffic other than 0 or 100",
    `${endpoint2021}traffic: {blue: 50}`,
    [{ path: "traffic.blue", message: "must be one of: 0, 100" }],
  ],
  [
    "two deployments at 100",
    `${endpoint2021}traffic: {blue: 100, green: 100}`,
    [{ path: "traffic.green", message: "only one deployment can take 100 (already given to 'blue')" }],
  ],
  [
    "traffic naming a missing deployment",
    `${endpoint2021}traffic: {red: 100}\ndeployments:\n  blue: {model: azureml:m:1}`,
    [{ path: "traffic.red", message: "names deployment 'red' that is not in deployments" }],
  ],
  [
    "a default naming a missing inline deployment",
    `${endpoint2021}defaults: {deployment_name: red}\ndeployments:\n  blue: {model: azureml:m:1}`,
    [{ path: "defaults.deployment_name", message: "names deployment 'red' that is not in deployments" }],
  ],
  [
    "a default that disagrees with traffic",
    `${endpoint2021}traffic: {blue: 100}\ndefaults: {deployment_name: green}`,
    [{ path: "defaults.deployment_name", message: "is 'green' but traffic gives 100 to 'blue'" }],
  ],
  [
    "an inline deployment with a bad setting",
    `${endpoint2021}traffic:\n  autolog_deployment: 100\ndeployments:\n  autolog_deployment:\n    model: azureml:autolog:1\n    mini_batch_size: 0`,
    [{ path: "deployments.autolog_deployment.mini_batch_size", message: "must be ≥ 1" }],
  ],
  [
    "an unknown auth_mode",
    "name: mybatchedp\nauth_mode: aml_token\n",
    [{ path: "auth_mode", message: "must be one of: aad_token, key" }],
  ],
  [
    "an inline deployment with another name",
    `${endpoint2021}deployments:\n  blue: {name: green, model: azureml:m:1}`,
    [{ path: "deployments.blue.name", message: "is 'green' but the deployment is listed as 'blue'" }],
  ],
  [
    "an inline deployment under another endpoint",
    `${endpoint2021}deployments:\n  blue: {endpoint_name: other-ep, model: azureml:m:1}`,
    [
      {
        path: "deployments.blue.endpoint_name",
        message: "is 'other-ep' but the deployment belongs to endpoint 'mybatchedp'",
      },
    ],
  ],
  [
    "an inline deployment listed under a bad name",
    `${endpoint2021}deployments:\n  b1: {model: azureml:m:1}`,
    [{ path: "deployments.b1", message: "is not a valid name: must be 3-32 characters long" }],
  ],
  [
    "deployments given as text",
    `${endpoint2021}deployments: blue`,
    [{ path: "deployments", message: 'must be a mapping or a list (got string "blue")' }],
  ],
  [
    "a Python-only key on the endpoint",
    `${endpoint2021}compute: azureml:cpu-cluster`,
    [{ path: "compute", message: "unknown key 'compute'" }],
  ],
  [
    "a deployment listed twice",
    `${endpoint2021}deployments:\n  - {name: blue, model: azureml:m:1}\n  - {name: blue, model: azureml:m:2}`,
    [{ path: "deployments.1.name", message: "'blue' is listed twice" }],
  ],
  [
    "an unknown key under defaults",
    "name: mybatchedp\ndefaults: {deployment: blue}\n",
    [{ path: "defaults.deployment", message: "unknown key 'deployment'" }],
  ],
  ["a missing name", "description: no name\n", [{ path: "name", message: "is required" }]],
];

const invalidAssets: [
  label: string,
  parse: (text: string) => unknown,
  yaml: string,
  expected: ErrorDetail[],
][] = [
  [
    "a model version 1.5",
    parseModelDocument,
    "name: m\nversion: 1.5\npath: p\n",
    [{ path: "version", message: "must be a string or a whole number (got number 1.5)" }],
  ],
  [
    "a model name with a space",
    parseModelDocument,
    "name: my model\nversion: 1\npath: p\n",
    [
      {
        path: "name",
        message: "must start with a letter or digit and hold only letters, digits, '-', '_' and '.'",
      },
    ],
  ],
  [
    "a model without path",
    parseModelDocument,
    "name: m\nversion: 1\n",
    [{ path: "path", message: "is required (or local_path)" }],
  ],
  [
    "an MLTable data asset",
    parseDataDocument,
    "name: d\nversion: 1\ntype: mltable\npath: p\n",
    [{ path: "type", message: "must be one of: uri_file, uri_folder" }],
  ],
  [
    "a datastore with credentials",
    parseDatastoreDocument,
    "name: ds\ncontainer_name: data\ncredentials: {account_key: secret}\n",
    [
      {
        path: "credentials",
        message:
          "is not accepted: batchfn reaches storage with the Function App's managed identity; grant it a Storage Blob Data role on the account instead of storing a key",
      },
    ],
  ],
  [
    "a file share datastore",
    parseDatastoreDocument,
    "name: ds\ntype: azure_file\ncontainer_name: data\n",
    [{ path: "type", message: "must be azure_blob (only blob datastores are supported)" }],
  ],
  [
    "an upper-case account name",
    parseDatastoreDocument,
    "name: ds\naccount_name: MyAccount\ncontainer_name: data\n",
    [{ path: "account_name", message: "must be 3-24 lowercase letters or digits" }],
  ],
  [
    "an http datastore",
    parseDatastoreDocument,
    "name: ds\ncontainer_name: data\nprotocol: http\n",
    [{ path: "protocol", message: "must be https" }],
  ],
];

function expectProblems(error: BatchfnError, kind: string, expected: ErrorDetail[]): void {
  expect(error.code).toBe("InvalidSpec");
  expect(error.status).toBe(400);
  expect(error.details).toEqual(expected);
  expect(error.message.startsWith(`Invalid ${kind} document: `)).toBe(true);
  for (const detail of expected) expect(error.message).toContain(`${detail.path}: ${detail.message}`);
}

describe("invalid deployment documents", () => {
  it.each(invalidDeployments)("rejects %s", (_label, yaml, expected) => {
    expectProblems(
      thrownBy(() => parseDeploymentDocument(yaml)),
      "batch deployment",
      expected,
    );
  });

  it("rejects an endpoint_name that disagrees with the endpoint given by the command", () => {
    const error = thrownBy(() => parseDeploymentDocument(deployment, { endpointName: "other-ep" }));
    expectProblems(error, "batch deployment", [
      { path: "endpoint_name", message: "is 'ep-one' but the deployment belongs to endpoint 'other-ep'" },
    ]);
  });

  it("rejects an invalid endpoint name given by the command", () => {
    const error = thrownBy(() =>
      parseDeploymentDocument("name: dpl-one\nmodel: m:1\n", { endpointName: "e" }),
    );
    expectProblems(error, "batch deployment", [
      { path: "endpoint_name", message: "must be 3-32 characters long" },
    ]);
  });

  it("lists every problem at once, in one message", () => {
    const error = thrownBy(() =>
      parseDeploymentDocument(`
name: x
model: azureml:m:1
settings:
  mini_batch_size: 0
  logging_level: loud
  retry_settings: {timeout: "30"}
mini_batch_size: 3
bar: 1
`),
    );
    expect(error.details).toEqual([
      { path: "name", message: "must be 3-32 characters long" },
      { path: "settings.mini_batch_size", message: "must be ≥ 1" },
      { path: "settings.retry_settings.timeout", message: 'must be a number (got string "30")' },
      { path: "settings.logging_level", message: "must be one of: warning, info, debug" },
      { path: "bar", message: "unknown key 'bar'" },
      {
        path: "mini_batch_size",
        message:
          "is also given as settings.mini_batch_size; give it once (at the root is the 2021 form, under settings: the v2 form)",
      },
      { path: "endpoint_name", message: "is required (or give the endpoint name with the command)" },
    ]);
    expect(error.message).toBe(
      "Invalid batch deployment document: name: must be 3-32 characters long; settings.mini_batch_size: must be ≥ 1; " +
        'settings.retry_settings.timeout: must be a number (got string "30"); settings.logging_level: must be one of: warning, info, debug; ' +
        "bar: unknown key 'bar'; mini_batch_size: is also given as settings.mini_batch_size; give it once (at the root is the 2021 form, under settings: the v2 form); " +
        "endpoint_name: is required (or give the endpoint name with the command)",
    );
  });
});

describe("invalid endpoint documents", () => {
  it.each(invalidEndpoints)("rejects %s", (_label, yaml, expected) => {
    expectProblems(
      thrownBy(() => parseEndpointDocument(yaml)),
      "batch endpoint",
      expected,
    );
  });

  it("lists the problems of the endpoint and of every inline deployment together", () => {
    const error = thrownBy(() =>
      parseEndpointDocument(`
name: mybatchedp
type: batch
traffic: {autolog_deployment: 100, spare_deployment: 100}
deployments:
  autolog_deployment:
    model: {name: autolog_model, version: 1, local_path: ./autolog_nyc_taxi}
    mini_batch_size: 0
    compute: {target: azureml:cpu-cluster, instance_count: 0}
  spare_deployment:
    model: azureml:autolog_model:1
    logging_level: chatty
`),
    );
    expect(error.details).toEqual([
      {
        path: "traffic.spare_deployment",
        message: "only one deployment can take 100 (already given to 'autolog_deployment')",
      },
      { path: "deployments.autolog_deployment.compute.instance_count", message: "must be ≥ 1" },
      { path: "deployments.autolog_deployment.mini_batch_size", message: "must be ≥ 1" },
      { path: "deployments.spare_deployment.logging_level", message: "must be one of: warning, info, debug" },
    ]);
    expect(error.message).toContain("deployments.autolog_deployment.mini_batch_size: must be ≥ 1");
  });

  it("reports a bad endpoint name once, not again in each inline deployment", () => {
    const error = thrownBy(() =>
      parseEndpointDocument("name: e1\ndeployments:\n  blue: {model: azureml:m:1}\n"),
    );
    expect(error.details).toEqual([{ path: "name", message: "must be 3-32 characters long" }]);
  });
});

describe("invalid model, data asset and datastore documents", () => {
  it.each(invalidAssets)("rejects %s", (_label, parse, yaml, expected) => {
    const error = thrownBy(() => parse(yaml));
    expect(error.code).toBe("InvalidSpec");
    expect(error.details).toEqual(expected);
    for (const detail of expected) expect(error.message).toContain(`${detail.path}: ${detail.message}`);
  });
});
