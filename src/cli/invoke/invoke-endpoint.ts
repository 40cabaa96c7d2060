import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchfnError } from "../../errors.js";
import { routes } from "../api/routes.js";
import type { CliContext } from "../cli-context.js";
import { applySetValues, parseSetValues } from "../set-values.js";
import type { BodyInput } from "./invoke-input.js";

/** Everything an invocation sets besides its input. */
export interface InvokeSettings {
  endpoint: string;
  deployment?: string;
  outputPath?: string;
  jobName?: string;
  miniBatchSize?: number;
  instanceCount?: number;
  idempotencyKey?: string;
  /** `--set key=value` on the invoke body (`output_file_name=x.csv`, `retry_settings.max_retries=1`). */
  set: readonly string[];
}

const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * Invokes a batch endpoint (`POST /api/batch-endpoints/{name}/jobs`) with batchfn's body and
 * answers the job. The job name is chosen here when none is given (`<endpoint>-<time>-<random>`,
 * as the server would), so a call that fails on the way (a dropped connection, a 502/503/504) is
 * sent once more with the same name, and the server answers the job the first call created
 * instead of starting a second one.
 */
export async function invokeEndpoint(
  context: CliContext,
  input: BodyInput,
  settings: InvokeSettings,
): Promise<unknown> {
  const body: Record<string, unknown> = {
    ...input,
    job_name: settings.jobName ?? newJobName(settings.endpoint),
  };
  if (settings.outputPath !== undefined) body.output_path = settings.outputPath;
  if (settings.miniBatchSize !== undefined) body.mini_batch_size = settings.miniBatchSize;
  if (settings.instanceCount !== undefined) body.instance_count = settings.instanceCount;
  applySetValues(body, parseSetValues(settings.set));
  const headers: Record<string, string> = {};
  if (settings.deployment !== undefined) headers["azureml-model-deployment"] = settings.deployment;
  if (settings.idempotencyKey !== undefined) headers["idempotency-key"] = settings.idempotencyKey;
  const request = { method: "POST" as const, path: routes.invoke(settings.endpoint), body, headers };
  let answer: unknown;
  try {
    answer = (await context.api.send(request)).body;
  } catch (thrown) {
    if (!isTransient(thrown)) throw thrown;
    context.note(
      "The invocation did not get through; sending it again (the same job name, so at most one job).",
    );
    await sleep(1000);
    answer = (await context.api.send(request)).body;
  }
  context.note(
    `Job '${String(body.job_name)}' submitted. Follow it with: batchfn job stream --name ${String(body.job_name)}`,
  );
  return answer;
}

function isTransient(thrown: unknown): boolean {
  return (
    thrown instanceof BatchfnError &&
    (thrown.code === "ServerUnreachable" || RETRIED_STATUSES.has(thrown.status))
  );
}

/** `<endpoint>-<yyyymmddhhmmss>-<random>`: readable and sortable, like the server's own names. */
function newJobName(endpoint: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${endpoint.toLowerCase()}-${stamp}-${randomBytes(3).toString("hex")}`;
}
