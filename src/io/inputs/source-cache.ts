import { createHash } from "node:crypto";
import { mkdir, readdir, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InputItem, InputRoot } from "./resolved-input.js";

/** A cached file, kept from eviction until released. */
export interface CachedFile {
  path: string;
  release(): void;
}

export interface SourceCacheOptions {
  dir: string;
  /** Above this many bytes, the least recently used files not in use are removed. */
  maxBytes: number;
}

/**
 * Keeps whole source files on local disk so the row ranges of one large file, scored as several
 * mini-batches on the same instance, download it once. Keys name a version (blob + ETag), so a
 * cached copy is never stale; concurrent requests for the same key share one download.
 */
export class SourceCache {
  private readonly inUse = new Map<string, number>();
  private readonly filling = new Map<string, Promise<void>>();

  constructor(private readonly options: SourceCacheOptions) {}

  /** The cached file of `key`, filled by `fill(path)` on a miss. */
  async acquire(key: string, extension: string, fill: (path: string) => Promise<void>): Promise<CachedFile> {
    const name = `${createHash("sha256").update(key).digest("hex").slice(0, 32)}${extension}`;
    const path = join(this.options.dir, name);
    this.inUse.set(name, (this.inUse.get(name) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const count = (this.inUse.get(name) ?? 1) - 1;
      if (count <= 0) this.inUse.delete(name);
      else this.inUse.set(name, count);
    };
    try {
      await this.ensure(name, path, fill);
      return { path, release };
    } catch (thrown) {
      release();
      throw thrown;
    }
  }

  private async ensure(name: string, path: string, fill: (path: string) => Promise<void>): Promise<void> {
    const pending = this.filling.get(name);
    if (pending) return pending;
    const now = new Date();
    const present = await utimes(path, now, now).then(
      () => true,
      () => false,
    );
    if (present) return;
    const filling = (async () => {
      await mkdir(this.options.dir, { recursive: true });
      await fill(path);
      await this.evict();
    })();
    this.filling.set(name, filling);
    try {
      await filling;
    } finally {
      this.filling.delete(name);
    }
  }

  private async evict(): Promise<void> {
    const entries = await Promise.all(
      (await readdir(this.options.dir)).map(async (name) => {
        const info = await stat(join(this.options.dir, name)).catch(() => undefined);
        return { name, size: info?.size ?? 0, used: info?.mtimeMs ?? 0 };
      }),
    );
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.options.maxBytes) break;
      if (this.inUse.has(entry.name) || entry.name.endsWith(".partial")) continue;
      await rm(join(this.options.dir, entry.name), { force: true });
      total -= entry.size;
    }
  }
}

let defaultCache: SourceCache | undefined;

/** The per-process cache under the OS temp folder: 2 GiB of source files at most. */
export function defaultSourceCache(): SourceCache {
  defaultCache ??= new SourceCache({ dir: join(tmpdir(), "batchfn-source-cache"), maxBytes: 2 * 1024 ** 3 });
  return defaultCache;
}

/** The source-cache key of one version of an item. */
export function sourceKey(root: InputRoot, item: InputItem): string {
  return `${JSON.stringify(root)}|${item.name}|${item.etag ?? ""}|${item.size ?? ""}`;
}
