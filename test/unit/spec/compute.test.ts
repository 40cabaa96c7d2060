import { describe, expect, it } from "vitest";
import { BatchfnError } from "../../../src/errors.js";
import { computeTargetOf, parseComputeDocument } from "../../../src/spec/compute.schema.js";

describe("AmlCompute documents", () => {
  it("keeps max_instances as the bound and lists the keys it does not use, with why", () => {
    const { compute, warnings } = parseComputeDocument(
      "name: cpu-cluster\ntype: AmlCompute\nsize: STANDARD_DS3_v2\nmin_instances: 0\nmax_instances: 5\n",
    );
    expect(compute).toMatchObject({
      name: "cpu-cluster",
      type: "amlcompute",
      max_instances: 5,
      min_instances: 0,
    });
    expect(Object.keys(compute.not_used)).toEqual(["min_instances", "size"]);
    expect(warnings).toEqual([
      expect.stringMatching(/^min_instances: accepted, not used: /),
      expect.stringMatching(/^size: accepted, not used: /),
    ]);
    expect(parseComputeDocument({ name: "c1" }).compute).toMatchObject({ max_instances: 4, not_used: {} });
  });

  it("refuses unknown keys, other types, bad names and min above max, listing every problem", () => {
    const refused = (() => {
      try {
        parseComputeDocument({ name: "x", type: "kubernetes", max_nodes: 3 });
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(refused).toBeInstanceOf(BatchfnError);
    expect((refused as BatchfnError).details.map((detail) => detail.path).sort()).toEqual([
      "max_nodes",
      "name",
      "type",
    ]);
    expect(() => parseComputeDocument({ name: "c1", min_instances: 3, max_instances: 2 })).toThrow(
      /min_instances: must not be above max_instances \(2\)/,
    );
  });
});

describe("the compute a deployment names", () => {
  it("reads azureml:<name>, a 2021 target mapping and an Azure resource id", () => {
    expect(computeTargetOf({ compute: "azureml:cpu-cluster" })).toBe("cpu-cluster");
    expect(computeTargetOf({ compute: { target: "azureml:gpu" } })).toBe("gpu");
    expect(
      computeTargetOf({
        compute:
          "/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/computes/batch-cluster",
      }),
    ).toBe("batch-cluster");
    expect(computeTargetOf({})).toBeUndefined();
    expect(computeTargetOf({ compute: { instance_count: 2 } })).toBeUndefined();
  });
});
