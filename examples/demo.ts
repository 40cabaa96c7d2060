/**
 * `npm run demo`: the main job, end to end, on this machine. Starts an Azurite of its own (in memory,
 * on free ports, so it never meets the data of `npm start`) and the local
 * Functions host running batchfn's own `functions/`, registers the two examples (endpoint and
 * deployment YAML, model and code uploaded as artifacts), uploads their data, invokes each endpoint
 * over HTTP, follows the jobs until they end, downloads each job's outputs into
 * `./demo-output/<job>/` (they outlive the in-memory storage) and prints their paths and first
 * lines, and the job monitor page of each job. The two Python examples (sklearn-diabetes,
 * digits-python) run when the interpreter `BATCHFN_PYTHON` (default `python3`) imports their
 * packages; otherwise the demo says which it skipped and why. Exits 0 when every job it ran
 * completed, 1 otherwise. Options: `--only NAME[,NAME]` runs those examples only; `--output-dir DIR`
 * downloads into DIR instead of `./demo-output`.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { registerDeploymentFile, registerEndpointFile } from "../src/api/registry/register-from-files.js";
import { BatchfnError } from "../src/errors.js";
import { startLocalApp } from "../src/local-host/start-local-app.js";
import { createRegistry, type Registry } from "../src/registry/registry.js";
import { probePython } from "../src/scoring/python/python-probe.js";
import { moduleOf } from "../src/scoring/python/python-requirements.js";
import { createStorageClients } from "../src/storage/clients.js";
import { runDemoJob } from "./demo-job.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The demo's own host admin key, sent with every request. */
const adminKey = randomBytes(24).toString("base64url");
const examples = [
  { name: "taxi-tip", data: "data", show: 5, python: false },
  { name: "digits", data: "data", show: 5, python: false },
  { name: "sklearn-diabetes", data: "data", show: 5, python: true },
  { name: "digits-python", data: "../digits/data", show: 5, python: true },
];
/** The packages the Python examples import (Debian: python3-sklearn python3-pandas python3-cloudpickle python3-pil). */
const PYTHON_PACKAGES = ["scikit-learn", "pandas", "cloudpickle", "pillow", "numpy"];

/** Why the Python examples cannot run here, or undefined when they can. */
async function pythonMissing(interpreter: string): Promise<string | undefined> {
  const requirements = PYTHON_PACKAGES.map((name) => ({ name, module: moduleOf(name), source: "demo" }));
  const probe = await probePython(interpreter, requirements);
  if (!probe.available)
    return `the interpreter '${interpreter}' (BATCHFN_PYTHON) is unavailable: ${probe.reason}`;
  const missing = requirements.filter((r) => !probe.modules[r.module]?.found).map((r) => r.module);
  if (missing.length === 0) return undefined;
  return `'${interpreter}' (BATCHFN_PYTHON, Python ${probe.version}) cannot import ${missing.join(", ")}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: "string" }, "output-dir": { type: "string", default: "demo-output" } },
  });
  const only = values.only?.split(",").map((name) => name.trim());
  const unknown = only?.filter((name) => !examples.some((example) => example.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`--only: no example ${unknown.join(", ")} (${examples.map((e) => e.name).join(", ")})`);
  }
  const outputDir = resolve(values["output-dir"]);
  const started = Date.now();
  const interpreter = process.env.BATCHFN_PYTHON || "python3";
  const noPython = await pythonMissing(interpreter);
  const app = await startLocalApp({
    appDir: root,
    entry: "functions/index.ts",
    port: 0,
    storage: { kind: "isolated" },
    settings: { BATCHFN_ADMIN_KEY: adminKey, BATCHFN_PYTHON: interpreter },
  });
  console.log(
    `batchfn is running at ${app.url} (Azurite and the local Functions host, ${Date.now() - started} ms)`,
  );
  console.log(
    `job monitor: ${app.url}/api/monitor/ while the demo runs (sign in with the demo's admin key ${adminKey})`,
  );
  try {
    const clients = createStorageClients(app.config.storage);
    const registry = createRegistry({ clients, config: app.config });
    const data = clients.blob.getContainerClient(app.config.containers.data);
    await data.createIfNotExists();
    let failed = 0;
    for (const example of examples) {
      if (only && !only.includes(example.name)) continue;
      if (example.python && noPython) {
        console.log(
          `\n▷ ${example.name}: skipped, ${noPython}. Install the packages with scripts/install-prerequisites.sh and set BATCHFN_PYTHON=/usr/bin/python3.`,
        );
        continue;
      }
      const dir = join(root, "examples", example.name);
      await register(registry, dir, interpreter);
      const files = await readdir(join(dir, example.data));
      for (const file of files) {
        const body = await readFile(join(dir, example.data, file));
        await data.getBlockBlobClient(`demo/${example.name}/${file}`).upload(body, body.length);
      }
      const input = `azureml://datastores/workspaceblobstore/paths/demo/${example.name}/`;
      console.log(`\n▶ ${example.name}: ${files.length} files uploaded to ${input}`);
      const status = await runDemoJob({
        url: app.url,
        adminKey,
        endpoint: example.name,
        input,
        show: example.show,
        outputDir,
      });
      if (status !== "Completed") failed += 1;
    }
    return failed === 0 ? 0 : 1;
  } finally {
    await app.stop();
  }
}

async function register(registry: Registry, dir: string, pythonInterpreter: string): Promise<void> {
  const options = { registry, workDir: join(tmpdir(), "batchfn-demo"), pythonInterpreter };
  await registerEndpointFile(join(dir, "endpoint.yml"), options);
  try {
    await registerDeploymentFile(join(dir, "deployment.yml"), options);
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError && thrown.code === "AlreadyExists")) throw thrown;
  }
}

main().then(
  (code) => process.exit(code),
  (thrown: unknown) => {
    console.error(thrown instanceof BatchfnError ? `${thrown.code}: ${thrown.message}` : thrown);
    process.exit(1);
  },
);
