import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchfnError, errors } from "../../errors.js";
import { invokeOverrides, parseInvokeBody } from "../../spec/invoke.schema.js";
import { routes } from "../api/routes.js";
import type { CliContext } from "../cli-context.js";
import { applySetValues, parseSetValues } from "../set-values.js";
import type { BodyInput } from "./invoke-input.js";
import { type InvokeIO, resolveIOPaths, standInPaths } from "./named-io.js";

/** Everything an invocation sets besides its input. */
export interface InvokeSettings {
  endpoint: string;
  deployment?: string;
  outputPath?: string;
  jobName?: string;
  miniBatchSize?: number;
  instanceCount?: number;
  idempotencyKey?: string;
  /** `--display-name`, `--experiment-name`, `--tags k=v ...` of the job. */
  displayName?: string;
  experimentName?: string;
  tags?: readonly string[];
  /** `--set key=value` on the invoke body (`output_file_name=x.csv`, `retry_settings.max_retries=1`, `inputs.<name>.path=...`). */
  set: readonly string[];
  /** Named inputs and outputs (`--file`, `--inputs`, `--outputs`). */
  io?: InvokeIO;
}

const RETRIED_STATUSES = new Set([502, 503, 504]);

/** The input a body is checked with before the real one is known (uploaded). */
const CHECKED_INPUT: BodyInput = { input: "azureml://datastores/workspaceblobstore/paths/check/" };

/** Which flag sets each field of the body (any other field comes from `--set`). */
const FLAG_OF: Record<string, string> = {
  input: "--input",
  output_path: "--output-path",
  job_name: "--job-name",
  mini_batch_size: "--mini-batch-size",
  instance_count: "--instance-count",
  display_name: "--display-name",
  experiment_name: "--experiment-name",
  tags: "--tags",
};

/**
 * Invokes a batch endpoint (`POST /api/batch-endpoints/{name}/jobs`) with batchfn's body and
 * answers the job. The body is first checked with the server's own parser, with a stand-in input
 * (and stand-ins for the local paths of named inputs), so a wrong `--set` key or value, or a literal
 * of the wrong type, fails before anything is uploaded. `input` is absent when the job's inputs are
 * all named (`--file`, `--inputs`, `--set inputs.<name>...`). The job name is chosen
 * here when none is given (`<endpoint>-<time>-<random>`, as the server would), so a call that fails
 * on the way (a dropped connection, a 502/503/504) is sent once more with the same name, and the
 * server answers the job the first call created instead of starting a second one.
 */
export async function invokeEndpoint(
  context: CliContext,
  settings: InvokeSettings,
  input: (() => Promise<BodyInput>) | undefined,
): Promise<unknown> {
  const jobName = settings.jobName ?? newJobName(settings.endpoint);
  checkBody(standInPaths(invokeBody(input && CHECKED_INPUT, jobName, settings)), settings.set);
  const body = invokeBody(await input?.(), jobName, settings);
  await resolveIOPaths(context, body);
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
  context.note(`Job '${jobName}' submitted. Follow it with: batchfn job stream --name ${jobName}`);
  return answer;
}

function invokeBody(
  input: BodyInput | undefined,
  jobName: string,
  settings: InvokeSettings,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...input, ...structuredClone(settings.io), job_name: jobName };
  if (settings.outputPath !== undefined) body.output_path = settings.outputPath;
  if (settings.miniBatchSize !== undefined) body.mini_batch_size = settings.miniBatchSize;
  if (settings.instanceCount !== undefined) body.instance_count = settings.instanceCount;
  if (settings.displayName !== undefined) body.display_name = settings.displayName;
  if (settings.experimentName !== undefined) body.experiment_name = settings.experimentName;
  if (settings.tags !== undefined) body.tags = parseTags(settings.tags);
  applySetValues(body, parseSetValues(settings.set));
  return body;
}

/** `--tags team=ml env=prod` as a map; `InvalidParameter` for an item without `key=`. */
function parseTags(items: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0)
      throw errors.invalidParameter("--tags", `'${item}' is not key=value (nothing was uploaded or started)`);
    tags[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return tags;
}

/**
 * Refuses a body the server would refuse, as `InvalidParameter` (a usage error) naming the flag of
 * the first problem: each problem with the `--set` item (or the flag) it came from, and the keys an
 * invocation takes.
 */
function checkBody(body: Record<string, unknown>, set: readonly string[]): void {
  try {
    parseInvokeBody(body);
  } catch (thrown) {
    if (!(thrown instanceof BatchfnError) || thrown.code !== "InvalidSpec") throw thrown;
    const problems = thrown.details.map((detail) => {
      const key = detail.path ?? "";
      const flag = FLAG_OF[key] ?? FLAG_OF[key.split(".")[0] ?? key];
      if (flag) return { flag, text: `${key}: ${detail.message}` };
      const top = key.split(".")[0] ?? key;
      const item = set.find((text) => (text.split("=")[0] ?? "").trim().split(".")[0] === top);
      return { flag: "--set", text: `'${item ?? key}': ${key ? `${key}: ` : ""}${detail.message}` };
    });
    const [first, ...rest] = problems;
    const keys = [
      ...Object.keys(invokeOverrides.shape),
      "deployment_name",
      "output_path",
      "overwrite",
    ].sort();
    throw errors.invalidParameter(
      first?.flag ?? "--set",
      `${[first?.text, ...rest.map((p) => `${p.flag} ${p.text}`)].join("; ")} (nothing was uploaded or started; an invocation takes: ${keys.join(", ")})`,
    );
  }
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
