import type { JobStore } from "../store/job-store.js";

/** How often an instance looks at the cancel request of a job it is scoring. */
export const CANCEL_POLL_MS = 500;
/** How long an instance remembers a job none of its activities runs any more. */
const IDLE_FORGET_MS = 60_000;

/** Whether a job was asked to stop, as one instance sees it. */
export interface CancelWatch {
  /** Whether the job was asked to stop, as seen at most `intervalMs` ago on this instance. */
  isRequested(job: string): Promise<boolean>;
  /** Whether the job was asked to stop, read from storage now. */
  isRequestedNow(job: string): Promise<boolean>;
  /**
   * Runs `use` with a signal that is aborted within `intervalMs` of the job's cancel request (the
   * request is polled while any `use` of the job runs on this instance, once for all of them).
   */
  whileWatched<T>(job: string, use: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * The job's cancel request was just stored by this instance (its API took it): its mini-batches
   * running here stop now, without waiting for the next poll. Other instances see it when they poll.
   */
  seen(job: string): void;
  /** Drops what is known of a job (it ended). */
  forget(job: string): void;
}

interface Watched {
  checked?: { at: number; requested: Promise<boolean> };
  canceled: AbortController;
  users: number;
  polling: boolean;
  idle?: NodeJS.Timeout;
}

/**
 * Watches cancel requests in the job store (`JobStore.isCancelRequested`): at most one storage read per
 * job per `intervalMs` on an instance, however many of its mini-batches run there. A job seen
 * canceled stays canceled; a failed read is not kept (the next look reads again).
 */
export function cancelWatch(
  store: Pick<JobStore, "isCancelRequested">,
  intervalMs = CANCEL_POLL_MS,
): CancelWatch {
  const watched = new Map<string, Watched>();
  const entry = (job: string): Watched => {
    let found = watched.get(job);
    if (!found) {
      found = { canceled: new AbortController(), users: 0, polling: false };
      watched.set(job, found);
    }
    return found;
  };

  const isRequested = (job: string, maxAgeMs = intervalMs): Promise<boolean> => {
    const state = entry(job);
    if (state.canceled.signal.aborted) return Promise.resolve(true);
    const now = Date.now();
    if (state.checked && now - state.checked.at < maxAgeMs) return state.checked.requested;
    const requested = store.isCancelRequested(job);
    const check = { at: now, requested };
    state.checked = check;
    requested.then(
      (seen) => {
        if (seen) state.canceled.abort();
      },
      () => {
        if (state.checked === check) state.checked = undefined;
      },
    );
    return requested;
  };

  /** One loop per job while it has users here; it ends by itself once they are gone. */
  const poll = (job: string, state: Watched) => {
    const wanted = () => state.users > 0 && !state.canceled.signal.aborted && watched.get(job) === state;
    state.polling = true;
    setTimeout(async () => {
      if (wanted()) await isRequested(job).catch(() => false);
      if (wanted()) poll(job, state);
      else state.polling = false;
    }, intervalMs).unref();
  };

  return {
    isRequested: (job) => isRequested(job),
    isRequestedNow: (job) => isRequested(job, 0),
    async whileWatched(job, use) {
      const state = entry(job);
      clearTimeout(state.idle);
      state.users += 1;
      if (!state.polling) poll(job, state);
      try {
        return await use(state.canceled.signal);
      } finally {
        state.users -= 1;
        if (state.users === 0) {
          state.idle = setTimeout(() => {
            if (watched.get(job) === state && state.users === 0) watched.delete(job);
          }, IDLE_FORGET_MS);
          state.idle.unref();
        }
      }
    },
    seen(job) {
      entry(job).canceled.abort();
    },
    forget(job) {
      clearTimeout(watched.get(job)?.idle);
      watched.delete(job);
    },
  };
}
