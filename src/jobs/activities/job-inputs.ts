import type { BlobAccess } from "../../io/inputs/blob-access.js";
import type { InputCatalog } from "../../io/inputs/input-catalog.js";
import type { JobInput } from "../../io/inputs/input-reference.js";
import { resolveInput } from "../../io/inputs/resolve-input.js";
import type { ResolvedInput } from "../../io/inputs/resolved-input.js";
import { countRows } from "../../io/tabular/row-count.js";
import type { RowCounter } from "../plan/plan-job.js";
import { downloadingRowCounter } from "../plan/row-counter.js";

/** Where a job's input items come from, as planning sees them. */
export interface JobInputs {
  /** Lists the items of an input (a datastore path, a data asset, a URL); `InputNotFound` when none. */
  resolve(input: JobInput): Promise<ResolvedInput>;
  /** Counts the rows of a tabular item (for `mini_batch_rows`). */
  countRows: RowCounter;
}

/** The inputs in storage: datastores and data assets of the registry, blobs, URLs. */
export function storageJobInputs(options: {
  /** Datastores and data assets (the registry, seen through the input port). */
  catalog: InputCatalog;
  access: BlobAccess;
  /** Accept `http://` loopback input URLs (tests against Azurite). */
  allowHttpInputs?: boolean;
}): JobInputs {
  const { catalog, access } = options;
  return {
    resolve: (input) => resolveInput(input, { catalog, access, allowHttp: options.allowHttpInputs }),
    countRows: downloadingRowCounter({ access, countLocalRows: countRows }),
  };
}
