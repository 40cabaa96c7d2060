import { BatchfnError } from "../../errors.js";
import type { JobSpec } from "../job-spec.js";
import type { JobStore, PreparedJob } from "../store/job-store.js";
import { type CancelWatch, cancelWatch } from "./cancel-watch.js";

/**
 * What the activities of this instance know of each running job: its spec and its prepared plan,
 * read once and kept, and whether it was asked to stop (`cancel-watch.ts`: checked at most every
 * half second, and watched while its mini-batches run). A failed read is not kept.
 */
export interface JobCache {
  spec(job: string): Promise<JobSpec>;
  /** The job's plan and output target; `undefined` before planning. */
  prepared(job: string): Promise<PreparedJob | undefined>;
  /** The prepared job; `JobNotPlanned` (409) before planning. */
  planned(job: string): Promise<PreparedJob>;
  /** Reads the prepared job again next time (it was just written, or is read for the last time). */
  dropPrepared(job: string): void;
  /** Whether the job was asked to stop, as seen at most half a second ago. */
  cancelRequested(job: string): Promise<boolean>;
  /** Whether the job was asked to stop, read from storage now (before a retry). */
  cancelRequestedNow(job: string): Promise<boolean>;
  /** Runs `use` with a signal aborted within half a second of the job's cancel request. */
  whileCancelWatched<T>(job: string, use: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Drops what is known of a job (it ended). */
  forget(job: string): void;
}

/** `cancels`: this instance's cancel watch, shared with its API (default: one of its own). */
export function createJobCache(store: JobStore, cancels: CancelWatch = cancelWatch(store)): JobCache {
  const specs = new Map<string, Promise<JobSpec>>();
  const prepared = new Map<string, Promise<PreparedJob | undefined>>();
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
    cancelRequestedNow: (job) => cancels.isRequestedNow(job),
    whileCancelWatched: (job, use) => cancels.whileWatched(job, use),
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
