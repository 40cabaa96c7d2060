import { errors } from "../../errors.js";

/**
 * A pool's `run` and `close`, whatever runs the mini-batches (threads or processes): once `close()`
 * is called no mini-batch starts; it waits for the running ones, then calls `stop` once.
 */
export function drainingPool<Input, Output>(
  attempt: (input: Input) => Promise<Output>,
  stop: () => Promise<void>,
): { run(input: Input): Promise<Output>; close(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  return {
    run(input) {
      if (closing)
        return Promise.reject(errors.workerCrashed("The scoring pool is closed; no mini-batch can start"));
      const scored = attempt(input);
      const tracked = scored.catch(() => undefined).finally(() => running.delete(tracked));
      running.add(tracked);
      return scored;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...running]);
        await stop();
      })();
      return closing;
    },
  };
}
