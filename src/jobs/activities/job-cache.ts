import { BatchfnError } from "../../errors.js";
import type { JobSpec } from "../job-spec.js";
import type { JobStore, PreparedJob } from "../store/job-store.js";

/**
 * What the activities of this instance know of each running job: its spec and its prepared plan,
 * read once and kept, and whether it was asked to stop (checked at most once a second). A failed
 * read is not kept.
 */
export interface JobCache {
  spec(job: string): Promise<JobSpec>;
  /** The job's plan and output target; `undefined` before planning. */
  prepared(job: string): Promise<PreparedJob | undefined>;
  /** The prepared job; `JobNotPlanned` (409) before planning. */
  planned(job: string): Promise<PreparedJob>;
  /** Reads the prepared job again next time (it was just written, or is read for the last time). */
  dropPrepared(job: string): void;
  cancelRequested(job: string): Promise<boolean>;
  /** Drops what is known of a job (it ended). */
  forget(job: string): void;
}

export function createJobCache(store: JobStore, options: { cancelCheckMs?: number } = {}): JobCache {
  const specs = new Map<string, Promise<JobSpec>>();
  const prepared = new Map<string, Promise<PreparedJob | undefined>>();
  const cancels = cancelWatch(store, options.cancelCheckMs);
  const preparedOf = (job: string) => cached(prepared, job, () => store.loadPrepared(job));
  return {
    spec: (job) => cached(specs, job, () => store.loadSpec(job)),
    prepared: preparedOf,
    async planned(job) {
      const found = await preparedOf(job);
      if (!found)
        throw new BatchfnError({
          code: "JobNotPlanned",
          status: 409,
          message: `Job '${job}' has no plan yet.`,
        });
      return found;
    },
    dropPrepared(job) {
      prepared.delete(job);
    },
    cancelRequested: (job) => cancels.isRequested(job),
    forget(job) {
      specs.delete(job);
      prepared.delete(job);
      cancels.forget(job);
    },
  };
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = load();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}

/**
 * Checks a job's cancel request at most once per `intervalMs` on this instance, instead of once per
 * mini-batch: a cancel then stops new mini-batches within `intervalMs`. A job seen canceled stays
 * canceled; a failed check is not kept.
 */
function cancelWatch(store: JobStore, intervalMs = 1000) {
  const checks = new Map<string, { at: number; requested: Promise<boolean> }>();
  return {
    isRequested(job: string): Promise<boolean> {
      const now = Date.now();
      const last = checks.get(job);
      if (last && now - last.at < intervalMs) return last.requested;
      const requested = last
        ? last.requested.then((seen) => seen || store.isCancelRequested(job))
        : store.isCancelRequested(job);
      const check = { at: now, requested };
      checks.set(job, check);
      requested.catch(() => {
        if (checks.get(job) === check) checks.delete(job);
      });
      return requested;
    },
    forget(job: string): void {
      checks.delete(job);
    },
  };
}
