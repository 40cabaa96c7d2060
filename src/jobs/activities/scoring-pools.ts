import { createRuntimePool } from "../../scoring/create-pool.js";
import type { ScoringPool, ScoringPoolOptions } from "../../scoring/pool/scoring-pool.js";

/**
 * The scoring pools of this instance, one per deployment runtime and settings, kept while they are
 * used: a pool's workers keep their initialised runtime (a loaded model) from one mini-batch to the
 * next, across jobs. A pool unused for `idleSeconds` is closed.
 */
export interface ScoringPools {
  /** Runs `use` with the pool for these options, creating it on first use. */
  use<T>(options: ScoringPoolOptions, use: (pool: ScoringPool) => Promise<T>): Promise<T>;
  closeAll(): Promise<void>;
}

export function createScoringPools(options: { idleSeconds?: number } = {}): ScoringPools {
  const idleMs = (options.idleSeconds ?? 120) * 1000;
  const pools = new Map<string, { pool: ScoringPool; users: number; timer?: NodeJS.Timeout }>();
  return {
    async use(poolOptions, use) {
      const key = JSON.stringify(poolOptions);
      let entry = pools.get(key);
      if (!entry) {
        entry = { pool: createRuntimePool(poolOptions), users: 0 };
        pools.set(key, entry);
      }
      const current = entry;
      clearTimeout(current.timer);
      current.users += 1;
      try {
        return await use(current.pool);
      } finally {
        current.users -= 1;
        if (current.users === 0) {
          current.timer = setTimeout(() => {
            if (pools.get(key) === current && current.users === 0) {
              pools.delete(key);
              void current.pool.close();
            }
          }, idleMs);
          current.timer.unref();
        }
      }
    },
    async closeAll() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(
        all.map((entry) => {
          clearTimeout(entry.timer);
          return entry.pool.close();
        }),
      );
    },
  };
}
