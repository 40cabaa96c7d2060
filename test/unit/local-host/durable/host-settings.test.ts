import { describe, expect, it } from "vitest";
import { durableHostSettings } from "../../../../src/local-host/durable/host-settings.js";

describe("durable settings of host.json", () => {
  it("reads the hub and the concurrency limits, with the extension's defaults", () => {
    const hostJson = {
      extensions: { durableTask: { hubName: "BatchHub", maxConcurrentActivityFunctions: 8 } },
    };
    expect(durableHostSettings(hostJson, 2)).toEqual({
      hubName: "BatchHub",
      maxConcurrentActivityFunctions: 8,
      maxConcurrentOrchestratorFunctions: 20,
    });
    expect(durableHostSettings({}, 4)).toEqual({
      hubName: "TestHubName",
      maxConcurrentActivityFunctions: 40,
      maxConcurrentOrchestratorFunctions: 40,
    });
  });

  it("names the bad setting", () => {
    expect(() =>
      durableHostSettings({ extensions: { durableTask: { maxConcurrentActivityFunctions: 0 } } }, 1),
    ).toThrow(/extensions.durableTask.maxConcurrentActivityFunctions/);
  });
});
