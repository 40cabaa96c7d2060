import diagnostics from "node:diagnostics_channel";
import { renameSync, writeFileSync } from "node:fs";

/**
 * Loaded into the app's host by the bench (`--import`): counts the HTTP requests the host makes
 * (storage calls to Azurite, and the few the host makes to itself) and writes the running total to
 * the file named by BATCHFN_BENCH_REQUEST_COUNT, and the counts by kind beside it, every 100 ms
 * when they changed (two small writes, a few µs of the host's CPU each), so a scenario can tell how many storage round trips
 * a job cost and what they were. Nothing in the app knows about it.
 */
const file = process.env.BATCHFN_BENCH_REQUEST_COUNT;
/** How often the counts are written; `HostProcess.requests` waits a little longer before reading. */
export const WRITE_EVERY_MS = 100;
if (file) {
  let requests = 0;
  let written = -1;
  const kinds = new Map<string, number>();
  diagnostics.subscribe("http.client.request.start", (message) => {
    requests += 1;
    const kind = requestKind((message as { request?: ClientRequestLike }).request);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  });
  const timer = setInterval(() => {
    if (requests === written) return;
    written = requests;
    // through a new file and a rename, so a reader never sees a half-written one
    writeAtomically(file, String(requests));
    writeAtomically(`${file}.kinds.json`, JSON.stringify(Object.fromEntries(kinds)));
  }, WRITE_EVERY_MS);
  timer.unref();
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.next`, text);
  renameSync(`${path}.next`, path);
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
