import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/**
 * The artifacts this machine knows a server holds, so an unchanged folder is not uploaded twice.
 * Kept per server and per registry instance (the `fingerprint`: a server whose storage was reset
 * starts from nothing).
 */
export interface UploadCache {
  has(hash: string): boolean;
  add(hash: string): Promise<void>;
  forget(hashes: readonly string[]): Promise<void>;
}

const MAX_SERVERS = 20;
const MAX_HASHES = 2000;

const cacheFileSchema = z.object({
  servers: z.record(z.string(), z.object({ used: z.string(), hashes: z.record(z.string(), z.string()) })),
});
type CacheFile = z.infer<typeof cacheFileSchema>;

/** `BATCHFN_CACHE_DIR`, else `$XDG_CACHE_HOME/batchfn`, else `~/.cache/batchfn`. */
export function cacheDir(env: Record<string, string | undefined>): string {
  if (env.BATCHFN_CACHE_DIR) return env.BATCHFN_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "batchfn");
}

/** Opens the cache file `uploads.json` of `dir`; a missing or unreadable file is an empty cache. */
export async function openUploadCache(options: {
  dir: string;
  server: string;
  fingerprint: string;
}): Promise<UploadCache> {
  const file = join(options.dir, "uploads.json");
  const key = `${options.server}|${options.fingerprint}`;
  const load = async (): Promise<CacheFile> => {
    const text = await readFile(file, "utf8").catch(() => "");
    try {
      const parsed = cacheFileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {}
    return { servers: {} };
  };
  const known = new Set(Object.keys((await load()).servers[key]?.hashes ?? {}));

  const save = async (change: (hashes: Record<string, string>) => void) => {
    const current = await load();
    const now = new Date().toISOString();
    const entry = current.servers[key] ?? { used: now, hashes: {} };
    change(entry.hashes);
    entry.used = now;
    entry.hashes = newest(entry.hashes, MAX_HASHES);
    current.servers[key] = entry;
    const servers = Object.entries(current.servers)
      .sort(([, a], [, b]) => b.used.localeCompare(a.used))
      .slice(0, MAX_SERVERS);
    await mkdir(options.dir, { recursive: true });
    const temporary = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temporary, JSON.stringify({ servers: Object.fromEntries(servers) }));
    await rename(temporary, file);
  };

  return {
    has: (hash) => known.has(hash),
    async add(hash) {
      known.add(hash);
      await save((hashes) => {
        hashes[hash] = new Date().toISOString();
      });
    },
    async forget(hashes) {
      for (const hash of hashes) known.delete(hash);
      await save((stored) => {
        for (const hash of hashes) delete stored[hash];
      });
    },
  };
}

function newest(hashes: Record<string, string>, limit: number): Record<string, string> {
  const entries = Object.entries(hashes);
  if (entries.length <= limit) return hashes;
  return Object.fromEntries(entries.sort(([, a], [, b]) => b.localeCompare(a)).slice(0, limit));
}
