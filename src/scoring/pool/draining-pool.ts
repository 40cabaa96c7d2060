import { errors } from "../../errors.js";

/**
 * A pool's `run` and `close`, whatever runs the mini-batches (threads or processes): once `close()`
 * is called no mini-batch starts; it waits for the running ones, then calls `stop` once. `run`'s
 * options go to `attempt` as they are.
 */
export function drainingPool<Input, Options, Output>(
  attempt: (input: Input, options?: Options) => Promise<Output>,
  stop: () => Promise<void>,
): { run(input: Input, options?: Options): Promise<Output>; close(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  return {
    run(input, options) {
      if (closing)
        return Promise.reject(errors.workerCrashed("The scoring pool is closed; no mini-batch can start"));
      const scored = attempt(input, options);
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
