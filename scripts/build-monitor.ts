import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeMonitorBundle } from "../src/api/monitor/monitor-bundle.js";

/**
 * The second half of `npm run build`: bundles the job monitor page (src/monitor/) with esbuild into
 * dist/monitor/, where the compiled app serves it from (`GET /api/monitor/`).
 */
const outDir = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "dist", "monitor");
writeMonitorBundle(outDir).then(
  (files) => console.log(`job monitor: ${files.join(", ")} → ${outDir}`),
  (thrown: unknown) => {
    console.error(
      `bundling the job monitor failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
    process.exit(1);
  },
);
