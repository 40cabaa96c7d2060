import { join } from "node:path";
import { z } from "zod";
import { digitsData } from "../data/digits-data.js";
import { registerFiles, uploadFolder } from "../harness/bench-world.js";
import { repoRoot } from "../harness/host-process.js";
import { runNodeScript } from "../harness/node-script.js";
import { type BenchContext, median, withHost } from "./bench-context.js";
import { type ItemCost, itemCost } from "./item-cost.js";
import { runMeasuredJob } from "./measured-job.js";

const EXAMPLE = join(repoRoot, "examples", "digits");

export interface DigitsResult {
  images: number;
  images_per_s: number;
  baseline_images_per_s: number;
  ratio_baseline: number;
  seconds: number;
  host_cpu_s?: number;
  azurite_cpu_s?: number;
  load: number;
  /** Cost per image, with the single-process loop's CPU per image. */
  cost: ItemCost;
}

/**
 * The digits example (custom script, mini-batches of 10 images, one worker per core) over 10,000
 * generated images (quick: 50), against the example's script in a plain single-process loop.
 */
export async function digitsBench(context: BenchContext): Promise<DigitsResult> {
  const images = context.quick ? 50 : 10_000;
  await registerFiles(context.world, {
    endpoint: join(EXAMPLE, "endpoint.yml"),
    deployment: join(EXAMPLE, "deployment.yml"),
  });
  const dir = await digitsData(images);
  const input = await uploadFolder(context.world, dir, `digits-${images}/`);
  const warm = await uploadFolder(context.world, await digitsData(20), "digits-warm/");
  const body = (folder: string) => ({ input: folder, max_concurrency_per_instance: context.cores });
  context.progress(`digits: batchfn over ${images} images`);
  const measured = await withHost(context, async (host) => {
    await runMeasuredJob(context, host, { endpoint: "digits", body: body(warm) });
    return runMeasuredJob(context, host, {
      endpoint: "digits",
      body: body(input),
      pollMs: 500,
      countRequests: true,
    });
  });
  context.progress("digits: the single-process loop (3 runs)");
  const baselines: Array<z.infer<typeof baselineSchema>> = [];
  for (let run = 0; run < 3; run++) {
    const out = join(repoRoot, "bench", ".data", "out", "digits-baseline.txt");
    baselines.push(await runNodeScript("bench/limits/digits-baseline.ts", [dir, out], baselineSchema));
  }
  const rate = images / measured.seconds;
  const baseline = median(baselines.map((run) => run.images_per_s));
  return {
    images,
    images_per_s: rate,
    baseline_images_per_s: baseline,
    ratio_baseline: rate / baseline,
    seconds: measured.seconds,
    host_cpu_s: measured.usage.hostCpuSeconds,
    azurite_cpu_s: measured.usage.azuriteCpuSeconds,
    load: measured.usage.load,
    cost: itemCost(measured, {
      item: "image",
      items: images,
      baselineCpuSecondsPerItem: median(baselines.map((run) => run.cpu_s / run.images)),
    }),
  };
}

const baselineSchema = z.object({ images: z.number(), images_per_s: z.number(), cpu_s: z.number() });
