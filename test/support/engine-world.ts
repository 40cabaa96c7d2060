import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { createEngine, type Engine } from "../../src/app/create-engine.js";
import type { Config } from "../../src/config.js";
import { runActivity } from "../../src/jobs/activities/run-activity.js";
import type { JobRunner } from "../../src/jobs/job-runner.js";
import { buildJobSpec, type JobSpec } from "../../src/jobs/job-spec.js";
import { activityNames } from "../../src/jobs/orchestration/activity-contract.js";
import {
  ACTIVITY,
  finalizeInputSchema,
  type JobResult,
  jobResultSchema,
  ORCHESTRATION,
} from "../../src/jobs/orchestration/contract.js";
import { scoringJob, scoringJobChunk } from "../../src/jobs/orchestration/scoring-job.js";
import { submitJob } from "../../src/jobs/submit-job.js";
import { parseInvokeBody } from "../../src/spec/invoke.schema.js";
import type { StorageClients } from "../../src/storage/clients.js";
import { runOrchestration } from "./durable-runner.js";
import { testClients, testConfig, uniqueName } from "./storage.js";

export interface EngineWorld {
  config: Config;
  clients: StorageClients;
  engine: Engine;
  /** Uploads a local folder (or files) under a prefix of the data container (`workspaceblobstore`). */
  upload(prefix: string, files: Record<string, string | Buffer>): Promise<void>;
  uploadFolder(prefix: string, dir: string): Promise<number>;
  /**
   * Invokes a deployment and runs the job to its end through the real orchestration; rejects when
   * the orchestration fails. `beforeFinalize` runs just before the finalize activity.
   */
  runJob(options: {
    endpoint: string;
    deployment: string;
    body: unknown;
    name?: string;
    beforeFinalize?: (jobName: string) => Promise<void>;
  }): Promise<{
    spec: JobSpec;
    result: JobResult;
  }>;
  /** Runs a started job's orchestration to its end, as the Durable host would (for handlers that start jobs). */
  runner: JobRunner;
  /** Reads a blob of the data container. */
  read(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A fresh configuration, registry and engine on the test Azurite, with a scratch folder of its own;
 * `settings` are app settings over the test ones (`BATCHFN_WORKER_MEMORY_MB`...), `options` engine
 * options (`cancelPollMs`).
 */
export async function engineWorld(
  settings: Record<string, string> = {},
  options: { cancelPollMs?: number } = {},
): Promise<EngineWorld> {
  const config = testConfig(settings);
  const clients = testClients(config);
  const workDir = await mkdtemp(join(tmpdir(), "batchfn-engine-"));
  const engine = createEngine({ config, clients, workDir, allowHttpInputs: true, ...options });
  await engine.registry.ensureRegistry();
  const data = clients.blob.getContainerClient(config.containers.data);
  const put = async (name: string, content: string | Buffer) => {
    const body = typeof content === "string" ? Buffer.from(content) : content;
    await data.getBlockBlobClient(name).upload(body, body.length);
  };
  return {
    config,
    clients,
    engine,
    async upload(prefix, files) {
      for (const [name, content] of Object.entries(files)) await put(`${prefix}${name}`, content);
    },
    async uploadFolder(prefix, dir) {
      const entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) =>
        e.isFile(),
      );
      for (const entry of entries) {
        const full = join(entry.parentPath, entry.name);
        await put(`${prefix}${relative(dir, full).split(sep).join("/")}`, await readFile(full));
      }
      return entries.length;
    },
    async runJob({ endpoint, deployment, body, name, beforeFinalize }) {
      const { registry, activities } = engine;
      const deploymentRecord = await registry.deployments.show(endpoint, deployment);
      const { model } = deploymentRecord.resource;
      const modelRecord = await registry.models.show(model.name, model.version);
      const spec = buildJobSpec({
        name: name ?? uniqueName("job"),
        endpointId: (await registry.endpoints.show(endpoint)).id,
        now: new Date(),
        deployment: deploymentRecord.resource,
        model: modelRecord.resource,
        request: parseInvokeBody(body),
      });
      let output: unknown;
      const runner = orchestrationRunner(activities, {
        beforeFinalize,
        ended: (value) => {
          output = value;
        },
      });
      await submitJob(
        { spec, input: JSON.stringify(body) },
        { store: engine.store, records: engine.records, outputs: engine.outputs, runner },
      );
      return { spec, result: jobResultSchema.parse(output) };
    },
    runner: orchestrationRunner(engine.activities, { ended: () => {} }),
    async read(path) {
      return (await data.getBlobClient(path).downloadToBuffer()).toString("utf8");
    },
    exists: (path) => data.getBlobClient(path).exists(),
    close: () => engine.close(),
  };
}

/** A job runner that runs the real orchestration and activities to the end within `start`. */
function orchestrationRunner(
  activities: Engine["activities"],
  options: { beforeFinalize?: (jobName: string) => Promise<void>; ended: (output: unknown) => void },
): JobRunner {
  return {
    start: async (input) => {
      const run = await runOrchestration({
        orchestrations: { [ORCHESTRATION.job]: scoringJob, [ORCHESTRATION.chunk]: scoringJobChunk },
        activities: {
          ...Object.fromEntries(
            activityNames.map((activity) => [activity, (i: unknown) => runActivity(activities, activity, i)]),
          ),
          [ACTIVITY.finalize]: async (i) => {
            await options.beforeFinalize?.(finalizeInputSchema.parse(i).jobName);
            return runActivity(activities, ACTIVITY.finalize, i);
          },
        },
        name: ORCHESTRATION.job,
        input: { ...input, retry: { ...input.retry, maxAttempts: 2, firstIntervalMs: 1000 } },
      });
      if (run.root.runtimeStatus !== "Completed") {
        throw new Error(`The orchestration ended ${run.root.runtimeStatus}: ${String(run.root.output)}`);
      }
      options.ended(run.root.output);
    },
    status: async () => undefined,
  };
}
