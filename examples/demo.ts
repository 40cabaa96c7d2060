/**
 * `npm run demo`: the main job, end to end, on this machine. Starts an Azurite of its own (in memory,
 * on free ports, so it never meets the data of `npm start`) and the local
 * Functions host running batchfn's own `functions/`, registers the two examples (endpoint and
 * deployment YAML, model and code uploaded as artifacts), uploads their data, invokes each endpoint
 * over HTTP, follows the jobs until they end, and prints where the predictions are and their first
 * lines, and the job monitor page of each job. The two Python examples (sklearn-diabetes,
 * digits-python) run when the interpreter `BATCHFN_PYTHON` (default `python3`) imports their
 * packages; otherwise the demo says which it skipped and why. Exits 0 when every job it ran
 * completed, 1 otherwise.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { registerDeploymentFile, registerEndpointFile } from "../src/api/registry/register-from-files.js";
import { BatchfnError } from "../src/errors.js";
import { startLocalApp } from "../src/local-host/start-local-app.js";
import { createRegistry, type Registry } from "../src/registry/registry.js";
import { probePython } from "../src/scoring/python/python-probe.js";
import { moduleOf } from "../src/scoring/python/python-requirements.js";
import { createStorageClients } from "../src/storage/clients.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The demo's own host admin key, sent with every request. */
const adminKey = randomBytes(24).toString("base64url");
const authorized = { "x-functions-key": adminKey };
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
      const status = await runJob(app.url, example.name, input, example.show);
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

interface JobView {
  name: string;
  status: string;
  message?: string;
  output: { path: string };
  progress?: {
    mini_batches: { total: number; succeeded: number; failed: number };
    items: { succeeded: number; failed: number };
  };
  links: { self: string; outputs: string };
}

async function runJob(url: string, endpoint: string, input: string, show: number): Promise<string> {
  const invoked = await fetch(`${url}/api/batch-endpoints/${endpoint}/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authorized },
    body: JSON.stringify({ input }),
  });
  const job = (await invoked.json()) as JobView;
  if (invoked.status !== 202) throw new Error(`invoke answered ${invoked.status}: ${JSON.stringify(job)}`);
  console.log(`  job ${job.name} started (POST /api/batch-endpoints/${endpoint}/jobs → ${invoked.status})`);
  console.log(`  watch it: ${url}/api/monitor/#/jobs/${encodeURIComponent(job.name)}`);
  let view = job;
  let last = "";
  for (;;) {
    view = (await (await fetch(job.links.self, { headers: authorized })).json()) as JobView;
    const p = view.progress;
    const line = p
      ? `  ${view.status}: ${p.mini_batches.succeeded + p.mini_batches.failed}/${p.mini_batches.total} mini-batches, ${p.items.succeeded} items scored, ${p.items.failed} failed`
      : `  ${view.status}`;
    if (line !== last) console.log(line);
    last = line;
    if (["Completed", "Failed", "Canceled"].includes(view.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (view.message) console.log(`  ${view.message}`);
  const outputs = (await (await fetch(view.links.outputs, { headers: authorized })).json()) as {
    value: Array<{ name: string; path: string; size: number; download_url: string }>;
  };
  console.log(`  outputs in ${view.output.path}`);
  for (const file of outputs.value)
    console.log(`    ${file.name} (${file.size} bytes)  ${file.download_url}`);
  const predictions = outputs.value.find((file) => file.name === "predictions.csv");
  if (predictions) {
    const text = await (await fetch(predictions.download_url, { headers: authorized })).text();
    console.log(`  first lines of ${predictions.path}:`);
    for (const row of text.split("\n").slice(0, show)) console.log(`    ${row}`);
  }
  return view.status;
}

main().then(
  (code) => process.exit(code),
  (thrown: unknown) => {
    console.error(thrown instanceof BatchfnError ? `${thrown.code}: ${thrown.message}` : thrown);
    process.exit(1);
  },
);
