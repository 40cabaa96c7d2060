import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { parseInvokeBody } from "../../../src/spec/invoke.schema.js";

function problem(body: unknown): BatchfnError {
  try {
    parseInvokeBody(body);
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("body was accepted");
}

describe("parseInvokeBody", () => {
  it("reads batchfn's own body with every override", () => {
    const request = parseInvokeBody({
      input: "azureml://datastores/workspaceblobstore/paths/taxi/",
      input_type: "uri_folder",
      output_path: "azureml://datastores/workspaceblobstore/paths/out/",
      output_file_name: "scores.csv",
      overwrite: true,
      mini_batch_size: 5,
      mini_batch_rows: 1000,
      instance_count: 2,
      max_concurrency_per_instance: 3,
      retry_settings: { max_retries: 1, timeout: 60 },
      error_threshold: 10,
      logging_level: "DEBUG",
      worker_memory_mb: 1024,
      job_name: "job-1",
      deployment_name: "blue",
    });
    expect(request).toEqual({
      input: { kind: "uri", uri: "azureml://datastores/workspaceblobstore/paths/taxi/", type: "uri_folder" },
      outputPath: "azureml://datastores/workspaceblobstore/paths/out/",
      overwrite: true,
      overrides: {
        output_file_name: "scores.csv",
        mini_batch_size: 5,
        mini_batch_rows: 1000,
        instance_count: 2,
        max_concurrency_per_instance: 3,
        retry_settings: { max_retries: 1, timeout: 60 },
        error_threshold: 10,
        logging_level: "debug",
        worker_memory_mb: 1024,
      },
      jobName: "job-1",
      deploymentName: "blue",
      labels: {},
    });
  });

  it("reads a data asset input and an input object with its type", () => {
    expect(parseInvokeBody({ input: "azureml:taxi-data:3" }).input).toEqual({
      kind: "data",
      name: "taxi-data",
      version: "3",
    });
    expect(parseInvokeBody({ input: "taxi-data:3" }).input).toEqual({
      kind: "data",
      name: "taxi-data",
      version: "3",
    });
    expect(parseInvokeBody({ input: { path: "https://example.com/a.csv", type: "uri_file" } }).input).toEqual(
      {
        kind: "uri",
        uri: "https://example.com/a.csv",
        type: "uri_file",
      },
    );
  });

  it("reads the Azure ML DataUrl body", () => {
    const request = parseInvokeBody({
      properties: { dataset: { dataInputType: "DataUrl", Path: "https://example.com/taxi-tip-data.csv" } },
    });
    expect(request).toEqual({
      input: { kind: "uri", uri: "https://example.com/taxi-tip-data.csv" },
      outputPath: undefined,
      overwrite: false,
      overrides: {},
    });
  });

  it("reads the Azure ML DatasetVersion body with its output dataset, in or beside properties", () => {
    const inside = parseInvokeBody({
      properties: {
        dataset: { dataInputType: "DatasetVersion", datasetName: "heart", datasetVersion: 2 },
        outputDataset: {
          datastoreId: "/subscriptions/s/resourceGroups/g/providers/x/datastores/workspaceblobstore",
          path: "out/run1",
        },
        outputFileName: "x.csv",
      },
    });
    expect(inside).toEqual({
      input: { kind: "data", name: "heart", version: "2" },
      outputPath: "azureml://datastores/workspaceblobstore/paths/out/run1",
      overwrite: false,
      overrides: { output_file_name: "x.csv" },
    });
    const beside = parseInvokeBody({
      properties: { dataset: { dataInputType: "DatasetVersion", datasetName: "heart", datasetVersion: "2" } },
      outputDataset: { datastoreId: "mystore", path: "/out" },
      outputFileName: "y.csv",
    });
    expect(beside.outputPath).toBe("azureml://datastores/mystore/paths/out");
    expect(beside.overrides.output_file_name).toBe("y.csv");
  });

  it("reads the Azure ML InputData/OutputData body, splitting a UriFile output into folder and file name", () => {
    const request = parseInvokeBody({
      properties: {
        InputData: { heart_dataset: { JobInputType: "UriFolder", Uri: "https://example.com/heart/" } },
        OutputData: { score: { JobOutputType: "UriFile", Uri: "azureml://datastores/ws/paths/out/p.csv" } },
      },
    });
    expect(request).toEqual({
      inputs: { heart_dataset: { kind: "uri", uri: "https://example.com/heart/", type: "uri_folder" } },
      outputPath: "azureml://datastores/ws/paths/out/",
      overwrite: false,
      overrides: { output_file_name: "p.csv" },
    });
  });

  const invalid: Array<[string, unknown, string, string]> = [
    ["an array", [1], "", "the body must be a JSON object"],
    ["no input", { mini_batch_size: 3 }, "input", "is required"],
    ["a local path", { input: "./data" }, "input", "must be a datastore URI"],
    ["a bad mini_batch_size", { input: "https://a/b", mini_batch_size: 0 }, "mini_batch_size", "must be ≥ 1"],
    [
      "a worker_memory_mb under 128",
      { input: "https://a/b", worker_memory_mb: 64 },
      "worker_memory_mb",
      "must be ≥ 128",
    ],
    [
      "a worker_memory_mb over the cap",
      { input: "https://a/b", worker_memory_mb: 100_000 },
      "worker_memory_mb",
      "must be ≤ 65536",
    ],
    ["an unknown key", { input: "https://a/b", minibatch: 3 }, "minibatch", "unknown key 'minibatch'"],
    ["a bad job name", { input: "https://a/b", job_name: "has space" }, "job_name", "must be 1-255 letters"],
    [
      "overwrite as a string",
      { input: "https://a/b", overwrite: "yes" },
      "overwrite",
      "must be true or false",
    ],
    ["a bad input_type", { input: "https://a/b", input_type: "mltable" }, "input_type", "must be one of"],
    ["an AML body without dataset", { properties: {} }, "properties.dataset", "is required"],
    [
      "an unknown dataInputType",
      { properties: { dataset: { dataInputType: "Tabular", Path: "x" } } },
      "properties.dataset.dataInputType",
      "",
    ],
    [
      "an InputData name with a dash",
      { properties: { InputData: { "heart-data": { JobInputType: "UriFolder", Uri: "https://a/" } } } },
      "properties.InputData.heart-data",
      "must be 1-64 letters, digits or '_'",
    ],
    [
      "a data input without a path",
      { inputs: { lookup: { type: "uri_file" } } },
      "inputs.lookup.path",
      "is required for a data input",
    ],
    [
      "a literal with a path",
      { input: "https://a/b", inputs: { mode: { type: "string", path: "https://a/c" } } },
      "inputs.mode.path",
      "has a value (default), not a path",
    ],
    [
      "a literal without a value",
      { input: "https://a/b", inputs: { mode: { type: "string" } } },
      "inputs.mode.default",
      "is required",
    ],
    [
      "an unknown input type",
      { inputs: { data: { type: "mltable", path: "https://a/" } } },
      "inputs.data.type",
      "must be one of",
    ],
    [
      "a uri_file score output without a file name",
      {
        input: "https://a/b",
        outputs: { score: { type: "uri_file", path: "azureml://datastores/ws/paths/out/" } },
      },
      "outputs.score.path",
      "must end with a file name",
    ],
  ];

  it.each(invalid)("refuses %s, naming where", (_label, body, path, message) => {
    const error = problem(body);
    expect(error.code).toBe("InvalidSpec");
    expect(error.status).toBe(400);
    const detail = error.details.find((d) => (d.path ?? "") === path);
    expect(detail, JSON.stringify(error.details)).toBeDefined();
    expect(detail?.message).toContain(message);
  });
});

describe("parseInvokeBody: named inputs and outputs", () => {
  it("reads batchfn's inputs and outputs maps, data and literals, with score setting the output folder", () => {
    const request = parseInvokeBody({
      inputs: {
        taxi: { type: "uri_folder", path: "azureml://datastores/workspaceblobstore/paths/taxi/" },
        lookup: { type: "uri_file", path: "azureml:zones:2", mode: "download" },
        threshold: { type: "number", default: "0.25" },
        label: { type: "string", default: 7 },
        strict: { type: "boolean", value: "TRUE" },
        batch: { type: "integer", default: 3 },
        inferred: { value: 1.5 },
      },
      outputs: {
        score: { type: "uri_file", path: "azureml://datastores/ws/paths/out/p.csv" },
        reports: { type: "uri_folder", path: "azureml://datastores/ws/paths/reports/" },
        charts: {},
      },
    });
    expect(request.input).toBeUndefined();
    expect(request.inputs).toEqual({
      taxi: { kind: "uri", uri: "azureml://datastores/workspaceblobstore/paths/taxi/", type: "uri_folder" },
      lookup: { kind: "data", name: "zones", version: "2" },
      threshold: { kind: "literal", type: "number", value: 0.25 },
      label: { kind: "literal", type: "string", value: "7" },
      strict: { kind: "literal", type: "boolean", value: true },
      batch: { kind: "literal", type: "integer", value: 3 },
      inferred: { kind: "literal", type: "number", value: 1.5 },
    });
    expect(request.outputPath).toBe("azureml://datastores/ws/paths/out/");
    expect(request.overrides.output_file_name).toBe("p.csv");
    expect(request.outputs).toEqual({
      reports: { type: "uri_folder", path: "azureml://datastores/ws/paths/reports/" },
      charts: { type: "uri_folder" },
    });
  });

  it("reads several InputData entries with literals, and OutputData beyond score", () => {
    const request = parseInvokeBody({
      properties: {
        InputData: {
          heart_data: { JobInputType: "UriFolder", Uri: "https://example.com/heart/" },
          zones: {
            JobInputType: "UriFile",
            Uri: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/datastores/ws/paths/zones.csv",
          },
          score_mode: { JobInputType: "Literal", Value: "append" },
          limit: { JobInputType: "Literal", Value: 10 },
        },
        OutputData: {
          score: { JobOutputType: "UriFolder", Uri: "azureml://datastores/ws/paths/out/" },
          reports: { JobOutputType: "UriFolder", Uri: "azureml://datastores/ws/paths/reports/" },
        },
      },
    });
    expect(request.inputs).toEqual({
      heart_data: { kind: "uri", uri: "https://example.com/heart/", type: "uri_folder" },
      zones: { kind: "uri", uri: "azureml://datastores/ws/paths/zones.csv", type: "uri_file" },
      score_mode: { kind: "literal", type: "string", value: "append" },
      limit: { kind: "literal", type: "integer", value: 10 },
    });
    expect(request.outputPath).toBe("azureml://datastores/ws/paths/out/");
    expect(request.outputs).toEqual({
      reports: { type: "uri_folder", path: "azureml://datastores/ws/paths/reports/" },
    });
  });

  it("reads a data asset given by its Azure ML resource id", () => {
    const request = parseInvokeBody({
      inputs: {
        heart: {
          type: "uri_folder",
          path: "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/data/heart-data/versions/1",
        },
      },
    });
    expect(request.inputs?.heart).toEqual({ kind: "data", name: "heart-data", version: "1" });
  });

  const wrongType: Array<[string, unknown, string]> = [
    ["an integer that is text", { type: "integer", default: "ten" }, "must be an integer, got 'ten'"],
    ["an integer with a fraction", { type: "integer", default: 2.5 }, "must be an integer, got 2.5"],
    [
      "a boolean that is text",
      { type: "boolean", default: "yes" },
      "must be a boolean (true or false), got 'yes'",
    ],
    ["a number that is text", { type: "number", default: "a lot" }, "must be a finite number, got 'a lot'"],
  ];

  it.each(wrongType)("refuses %s with InvalidLiteral, naming the input", (_label, entry, message) => {
    const error = problem({ input: "https://a/b", inputs: { limit: entry } });
    expect(error.code).toBe("InvalidLiteral");
    expect(error.status).toBe(400);
    expect(error.details).toEqual([{ path: "inputs.limit.default", code: "InvalidLiteral", message }]);
    expect(error.message).toContain("inputs.limit.default");
  });
});
