import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { buildJobSpec } from "../../../src/jobs/job-spec.js";
import { parseDeploymentDocument } from "../../../src/spec/deployment.schema.js";
import { parseInvokeBody } from "../../../src/spec/invoke.schema.js";
import type { Deployment } from "../../../src/spec/resources.js";
import { modelSchema } from "../../../src/spec/resources.js";

const model = modelSchema.parse({ name: "m", version: "1", path: "azureml://datastores/ws/paths/m/" });

function deployment(extra = ""): Deployment {
  return parseDeploymentDocument(
    `name: blue\nendpoint_name: taxi\nmodel: azureml:m:1\ncode_configuration: {code: azureml://datastores/ws/paths/c/, scoring_script: score.js}\n${extra}`,
  ).deployment;
}

function spec(body: unknown, target: Deployment = deployment()) {
  return buildJobSpec({
    name: "job-1",
    endpointId: "e1",
    now: new Date("2026-01-01T00:00:00Z"),
    deployment: target,
    model,
    request: parseInvokeBody(body),
  });
}

function refusal(body: unknown, target?: Deployment): BatchfnError {
  try {
    spec(body, target);
  } catch (thrown) {
    if (thrown instanceof BatchfnError) return thrown;
    throw thrown;
  }
  throw new Error("the invocation was accepted");
}

const TAXI = "azureml://datastores/ws/paths/taxi/";
const ZONES = "azureml://datastores/ws/paths/zones.csv";

const declaring = deployment(`
inputs:
  taxi: {type: uri_folder}
  zones: {type: uri_file}
  threshold: {type: number, default: 0.5}
  mode: {type: string, optional: true}
outputs:
  reports: {type: uri_folder}
settings:
  default_input: taxi
`);

describe("choosing a job's inputs and outputs", () => {
  it("takes the only data input as the default and keeps the others as named inputs", () => {
    const job = spec({
      inputs: {
        taxi: { type: "uri_folder", path: TAXI },
        limit: { type: "integer", default: 5 },
      },
    });
    expect(job.input).toEqual({ kind: "uri", uri: TAXI, type: "uri_folder" });
    expect(job.input_name).toBe("taxi");
    expect(job.inputs).toEqual({ limit: { kind: "literal", type: "integer", value: 5 } });
    expect(job.outputs).toBeUndefined();
  });

  it("keeps the input given without a name as the default, every named data input beside it", () => {
    const job = spec({ input: TAXI, inputs: { zones: { type: "uri_file", path: ZONES } } });
    expect(job.input).toEqual({ kind: "uri", uri: TAXI });
    expect(job.input_name).toBeUndefined();
    expect(job.inputs).toEqual({ zones: { kind: "uri", uri: ZONES, type: "uri_file" } });
  });

  it("applies the deployment's declarations: the named default, types, literal defaults, declared outputs", () => {
    const job = spec(
      {
        properties: {
          InputData: {
            taxi: { JobInputType: "UriFolder", Uri: TAXI },
            zones: { JobInputType: "UriFile", Uri: ZONES },
            threshold: { JobInputType: "Literal", Value: "0.8" },
          },
        },
      },
      declaring,
    );
    expect(job.input_name).toBe("taxi");
    expect(job.inputs).toEqual({
      zones: { kind: "uri", uri: ZONES, type: "uri_file" },
      threshold: { kind: "literal", type: "number", value: 0.8 },
    });
    expect(job.outputs).toEqual({
      reports: { path: "azureml://datastores/workspaceblobstore/paths/batchfn-named-outputs/job-1/reports/" },
    });
    const defaults = spec({ inputs: { taxi: { path: TAXI }, zones: { path: ZONES } } }, declaring);
    expect(defaults.inputs?.threshold).toEqual({ kind: "literal", type: "number", value: 0.5 });
    expect(defaults.inputs?.mode).toBeUndefined();
  });

  it("gives a named output its own folder, and takes a single output of another name as score", () => {
    const job = spec({
      input: TAXI,
      outputs: { score: { path: "azureml://datastores/ws/paths/out" }, charts: {} },
    });
    expect(job.output.path).toBe("azureml://datastores/ws/paths/out/");
    expect(job.outputs).toEqual({
      charts: { path: "azureml://datastores/workspaceblobstore/paths/batchfn-named-outputs/job-1/charts/" },
    });
    const sole = spec({
      properties: {
        InputData: { heart: { JobInputType: "UriFolder", Uri: TAXI } },
        OutputData: {
          predictions: { JobOutputType: "UriFile", Uri: "azureml://datastores/ws/paths/o/p.csv" },
        },
      },
    });
    expect(sole.output.path).toBe("azureml://datastores/ws/paths/o/");
    expect(sole.settings.output_file_name).toBe("p.csv");
    expect(sole.outputs).toBeUndefined();
  });

  it("refuses two default inputs: two data inputs and none named the default", () => {
    const error = refusal({ inputs: { a: { path: TAXI }, b: { path: ZONES } } });
    expect(error.code).toBe("AmbiguousDefaultInput");
    expect(error.status).toBe(400);
    expect(error.details.map((d) => d.path)).toEqual(["inputs.a", "inputs.b"]);
    expect(error.message).toContain("default_input");
  });

  it("refuses two default inputs: one given without a name and the one default_input names", () => {
    const error = refusal({ input: TAXI, inputs: { taxi: { path: TAXI } }, default_input: "taxi" });
    expect(error.code).toBe("AmbiguousDefaultInput");
    expect(error.details[0]?.path).toBe("inputs.taxi");
  });

  it("refuses an input name the deployment does not declare", () => {
    const error = refusal(
      { inputs: { taxi: { path: TAXI }, zones: { path: ZONES }, colour: { default: "red" } } },
      declaring,
    );
    expect(error.code).toBe("UnknownInput");
    expect(error.status).toBe(400);
    expect(error.details).toEqual([
      { path: "inputs.colour", message: expect.stringContaining("taxi, zones") },
    ]);
  });

  it("refuses a literal of the wrong type for its declaration", () => {
    const error = refusal(
      {
        properties: {
          InputData: {
            taxi: { JobInputType: "UriFolder", Uri: TAXI },
            zones: { JobInputType: "UriFile", Uri: ZONES },
            threshold: { JobInputType: "Literal", Value: "high" },
          },
        },
      },
      declaring,
    );
    expect(error.code).toBe("InvalidLiteral");
    expect(error.details).toEqual([
      { path: "inputs.threshold", message: "must be a finite number, got 'high'" },
    ]);
  });

  it("refuses a declared input not given, a default not given, a file for a folder, an undeclared output", () => {
    expect(refusal({ inputs: { taxi: { path: TAXI } } }, declaring).code).toBe("MissingInput");
    expect(refusal({ inputs: { zones: { path: ZONES } } }, declaring).details[0]?.path).toBe("inputs.taxi");
    expect(
      refusal({ inputs: { taxi: { path: TAXI }, zones: { type: "uri_folder", path: TAXI } } }, declaring)
        .code,
    ).toBe("InputTypeMismatch");
    const output = refusal(
      { inputs: { taxi: { path: TAXI }, zones: { path: ZONES } }, outputs: { a: {}, b: {} } },
      declaring,
    );
    expect(output.code).toBe("UnknownOutput");
    expect(output.details[0]?.path).toBe("outputs.a");
    expect(refusal({ inputs: { n: { default: 1 } } }).code).toBe("MissingInput");
  });
});

describe("deployment declarations", () => {
  it("refuses a literal default of the wrong type, a default_input that is not declared data, a score output", () => {
    const check = (extra: string) => {
      try {
        deployment(extra);
      } catch (thrown) {
        if (thrown instanceof BatchfnError) return thrown;
        throw thrown;
      }
      throw new Error("accepted");
    };
    const wrong = check("inputs:\n  n: {type: integer, default: many}");
    expect(wrong.code).toBe("InvalidSpec");
    expect(wrong.details).toEqual([{ path: "inputs.n.default", message: "must be an integer, got 'many'" }]);
    expect(check("inputs:\n  d: {type: uri_folder, default: x}").details[0]?.path).toBe("inputs.d.default");
    expect(
      check("inputs:\n  d: {type: uri_folder}\nsettings:\n  default_input: e").details[0]?.message,
    ).toContain("which inputs does not declare");
    expect(
      check("inputs:\n  n: {type: string}\nsettings:\n  default_input: n").details[0]?.message,
    ).toContain("a string input");
    expect(check("outputs:\n  score: {type: uri_folder}").details[0]?.path).toBe("outputs.score");
    expect(check("outputs:\n  r: {type: uri_file}").details[0]?.path).toBe("outputs.r.type");
  });
});
