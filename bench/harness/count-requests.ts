import diagnostics from "node:diagnostics_channel";
import { renameSync, writeFileSync } from "node:fs";

/**
 * Loaded into the app's host by the bench (`--import`): counts the HTTP requests the host makes
 * (storage calls to Azurite, and the few the host makes to itself) by kind, and, when the bench
 * asks with SIGUSR2, writes them to the file named by BATCHFN_BENCH_REQUEST_COUNT with the number
 * of the answer (`seq`), through a new file and a rename. Nothing is written unless asked, so the
 * count costs the host nothing while a job runs. Nothing in the app knows about it.
 */
const file = process.env.BATCHFN_BENCH_REQUEST_COUNT;

/** What the host writes when asked. */
export interface RequestCounts {
  /** Answers so far, so the bench knows this one is new. */
  seq: number;
  total: number;
  kinds: Record<string, number>;
}

/** The signal the bench asks for the counts with. */
export const ASK_SIGNAL = "SIGUSR2";

if (file) {
  let total = 0;
  let seq = 0;
  const kinds = new Map<string, number>();
  diagnostics.subscribe("http.client.request.start", (message) => {
    total += 1;
    const kind = requestKind((message as { request?: ClientRequestLike }).request);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  });
  process.on(ASK_SIGNAL, () => {
    seq += 1;
    const counts: RequestCounts = { seq, total, kinds: Object.fromEntries(kinds) };
    writeFileSync(`${file}.next`, JSON.stringify(counts));
    renameSync(`${file}.next`, file);
  });
}

interface ClientRequestLike {
  method?: string;
  path?: string;
}

/**
 * `PUT container/…?comp=block`: the method, the container, queue or table addressed (`/…` when the
 * path goes below it; hex ids as `*`) and the `comp` parameter.
 */
function requestKind(request: ClientRequestLike | undefined): string {
  const [path = "", query = ""] = (request?.path ?? "").split("?");
  const segments = path.split("/").filter(Boolean);
  const target = segments.length > 2 ? `${segments[1]}/…` : (segments[1] ?? segments[0] ?? "");
  const comp = new URLSearchParams(query).get("comp");
  return `${request?.method ?? "?"} ${target.replace(/[0-9a-f]{8,}/g, "*")}${comp ? `?comp=${comp}` : ""}`;
}
