import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { repoRoot } from "../../support/app-process.js";
import { evaluateDeployment, readParametersFile } from "./bicep-deployment.js";
import { field, show } from "./bicep-values.js";
import { checkDockerfile, dockerfileNodeVersion } from "./dockerfile-checks.js";
import { enginesAdmit } from "./node-engines.js";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const dockerfile = read("Dockerfile");
const dockerignore = read(".dockerignore");

/** The Node line main.bicep runs the app on: the Flex runtime, and the Container App's stand-in image. */
function bicepNode(): { flex: string; placeholderImage: string } {
  const infra = join(repoRoot, "infra");
  const parameters = readParametersFile(join(infra, "main.parameters.json"));
  const flex = evaluateDeployment(join(infra, "main.bicep"), { ...parameters, hosting: "flex" });
  const site = flex.resources.find((r) => r.type === "Microsoft.Web/sites");
  const runtime = field(field(site?.body.properties, "functionAppConfig"), "runtime");
  const apps = evaluateDeployment(join(infra, "main.bicep"), { ...parameters, hosting: "containerapps" });
  const app = apps.resources.find((r) => r.type === "Microsoft.App/containerApps");
  const containers = field(field(app?.body.properties, "template"), "containers");
  const [container] = Array.isArray(containers) ? containers : [];
  return {
    flex: show(field(runtime, "version") ?? null),
    placeholderImage: show(field(container, "image") ?? null),
  };
}

describe("the Dockerfile", () => {
  const node = bicepNode();

  it("builds on the Azure Functions Node image of the line main.bicep runs, with Python, requirements.txt and no secret", () => {
    expect(dockerfileNodeVersion(dockerfile)).toBe(node.flex);
    expect(node.placeholderImage).toBe(`mcr.microsoft.com/azure-functions/node:4-node${node.flex}`);
    expect(checkDockerfile({ dockerfile, dockerignore, nodeVersion: node.flex })).toEqual([]);
  });

  it("agrees with package.json engines, which npm run package ships in the zip", () => {
    const engines = z
      .object({ engines: z.object({ node: z.string() }) })
      .parse(JSON.parse(read("package.json")));
    const version = dockerfileNodeVersion(dockerfile);
    expect(version).toBeDefined();
    expect(enginesAdmit(engines.engines.node, Number(version))).toBe(true);
  });

  const breakages: Array<{
    what: string;
    find: string | RegExp;
    replace: string;
    reported: RegExp;
    file?: "dockerignore";
  }> = [
    {
      what: "no base image line",
      find: /^FROM .*$/gm,
      replace: "",
      reported: /no FROM line/,
    },
    {
      what: "another Node line than main.bicep's",
      find: /4-node\d+/g,
      replace: "4-node20",
      reported: /runs Node 20, infra\/main\.bicep runs Node 22/,
    },
    {
      what: "a base image that is not the Functions host",
      find: /FROM mcr\.microsoft\.com\/azure-functions\/node:4-node\d+\n(?!.*AS)/,
      replace: "FROM node:22-bookworm\n",
      reported: /node:22-bookworm is not the Azure Functions Node image/,
    },
    {
      what: "a storage connection string baked in",
      find: "ENV AzureWebJobsScriptRoot",
      replace:
        "ENV AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc== \\\n    AzureWebJobsScriptRoot",
      reported: /holds a secret \(AccountKey=\)[\s\S]*gives AzureWebJobsStorage a value/,
    },
    {
      what: "an admin key as a build argument",
      find: "WORKDIR /home/site/wwwroot",
      replace: "ARG BATCHFN_ADMIN_KEY=0123456789abcdef\nWORKDIR /home/site/wwwroot",
      reported: /gives BATCHFN_ADMIN_KEY a value/,
    },
    {
      what: "local settings copied in",
      find: "COPY --from=build /build/dist ./dist",
      replace: "COPY --from=build /build/dist ./dist\nCOPY local.settings.json ./",
      reported: /copies local settings into the image/,
    },
    {
      what: "the whole build context copied in",
      find: "COPY src ./src",
      replace: "COPY . .",
      reported: /copies the whole build context/,
    },
    {
      what: "scikit-learn",
      find: " python3-sklearn",
      replace: "",
      reported: /apt-get install must include python3-sklearn/,
    },
    {
      what: "the requirements.txt install",
      find: /&& \/opt\/batchfn\/python\/bin\/pip install[^\n]*/,
      replace: "&& true",
      reported: /requirements\.txt must be copied into the image and installed/,
    },
    {
      what: "local.settings.json in .dockerignore",
      find: "local.settings.json\n",
      replace: "",
      reported: /\.dockerignore must list local\.settings\.json/,
      file: "dockerignore",
    },
  ];

  it.each(breakages)("fails its check on a copy with $what", (breakage) => {
    const original = breakage.file === "dockerignore" ? dockerignore : dockerfile;
    const broken = original.replace(breakage.find, breakage.replace);
    expect(broken).not.toBe(original);
    const problems = checkDockerfile({
      dockerfile: breakage.file === "dockerignore" ? dockerfile : broken,
      dockerignore: breakage.file === "dockerignore" ? broken : dockerignore,
      nodeVersion: node.flex,
    });
    expect(problems.join("\n")).toMatch(breakage.reported);
  });
});
