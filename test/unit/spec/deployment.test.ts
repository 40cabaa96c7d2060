import { describe, expect, it } from "vitest";
import { parseDeploymentDocument } from "../../../src/spec/deployment.schema.js";

/** The v2 MNIST sample of azureml-examples (cli/endpoints/batch/deploy-models/mnist-classifier). */
const mnistV2 = `
$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
name: mnist-torch-dpl
description: A deployment using Torch to solve the MNIST classification dataset.
endpoint_name: mnist-batch
type: model
model:
  name: mnist-classifier-torch
  path: model
code_configuration:
  code: code
  scoring_script: batch_driver.js
environment:
  name: batch-torch-py38
  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest
  conda_file: environment/conda.yaml
compute: azureml:batch-cluster
resources:
  instance_count: 1
settings:
  max_concurrency_per_instance: 2
  mini_batch_size: 10
  output_action: append_row
  output_file_name: predictions.csv
  retry_settings:
    max_retries: 3
    timeout: 30
  error_threshold: -1
  logging_level: info
`;

/** The v2 no-code MLflow heart-classifier sample: a registered model, no code_configuration. */
const heartClassifierV2 = `
$schema: https://azuremlschemas.azureedge.net/latest/modelBatchDeployment.schema.json
endpoint_name: heart-classifier-batch
name: classifier-xgboost-mlflow
description: A heart condition classifier based on XGBoost
type: model
model: azureml:heart-classifier-mlflow:2
compute: azureml:batch-cluster
resources:
  instance_count: 2
settings:
  max_concurrency_per_instance: 2
  mini_batch_size: 2
  output_action: append_row
  output_file_name: predictions.csv
  retry_settings:
    max_retries: 3
    timeout: 300
  error_threshold: -1
  logging_level: info
`;

/** The 2021 preview form: settings at the root, compute.instance_count, code.local_path. */
const autolog2021 = `
name: autolog_deployment
endpoint_name: mybatchedp
model:
  name: autolog_model
  version: 1
  local_path: ./autolog_nyc_taxi
code_configuration:
  code:
    local_path: ./src
  scoring_script: score.js
environment: azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:1
compute:
  target: azureml:cpu-cluster
  instance_count: 2
mini_batch_size: 5
output_file_name: taxi-predictions.csv
retry_settings:
  max_retries: 1
  timeout: 60
error_threshold: 10
logging_level: Warning
`;

const minimal = "name: dpl-minimal\nendpoint_name: ep-minimal\nmodel: azureml:m:1\n";

describe("parseDeploymentDocument: defaults of the deployment table", () => {
  it("applies every default to a minimal deployment", () => {
    const { deployment, inlineModel, warnings } = parseDeploymentDocument(minimal);
    expect(deployment).toEqual({
      name: "dpl-minimal",
      endpoint_name: "ep-minimal",
      tags: {},
      model: { name: "m", version: "1" },
      environment_variables: {},
      resources: { instance_count: 1 },
      settings: {
        max_concurrency_per_instance: 1,
        mini_batch_size: 10,
        output_action: "append_row",
        output_file_name: "predictions.csv",
        output_format: "aml",
        output_layout: "single_file",
        retry_settings: { max_retries: 3, timeout: 30 },
        error_threshold: -1,
        logging_level: "info",
      },
      accepted_not_used: {},
    });
    expect(deployment).not.toHaveProperty("code_configuration");
    expect(deployment).not.toHaveProperty("description");
    expect(deployment.settings).not.toHaveProperty("mini_batch_rows");
    expect(inlineModel).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("fills only the missing retry setting when one is given", () => {
    const { deployment } = parseDeploymentDocument(`${minimal}settings: {retry_settings: {timeout: 120}}\n`);
    expect(deployment.settings.retry_settings).toEqual({ max_retries: 3, timeout: 120 });
  });

  it("reads every field of a fully written v2 deployment", () => {
    const { deployment } = parseDeploymentDocument(`
name: full-dpl
endpoint_name: full-ep
description: every field
tags: {team: risk, stage: prod}
model: azureml:credit-model:7
code_configuration: {code: ./scoring, scoring_script: score.mjs}
environment_variables: {MODEL_FLAVOR: onnx}
resources: {instance_count: 4}
settings:
  max_concurrency_per_instance: 3
  mini_batch_size: 20
  mini_batch_rows: 5000
  output_action: summary_only
  output_file_name: scores.csv
  output_format: csv
  retry_settings: {max_retries: 0, timeout: 600}
  error_threshold: 0
  logging_level: debug
  worker_memory_mb: 1024
  environment_variables: {BATCH_TAG: nightly}
`);
    expect(deployment).toEqual({
      name: "full-dpl",
      endpoint_name: "full-ep",
      description: "every field",
      tags: { team: "risk", stage: "prod" },
      model: { name: "credit-model", version: "7" },
      code_configuration: { code: "./scoring", scoring_script: "score.mjs" },
      environment_variables: { MODEL_FLAVOR: "onnx", BATCH_TAG: "nightly" },
      resources: { instance_count: 4 },
      settings: {
        max_concurrency_per_instance: 3,
        mini_batch_size: 20,
        mini_batch_rows: 5000,
        output_action: "summary_only",
        output_file_name: "scores.csv",
        output_format: "csv",
        output_layout: "single_file",
        retry_settings: { max_retries: 0, timeout: 600 },
        error_threshold: 0,
        logging_level: "debug",
        worker_memory_mb: 1024,
      },
      accepted_not_used: {},
    });
  });
});

describe("parseDeploymentDocument: the v2 form", () => {
  it("reads the MNIST sample with its inline model, and keeps environment and compute as not used", () => {
    const parsed = parseDeploymentDocument(mnistV2, { source: "deployment.yml" });
    expect(parsed.deployment.name).toBe("mnist-torch-dpl");
    expect(parsed.deployment.endpoint_name).toBe("mnist-batch");
    expect(parsed.deployment.model).toEqual({ name: "mnist-classifier-torch", version: "1" });
    expect(parsed.deployment.code_configuration).toEqual({ code: "code", scoring_script: "batch_driver.js" });
    expect(parsed.deployment.settings.max_concurrency_per_instance).toBe(2);
    expect(parsed.inlineModel).toEqual({
      name: "mnist-classifier-torch",
      version: "1",
      type: "custom_model",
      path: "model",
      tags: {},
    });
    expect(parsed.deployment.accepted_not_used).toEqual({
      environment: {
        name: "batch-torch-py38",
        image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest",
        conda_file: "environment/conda.yaml",
      },
      compute: "azureml:batch-cluster",
    });
    expect(parsed.warnings).toEqual([
      "environment: accepted, not used: an environment is read only for a Python scoring script; this deployment scores on the Function App's Node.js runtime",
      "compute: accepted, not used: the compute is the Function App; scale with resources.instance_count and max_concurrency_per_instance",
      "model.version: not given; version 1 is used",
    ]);
  });

  it("reads the no-code heart-classifier sample with a registered model reference", () => {
    const { deployment, inlineModel } = parseDeploymentDocument(heartClassifierV2);
    expect(deployment.model).toEqual({ name: "heart-classifier-mlflow", version: "2" });
    expect(deployment.code_configuration).toBeUndefined();
    expect(deployment.resources.instance_count).toBe(2);
    expect(deployment.settings.mini_batch_size).toBe(2);
    expect(deployment.settings.retry_settings).toEqual({ max_retries: 3, timeout: 300 });
    expect(inlineModel).toBeUndefined();
  });

  it("marks an @latest model for the registry to resolve", () => {
    const parsed = parseDeploymentDocument(heartClassifierV2.replace(":2", "@latest"));
    expect(parsed.modelLabel).toBe("latest");
    expect(parsed.deployment.model).toEqual({ name: "heart-classifier-mlflow", version: "latest" });
  });

  it("reads a model written as {name, version} as a reference, not an inline model", () => {
    const parsed = parseDeploymentDocument(minimal.replace("azureml:m:1", "{name: m, version: 3}"));
    expect(parsed.deployment.model).toEqual({ name: "m", version: "3" });
    expect(parsed.inlineModel).toBeUndefined();
  });

  it("reads an inline MLflow model with its type, description and tags", () => {
    const parsed = parseDeploymentDocument(
      `${minimal.replace("azureml:m:1", "{name: heart, version: 4, path: ./model, type: mlflow_model, description: d, tags: {a: b}}")}`,
    );
    expect(parsed.inlineModel).toEqual({
      name: "heart",
      version: "4",
      type: "mlflow_model",
      path: "./model",
      description: "d",
      tags: { a: "b" },
    });
    expect(parsed.deployment.model).toEqual({ name: "heart", version: "4" });
  });

  it("accepts a REST body object as well as YAML text", () => {
    const body = {
      name: "rest-dpl",
      endpoint_name: "rest-ep",
      model: "azureml:m:2",
      settings: { mini_batch_size: 3, logging_level: "DEBUG" },
    };
    const { deployment } = parseDeploymentDocument(body);
    expect(deployment.settings.mini_batch_size).toBe(3);
    expect(deployment.settings.logging_level).toBe("debug");
  });

  it("accepts JSON text", () => {
    const json = JSON.stringify({ name: "json-dpl", endpoint_name: "json-ep", model: "m:1" });
    expect(parseDeploymentDocument(json).deployment.name).toBe("json-dpl");
  });
});

describe("parseDeploymentDocument: the 2021 form", () => {
  it("reads settings at the root, compute.instance_count and code.local_path", () => {
    const parsed = parseDeploymentDocument(autolog2021);
    expect(parsed.deployment).toEqual({
      name: "autolog_deployment",
      endpoint_name: "mybatchedp",
      tags: {},
      model: { name: "autolog_model", version: "1" },
      code_configuration: { code: "./src", scoring_script: "score.js" },
      environment_variables: {},
      resources: { instance_count: 2 },
      settings: {
        max_concurrency_per_instance: 1,
        mini_batch_size: 5,
        output_action: "append_row",
        output_file_name: "taxi-predictions.csv",
        output_format: "aml",
        output_layout: "single_file",
        retry_settings: { max_retries: 1, timeout: 60 },
        error_threshold: 10,
        logging_level: "warning",
      },
      accepted_not_used: {
        environment: "azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:1",
        compute: { target: "azureml:cpu-cluster" },
      },
    });
    expect(parsed.inlineModel).toEqual({
      name: "autolog_model",
      version: "1",
      type: "custom_model",
      path: "./autolog_nyc_taxi",
      tags: {},
    });
    expect(parsed.warnings).toEqual([
      "environment: accepted, not used: an environment is read only for a Python scoring script; this deployment scores on the Function App's Node.js runtime",
      "compute.target: accepted, not used: the compute is the Function App; scale with resources.instance_count and max_concurrency_per_instance",
    ]);
  });

  it("gives the same canonical settings as the equivalent v2 file", () => {
    const v2 = parseDeploymentDocument(`
name: autolog_deployment
endpoint_name: mybatchedp
model: {name: autolog_model, version: 1, path: ./autolog_nyc_taxi}
code_configuration: {code: ./src, scoring_script: score.js}
resources: {instance_count: 2}
settings:
  mini_batch_size: 5
  output_file_name: taxi-predictions.csv
  retry_settings: {max_retries: 1, timeout: 60}
  error_threshold: 10
  logging_level: warning
`);
    const old = parseDeploymentDocument(autolog2021);
    expect(old.deployment.settings).toEqual(v2.deployment.settings);
    expect(old.deployment.resources).toEqual(v2.deployment.resources);
    expect(old.deployment.code_configuration).toEqual(v2.deployment.code_configuration);
    expect(old.inlineModel).toEqual(v2.inlineModel);
  });

  it("does not warn about a compute mapping that only gives instance_count", () => {
    const parsed = parseDeploymentDocument(`${minimal}compute: {instance_count: 3}\n`);
    expect(parsed.deployment.resources.instance_count).toBe(3);
    expect(parsed.deployment.accepted_not_used).toEqual({});
    expect(parsed.warnings).toEqual([]);
  });
});

describe("parseDeploymentDocument: Python-only keys", () => {
  it("keeps conda_file and docker at the root as accepted, not used", () => {
    const parsed = parseDeploymentDocument(
      `${minimal}conda_file: ./environment/conda.yml\ndocker: {image: mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04}\n`,
    );
    expect(parsed.deployment.accepted_not_used).toEqual({
      conda_file: "./environment/conda.yml",
      docker: { image: "mcr.microsoft.com/azureml/openmpi3.1.2-ubuntu18.04" },
    });
    expect(parsed.warnings).toEqual([
      "conda_file: accepted, not used: a conda file is read only for a Python scoring script; this deployment scores on Node.js",
      "docker: accepted, not used: container images are not used; scoring runs inside the Function App",
    ]);
  });

  it("reads the environment of a Python scoring script, and says it is not built", () => {
    const parsed = parseDeploymentDocument(
      `${minimal}code_configuration: {code: ./code, scoring_script: batch_driver.py}\nenvironment: {image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04, conda_file: {dependencies: [scikit-learn]}}\n`,
    );
    expect(parsed.deployment.accepted_not_used).toEqual({
      environment: {
        image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04",
        conda_file: { dependencies: ["scikit-learn"] },
      },
    });
    expect(parsed.warnings).toEqual([
      "environment: read, not built: the packages of its conda file are checked in the app's Python interpreter (BATCHFN_PYTHON) when the deployment is created; its image is not used",
    ]);
  });
});

describe("parseDeploymentDocument: case-insensitive values", () => {
  it.each([
    ["INFO", "info"],
    ["Warning", "warning"],
    ["DeBuG", "debug"],
  ])("reads logging_level %s as %s", (written, canonical) => {
    const { deployment } = parseDeploymentDocument(`${minimal}settings: {logging_level: ${written}}\n`);
    expect(deployment.settings.logging_level).toBe(canonical);
  });

  it("reads the record settings and names the output file after its format when none is given", () => {
    const { deployment } = parseDeploymentDocument(
      `${minimal}settings: {output_format: Parquet, output_layout: PER_FILE, key_field: trip_id, include_columns: ["*"]}\n`,
    );
    expect(deployment.settings).toMatchObject({
      output_format: "parquet",
      output_layout: "per_file",
      output_file_name: "predictions.parquet",
      key_field: "trip_id",
      include_columns: ["*"],
    });
    const named = parseDeploymentDocument(
      `${minimal}settings: {output_format: jsonl, output_file_name: out.txt}\n`,
    );
    expect(named.deployment.settings.output_file_name).toBe("out.txt");
    expect(
      parseDeploymentDocument(`${minimal}settings: {output_format: jsonl}\n`).deployment.settings
        .output_file_name,
    ).toBe("predictions.jsonl");
  });

  it("reads output_action and output_format in any case", () => {
    const { deployment } = parseDeploymentDocument(
      `${minimal}settings: {output_action: SUMMARY_ONLY, output_format: CSV}\n`,
    );
    expect(deployment.settings.output_action).toBe("summary_only");
    expect(deployment.settings.output_format).toBe("csv");
  });
});

describe("parseDeploymentDocument: the endpoint name", () => {
  it("takes the endpoint from the options when the file has none", () => {
    const document = "name: dpl-one\nmodel: azureml:m:1\n";
    const { deployment } = parseDeploymentDocument(document, { endpointName: "from-cli" });
    expect(deployment.endpoint_name).toBe("from-cli");
  });

  it("accepts the same name in the file and the options", () => {
    const { deployment } = parseDeploymentDocument(minimal, { endpointName: "ep-minimal" });
    expect(deployment.endpoint_name).toBe("ep-minimal");
  });
});
