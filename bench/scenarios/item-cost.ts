import type { MeasuredJob } from "./measured-job.js";

/**
 * What one item of a scenario cost, split so the transferable part is visible: the host's CPU (the
 * app and its scoring workers and processes: what it costs on Azure too) apart from Azurite's (what
 * storage costs here, and costs the app nothing on Azure), and the storage requests (counts, the
 * same under any load).
 */
export interface ItemCost {
  /** What an item is: `row`, `image`, `mini-batch`. */
  item: string;
  items: number;
  mini_batches: number;
  host_cpu_us_per_item: number;
  /** The part of the host's CPU spent on its main thread (event loop: orchestration, activities, storage calls). */
  host_main_thread_cpu_us_per_item: number;
  azurite_cpu_us_per_item: number;
  requests_per_item: number;
  requests_per_minibatch: number;
  /** The single-process loop's CPU per item over local files, where the scenario has one. */
  baseline_cpu_us_per_item?: number;
  /** The host's requests during the job, by kind (method, resource, `comp`). */
  requests_by_kind?: Record<string, number>;
}

/** The cost of a measured job (run with `countRequests`) per item. */
export function itemCost(
  job: MeasuredJob,
  what: { item: string; items: number; baselineCpuSecondsPerItem?: number },
): ItemCost {
  const miniBatches = job.view.progress?.mini_batches.total ?? Number.NaN;
  const perItemUs = (seconds: number | undefined) =>
    seconds === undefined ? Number.NaN : (seconds * 1e6) / what.items;
  const requests = job.requests ?? Number.NaN;
  return {
    item: what.item,
    items: what.items,
    mini_batches: miniBatches,
    host_cpu_us_per_item: perItemUs(job.usage.hostCpuSeconds),
    host_main_thread_cpu_us_per_item: perItemUs(job.usage.hostMainThreadCpuSeconds),
    azurite_cpu_us_per_item: perItemUs(job.usage.azuriteCpuSeconds),
    requests_per_item: requests / what.items,
    requests_per_minibatch: requests / miniBatches,
    ...(what.baselineCpuSecondsPerItem === undefined
      ? {}
      : { baseline_cpu_us_per_item: what.baselineCpuSecondsPerItem * 1e6 }),
    ...(job.requestKinds ? { requests_by_kind: job.requestKinds } : {}),
  };
}
