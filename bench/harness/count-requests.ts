import diagnostics from "node:diagnostics_channel";
import { writeFileSync } from "node:fs";

/**
 * Loaded into the app's host by the bench (`--import`): counts the HTTP requests the host makes
 * (storage calls to Azurite, and the few the host makes to itself) and writes the running total to
 * the file named by BATCHFN_BENCH_REQUEST_COUNT every 100 ms, so a scenario can tell how many
 * storage round trips a job cost. Nothing in the app knows about it.
 */
const file = process.env.BATCHFN_BENCH_REQUEST_COUNT;
if (file) {
  let requests = 0;
  let written = -1;
  diagnostics.subscribe("http.client.request.start", () => {
    requests += 1;
  });
  const timer = setInterval(() => {
    if (requests === written) return;
    written = requests;
    writeFileSync(file, String(requests));
  }, 100);
  timer.unref();
}
