import { taxiData } from "../data/taxi-data.js";
import { uploadFolder } from "../harness/bench-world.js";
import { type BenchContext, withHost } from "./bench-context.js";
import { type ItemCost, itemCost } from "./item-cost.js";
import { oneFileJob } from "./latency.js";
import { runMeasuredJob } from "./measured-job.js";
import { prepareTaxi, taxiBody, throughputShape } from "./throughput.js";

export interface MemoryResult {
  rows_10x: number;
  rss_10x_mb: number;
  /** batchfn's rows per second over the 10× data. */
  rows_per_s_10x: number;
  seconds_10x: number;
  host_cpu_s?: number;
  azurite_cpu_s?: number;
  load: number;
  /** Cost per row of the 10× job. */
  cost: ItemCost;
}

/**
 * The throughput job over 10× its data (10× the files, same file size) on a fresh host, after the
 * same one-file job as the 1× host: the host's peak RSS, to compare with the 1× run's.
 */
export async function memoryBench(context: BenchContext): Promise<MemoryResult> {
  const example = await prepareTaxi(context);
  const shape = throughputShape(context.quick);
  const files = shape.files * 10;
  const dir = await taxiData({ files, rowsPerFile: shape.rowsPerFile });
  const rows = files * shape.rowsPerFile;
  const input = await uploadFolder(context.world, dir, "taxi-10x/");
  context.progress(`memory: batchfn over 10× the data (${rows} rows in ${files} files)`);
  return withHost(
    context,
    async (host) => {
      await oneFileJob(context, host, example);
      const measured = await runMeasuredJob(context, host, {
        endpoint: "taxi-tip",
        body: taxiBody(context, input),
        pollMs: 1000,
        countRequests: true,
      });
      if (measured.view.progress?.rows !== rows)
        throw new Error(`expected ${rows} rows, scored ${measured.view.progress?.rows}`);
      return {
        rows_10x: rows,
        rss_10x_mb: await host.peakRssMb(),
        rows_per_s_10x: rows / measured.seconds,
        seconds_10x: measured.seconds,
        host_cpu_s: measured.usage.hostCpuSeconds,
        azurite_cpu_s: measured.usage.azuriteCpuSeconds,
        load: measured.usage.load,
        cost: itemCost(measured, { item: "row", items: rows }),
      };
    },
    { fresh: true },
  );
}
