import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../support/app-process.js";
import { evaluateDeployment, readParametersFile } from "./bicep-deployment.js";
import { COMBINATIONS, describeCombination } from "./combinations.js";
import { checkInfra } from "./infra-checks.js";
import { codeExpectations, infraFiles } from "./infra-expectations.js";

const infraDir = join(repoRoot, "infra");

describe("infra/main.bicep in every combination of hosting, Durable backend and network", () => {
  const expectations = codeExpectations();

  it.each(
    COMBINATIONS.map((c) => ({ ...c, name: describeCombination(c) })),
  )("$name: holds what the code and the combination need, and nothing it must not", (combination) => {
    // minimumReplicas 0 asks for scale to zero: the Azure Storage backend must refuse it.
    const problems = checkInfra(infraFiles(infraDir), expectations, combination, {
      minimumReplicas: 0,
      maximumReplicas: 37,
    });
    expect(problems).toEqual([]);
  });

  it("lets a Container App on the scheduler scale to zero and keeps one on Azure Storage", () => {
    const parameters = readParametersFile(join(infraDir, "main.parameters.json"));
    const minReplicas = (durableBackend: string) => {
      const deployment = evaluateDeployment(join(infraDir, "main.bicep"), {
        ...parameters,
        hosting: "containerapps",
        durableBackend,
        minimumReplicas: 0,
      });
      const app = deployment.resources.find((r) => r.type === "Microsoft.App/containerApps");
      return JSON.parse(JSON.stringify(app?.body.properties)).template.scale.minReplicas;
    };
    expect(minReplicas("durableTaskScheduler")).toBe(0);
    expect(minReplicas("azureStorage")).toBe(1);
  });
});
