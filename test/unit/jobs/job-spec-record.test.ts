import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { buildJobSpec } from "../../../src/jobs/job-spec.js";
import { parseDeploymentDocument } from "../../../src/spec/deployment.schema.js";
import { parseInvokeBody } from "../../../src/spec/invoke.schema.js";
import { modelSchema } from "../../../src/spec/resources.js";

const model = modelSchema.parse({ name: "m", version: "1", path: "azureml://datastores/a/paths/m/" });
const noCode = parseDeploymentDocument("name: dpl\nendpoint_name: ep-one\nmodel: azureml:m:1\n").deployment;
const script = parseDeploymentDocument(
  "name: dpl\nendpoint_name: ep-one\nmodel: azureml:m:1\ncode_configuration: {code: azureml://datastores/a/paths/c/, scoring_script: score.js}\n",
).deployment;

function spec(deployment: typeof noCode, body: Record<string, unknown>) {
  return buildJobSpec({
    name: "job-1",
    endpointId: "id-1",
    now: new Date("2026-01-01T00:00:00Z"),
    deployment,
    model,
    request: parseInvokeBody({ input: "azureml://datastores/a/paths/in/", ...body }),
  });
}

describe("record settings of an invocation", () => {
  it("overrides the deployment's, and a new format gets its own default file name", () => {
    const built = spec(noCode, { output_format: "parquet", output_layout: "per_file", key_field: "id" });
    expect(built.settings).toMatchObject({
      output_format: "parquet",
      output_layout: "per_file",
      key_field: "id",
      output_file_name: "predictions.parquet",
    });
    expect(
      spec(noCode, { output_format: "parquet", output_file_name: "x.bin" }).settings.output_file_name,
    ).toBe("x.bin");
  });

  it("refuses pass-through columns for a deployment with a scoring script, naming the field as the body wrote it", () => {
    try {
      spec(script, { include_columns: ["a"] });
      expect.unreachable();
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(BatchfnError);
      const error = thrown as BatchfnError;
      expect(error.code).toBe("InvalidSpec");
      expect(error.status).toBe(400);
      expect(error.details).toEqual([
        expect.objectContaining({
          path: "include_columns",
          message: expect.stringContaining("no-code deployments"),
        }),
      ]);
    }
  });

  it("refuses include_columns given with the deployment's exclude_columns", () => {
    const excluding = parseDeploymentDocument(
      "name: dpl\nendpoint_name: ep-one\nmodel: azureml:m:1\nsettings: {exclude_columns: [b]}\n",
    ).deployment;
    expect(() => spec(excluding, { include_columns: ["a"] })).toThrow(
      /settings\.exclude_columns of the deployment: give include_columns or exclude_columns, not both/,
    );
  });
});
