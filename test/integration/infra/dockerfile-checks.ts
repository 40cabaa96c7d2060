/** What the project's Dockerfile must hold, checked from its text (no Docker daemon needed). */
export interface DockerfileInput {
  dockerfile: string;
  dockerignore: string;
  /** The Node.js major version infra/main.bicep runs the app on. */
  nodeVersion: string;
}

const BASE_IMAGE = /^mcr\.microsoft\.com\/azure-functions\/node:4-node(\d+)(-slim)?$/;
const PYTHON_PACKAGES = [
  "python3",
  "python3-sklearn",
  "python3-pandas",
  "python3-cloudpickle",
  "python3-pil",
];
const IGNORED = ["local.settings.json", ".git", "node_modules", ".azurite", ".env"];
/** Values that are secrets whatever variable holds them. */
const SECRET_TEXT = [
  /AccountKey=/i,
  /SharedAccessSignature=/i,
  /[?&]sig=/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bDefaultEndpointsProtocol=/i,
  /\bInstrumentationKey=/i,
];
/** Names of variables that must never get a value in the image. */
const SECRET_NAMES = /(KEY|SECRET|PASSWORD|TOKEN|CONNECTION_STRING|^AzureWebJobsStorage$|SAS)/i;

/** The Node major of the Functions base image every stage starts from; undefined when there is none. */
export function dockerfileNodeVersion(dockerfile: string): string | undefined {
  const bases = fromLines(dockerfile).map((line) => BASE_IMAGE.exec(line.image)?.[1]);
  const [first] = bases;
  return bases.every((major) => major !== undefined && major === first) ? first : undefined;
}

/** One sentence per problem. */
export function checkDockerfile({ dockerfile, dockerignore, nodeVersion }: DockerfileInput): string[] {
  const problems: string[] = [];
  const froms = fromLines(dockerfile);
  const stages = new Set(froms.flatMap((from) => (from.stage ? [from.stage] : [])));
  const external = froms.filter((from) => !stages.has(from.image));
  if (external.length === 0) problems.push("the Dockerfile has no FROM line (base image)");
  for (const from of external) {
    const major = BASE_IMAGE.exec(from.image)?.[1];
    if (major === undefined) {
      problems.push(
        `base image ${from.image} is not the Azure Functions Node image (mcr.microsoft.com/azure-functions/node:4-node<N>)`,
      );
    } else if (major !== nodeVersion) {
      problems.push(`base image ${from.image} runs Node ${major}, infra/main.bicep runs Node ${nodeVersion}`);
    }
  }
  const last = froms.at(-1);
  if (last && !BASE_IMAGE.test(last.image))
    problems.push("the final stage must run on the Azure Functions Node image");

  const instructions = logicalLines(dockerfile);
  const runs = instructions.filter((line) => /^RUN\s/i.test(line)).join("\n");
  const install = /apt-get install[^\n]*/.exec(runs)?.[0] ?? "";
  for (const pkg of PYTHON_PACKAGES) {
    if (!install.split(/\s+/).includes(pkg)) problems.push(`apt-get install must include ${pkg}`);
  }
  if (
    !instructions.some((line) => /^COPY\s.*\brequirements\.txt\b/i.test(line)) ||
    !/pip install[^\n]*-r \S*requirements\.txt/.test(runs)
  ) {
    problems.push("requirements.txt must be copied into the image and installed with pip install -r");
  }
  if (!/\bnpm ci\b/.test(runs) || !/\bnpm run build\b/.test(runs)) {
    problems.push("the app must be built in the image with npm ci and npm run build");
  }
  for (const line of instructions) {
    for (const pattern of SECRET_TEXT) {
      if (pattern.test(line)) problems.push(`the Dockerfile holds a secret (${pattern.source}): ${line}`);
    }
    const assignment = /^(ENV|ARG)\s+(.*)$/i.exec(line);
    for (const [, name = "", value = ""] of assignment?.[2]?.matchAll(
      /([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?/g,
    ) ?? []) {
      if (SECRET_NAMES.test(name) && value.replace(/"/g, "") !== "") {
        problems.push(
          `the Dockerfile gives ${name} a value: secrets come from the app's settings at run time`,
        );
      }
    }
    if (/^(COPY|ADD)\s/i.test(line) && /(local\.settings\.json|\.env\b)/.test(line)) {
      problems.push(`the Dockerfile copies local settings into the image: ${line}`);
    }
    if (/^(COPY|ADD)\s+(--\S+\s+)*\.\s/i.test(line)) {
      problems.push(`the Dockerfile copies the whole build context (${line}); copy the paths the app needs`);
    }
  }
  const ignored = dockerignore.split("\n").map((entry) => entry.trim());
  for (const entry of IGNORED) {
    if (!ignored.includes(entry)) problems.push(`.dockerignore must list ${entry}`);
  }
  return problems;
}

function fromLines(dockerfile: string): Array<{ image: string; stage?: string }> {
  return logicalLines(dockerfile).flatMap((line) => {
    const match = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    return match?.[1] ? [{ image: match[1], stage: match[2] }] : [];
  });
}

/** Instructions with their continuation lines joined, comments and blank lines dropped. */
function logicalLines(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
