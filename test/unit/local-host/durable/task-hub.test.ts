import { describe, expect, it } from "vitest";
import { instanceFilterText } from "../../../../src/local-host/durable/instance-query.js";
import {
  decodeInstanceId,
  encodeInstanceId,
  taskHubNames,
} from "../../../../src/local-host/durable/task-hub.js";

describe("task hub resources", () => {
  it("derives names that carry the hub and never the extension's own", () => {
    expect(taskHubNames("BatchHub")).toEqual({
      hub: "BatchHub",
      instancesTable: "BatchHubLocalInstances",
      controlQueue: "batchhub-local-control",
      stateContainer: "batchhub-local-state",
    });
    expect(() => taskHubNames("batch-hub")).toThrow(/Task hub name 'batch-hub'/);
    expect(() => taskHubNames("x".repeat(46))).toThrow(/3-45/);
  });

  it("encodes instance ids as keys without / \\ # ? and keeps prefixes", () => {
    for (const id of ["a/b\\c#d?e", "job:0", "sp ace", "é'(*)!"]) {
      const key = encodeInstanceId(id);
      expect(key).not.toMatch(/[/\\#?]/);
      expect(decodeInstanceId(key)).toBe(id);
    }
    expect(encodeInstanceId("job-1/part").startsWith(encodeInstanceId("job-1/"))).toBe(true);
  });

  it("filters instances by time, status and id prefix", () => {
    expect(instanceFilterText({})).toBeUndefined();
    expect(
      instanceFilterText({
        createdTimeFrom: new Date("2026-01-01T00:00:00Z"),
        runtimeStatus: ["Running", "Pending"],
        instanceIdPrefix: "o'k",
      }),
    ).toBe(
      "createdTime ge datetime'2026-01-01T00:00:00.000Z' and (runtimeStatus eq 'Running' or runtimeStatus eq 'Pending') and PartitionKey ge 'o%27k' and PartitionKey lt 'o%27l'",
    );
  });
});
