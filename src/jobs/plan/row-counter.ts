import { extname } from "node:path";
import type { BlobAccess } from "../../io/inputs/blob-access.js";
import { downloadItem } from "../../io/inputs/download-item.js";
import type { SourceCache } from "../../io/inputs/source-cache.js";
import { defaultSourceCache, sourceKey } from "../../io/inputs/source-cache.js";
import type { TabularFormat } from "../../io/tabular/table.js";
import { tabularFormatOf } from "../../io/tabular/tabular-format.js";
import type { RowCounter } from "./plan-job.js";

export interface DownloadingRowCounterOptions {
  access: BlobAccess;
  /** Counts the records of a local tabular file (src/io/tabular `countRows`). */
  countLocalRows: (path: string, format: TabularFormat) => Promise<number>;
  sourceCache?: SourceCache;
}

/**
 * A {@link RowCounter} that downloads each tabular item into the source cache (so a range scored
 * later on the same instance need not download it again) and counts it locally.
 */
export function downloadingRowCounter(options: DownloadingRowCounterOptions): RowCounter {
  return async (root, item) => {
    const format = tabularFormatOf(item.name);
    if (!format) return 0;
    const cache = options.sourceCache ?? defaultSourceCache();
    const source = await cache.acquire(sourceKey(root, item), extname(item.name), (path) =>
      downloadItem({ root, item, target: path, access: options.access }),
    );
    try {
      return await options.countLocalRows(source.path, format);
    } finally {
      source.release();
    }
  };
}
