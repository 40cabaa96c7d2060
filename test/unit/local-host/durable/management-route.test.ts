import { describe, expect, it } from "vitest";
import {
  parseRoute,
  parseStatusFilter,
  queryFlag,
} from "../../../../src/local-host/durable/management-route.js";

const route = (method: string, path: string) =>
  parseRoute(new URL(`http://h${path}`), method, "/durabletask/");

describe("management routes", () => {
  it("reads every operation under the webhook path and the rpc path", () => {
    expect(route("POST", "/runtime/webhooks/durabletask/orchestrators/job")).toEqual({
      webhook: true,
      kind: "start",
      functionName: "job",
      instanceId: undefined,
    });
    expect(route("POST", "/durabletask/orchestrators/job/my%20id")).toEqual({
      webhook: false,
      kind: "start",
      functionName: "job",
      instanceId: "my id",
    });
    expect(route("GET", "/durabletask/instances/a%3A1")).toEqual({
      webhook: false,
      kind: "status",
      instanceId: "a:1",
    });
    expect(route("DELETE", "/durabletask/instances/a")).toMatchObject({ kind: "purge", instanceId: "a" });
    expect(route("GET", "/durabletask/instances/")).toMatchObject({ kind: "list" });
    expect(route("GET", "/runtime/webhooks/durabletask/instances")).toMatchObject({
      kind: "list",
      webhook: true,
    });
    expect(route("DELETE", "/durabletask/instances/")).toMatchObject({ kind: "purgeBy" });
    expect(route("POST", "/durabletask/instances/a/raiseEvent/Go")).toMatchObject({
      kind: "raiseEvent",
      instanceId: "a",
      eventName: "Go",
    });
    for (const action of ["terminate", "suspend", "resume", "restart"]) {
      expect(route("POST", `/durabletask/instances/a/${action}`)).toMatchObject({
        kind: action,
        instanceId: "a",
      });
    }
    expect(route("POST", "/durabletask/instances/a/rewind")).toMatchObject({ kind: "unsupported" });
    expect(route("GET", "/durabletask/entities/counter/x")).toMatchObject({ kind: "unsupported" });
  });

  it("finds no operation for other paths and methods", () => {
    expect(route("GET", "/api/durabletask/instances/a")).toBeUndefined();
    expect(route("PUT", "/durabletask/instances/a")).toBeUndefined();
    expect(route("GET", "/durabletask/instances/a/terminate")).toBeUndefined();
    expect(route("POST", "/durabletask/instances/a/explode")).toBeUndefined();
    expect(route("GET", "/durabletask/orchestrators/job")).toBeUndefined();
  });

  it("parses flags and filters, naming the bad parameter", () => {
    const query = new URLSearchParams(
      "showHistory=TRUE&createdTimeFrom=2026-01-01T00:00:00Z&runtimeStatus=completed,Failed,Canceled&instanceIdPrefix=job-",
    );
    expect(queryFlag(query, "showHistory", false)).toBe(true);
    expect(queryFlag(query, "showInput", true)).toBe(true);
    expect(parseStatusFilter(query)).toEqual({
      createdTimeFrom: new Date("2026-01-01T00:00:00Z"),
      createdTimeTo: undefined,
      runtimeStatus: ["Completed", "Failed", "Canceled"],
      instanceIdPrefix: "job-",
    });
    expect(() => queryFlag(new URLSearchParams("showInput=yes"), "showInput", true)).toThrow(/'showInput'/);
    expect(() => parseStatusFilter(new URLSearchParams("createdTimeTo=soon"))).toThrow(/'createdTimeTo'/);
    expect(() => parseStatusFilter(new URLSearchParams("runtimeStatus=Sleeping"))).toThrow(/Sleeping/);
  });
});
