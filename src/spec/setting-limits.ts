import { type ErrorDetail, errors } from "../errors.js";
import { WORKER_MEMORY_MB } from "./resources.js";

/**
 * The upper bounds of the settings that size resources: worker threads, mini-batches in flight,
 * files and rows per mini-batch, attempts and timers. One place for every bound; the API checks
 * them when a deployment is stored and when an endpoint is invoked, and the job activities check a
 * stored job's spec again before it starts or resumes on this host (docs/rest.md lists them).
 */

/** The settings that size resources, by their name in the canonical deployment. */
export type LimitedSetting =
  | "instance_count"
  | "max_concurrency_per_instance"
  | "mini_batch_size"
  | "mini_batch_rows"
  | "max_retries"
  | "timeout"
  | "worker_memory_mb";

export type SettingLimits = Record<LimitedSetting, number> & {
  /** Where `max_concurrency_per_instance`'s bound comes from, for the message. */
  concurrencySource: string;
};

/**
 * Documented caps that hold whatever the machine. `timeout` (seconds) stays far below the
 * 2^31-1 ms a Node timer can hold; `instance_count` is Flex Consumption's largest instance count.
 */
export const SETTING_CAPS = {
  instance_count: 1000,
  mini_batch_size: 10_000,
  mini_batch_rows: 1_000_000,
  max_retries: 100,
  timeout: 86_400,
} as const;

/** Highest value `BATCHFN_MAX_CONCURRENCY_PER_INSTANCE` may be set to. */
export const MAX_CONCURRENCY_SETTING = 1024;

/** Memory a scoring worker is counted with when the bound is derived from the machine. */
export const WORKER_MEMORY_BYTES = 256 * 1024 * 1024;

/** Workers per core: scoring often waits on I/O, so a few more workers than cores keep the cores busy. */
export const WORKERS_PER_CORE = 4;

/** Scoring workers one instance can hold: 4 per core, and one per 256 MiB of memory; at least 1. */
export function machineConcurrencyLimit(machine: { cores: number; memoryBytes: number }): number {
  const byCores = Math.floor(machine.cores) * WORKERS_PER_CORE;
  const byMemory = Math.floor(machine.memoryBytes / WORKER_MEMORY_BYTES);
  return Math.max(1, Math.min(byCores, byMemory, MAX_CONCURRENCY_SETTING));
}

/**
 * The bounds of this host: the documented caps, its scoring workers per instance, and the memory
 * one worker may be given (default the `worker_memory_mb` cap; config.ts gives the machine's).
 */
export function settingLimits(host: {
  maxConcurrencyPerInstance: number;
  source: string;
  maxWorkerMemoryMb?: number;
}): SettingLimits {
  return {
    ...SETTING_CAPS,
    max_concurrency_per_instance: host.maxConcurrencyPerInstance,
    worker_memory_mb: host.maxWorkerMemoryMb ?? WORKER_MEMORY_MB.max,
    concurrencySource: host.source,
  };
}

/** The values to check, by setting; absent ones are not checked. */
export type LimitedValues = Partial<Record<LimitedSetting, number | undefined>>;

/** The limited values of a deployment's (or a job's) settings and instance count. */
export function limitedValues(
  settings: {
    max_concurrency_per_instance?: number;
    mini_batch_size?: number;
    mini_batch_rows?: number;
    retry_settings?: { max_retries?: number; timeout?: number };
    worker_memory_mb?: number;
  },
  instanceCount: number | undefined,
): LimitedValues {
  return {
    instance_count: instanceCount,
    max_concurrency_per_instance: settings.max_concurrency_per_instance,
    mini_batch_size: settings.mini_batch_size,
    mini_batch_rows: settings.mini_batch_rows,
    max_retries: settings.retry_settings?.max_retries,
    timeout: settings.retry_settings?.timeout,
    worker_memory_mb: settings.worker_memory_mb,
  };
}

const ORDER: LimitedSetting[] = [
  "instance_count",
  "max_concurrency_per_instance",
  "mini_batch_size",
  "mini_batch_rows",
  "max_retries",
  "timeout",
  "worker_memory_mb",
];

/** The problems of `values` against `limits`, each naming its field (as `pathOf` writes it) and bound. */
export function limitProblems(
  values: LimitedValues,
  limits: SettingLimits,
  pathOf: (setting: LimitedSetting) => string,
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const setting of ORDER) {
    const value = values[setting];
    const bound = limits[setting];
    if (value === undefined || value <= bound) continue;
    const why =
      setting === "max_concurrency_per_instance"
        ? ` (${limits.concurrencySource})`
        : setting === "timeout"
          ? " seconds"
          : setting === "worker_memory_mb"
            ? " MB (this host's memory, or the cap)"
            : "";
    problems.push({
      path: pathOf(setting),
      code: "LimitExceeded",
      message: `${pathOf(setting)} is ${value}; at most ${bound}${why}`,
    });
  }
  return problems;
}

/**
 * Throws `LimitExceeded` (400) listing every setting of `what` above its bound; `pathOf` names each
 * setting the way the caller wrote it (`retry_settings.timeout` in an invocation,
 * `settings.retry_settings.timeout` in a deployment).
 */
export function checkSettingLimits(
  values: LimitedValues,
  limits: SettingLimits,
  options: { what: string; pathOf: (setting: LimitedSetting) => string },
): void {
  const problems = limitProblems(values, limits, options.pathOf);
  if (problems.length > 0) throw errors.limitExceeded(options.what, problems);
}

/** Paths of the limited settings in a canonical deployment or a job's spec. */
export function deploymentPath(
  setting: LimitedSetting,
  instanceCountPath = "resources.instance_count",
): string {
  if (setting === "instance_count") return instanceCountPath;
  if (setting === "max_retries" || setting === "timeout") return `settings.retry_settings.${setting}`;
  return `settings.${setting}`;
}

/** Paths of the limited settings in an invocation body. */
export function invokePath(setting: LimitedSetting): string {
  return setting === "max_retries" || setting === "timeout" ? `retry_settings.${setting}` : setting;
}
