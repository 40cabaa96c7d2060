import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { diabetesData } from "../data/diabetes-data.js";
import { digitsData } from "../data/digits-data.js";
import { registerFiles, uploadFolder } from "../harness/bench-world.js";
import { repoRoot } from "../harness/host-process.js";
import { type BenchContext, median, withHost } from "./bench-context.js";
import { type ItemCost, itemCost } from "./item-cost.js";
import { type MeasuredJob, runMeasuredJob } from "./measured-job.js";

const run = promisify(execFile);
const EXAMPLES = join(repoRoot, "examples");

/** One Python workload: batchfn against a plain single-process Python loop over the same local files. */
export interface PythonWorkload {
  items: number;
  items_per_s: number;
  baseline_items_per_s: number;
  ratio_baseline: number;
  seconds: number;
  /** Cost per item (the host's CPU includes its Python processes), with the plain loop's CPU per item. */
  cost: ItemCost;
}

export interface PythonResult {
  /** The sklearn-diabetes no-code MLflow model over CSV files; items are rows. */
  sklearn: PythonWorkload & { files: number };
  /** The digits-python scoring script over PNG images; items are images. */
  digits: PythonWorkload;
  interpreter: string;
}

/**
 * The Python runtime: the sklearn-diabetes example (a no-code MLflow scikit-learn model, scored by
 * the built-in driver in the Python pool) over 40 CSV files of 5,000 rows (quick: 2 of 100), and
 * the digits-python example (a Python scoring script) over 4,000 generated images (quick: 40), each
 * with one Python process per core, against a plain single-process Python loop over the same
 * local files with the same model (bench/limits/python_loops.py, median of 3).
 */
export async function pythonBench(context: BenchContext): Promise<PythonResult> {
  const interpreter = process.env.BATCHFN_PYTHON || "python3";
  const [files, rows] = context.quick ? [2, 100] : [40, 5_000];
  const images = context.quick ? 40 : 4_000;
  for (const example of ["sklearn-diabetes", "digits-python"]) {
    await registerFiles(context.world, {
      endpoint: join(EXAMPLES, example, "endpoint.yml"),
      deployment: join(EXAMPLES, example, "deployment.yml"),
    });
  }
  const tabular = await diabetesData(files, rows);
  const pictures = await digitsData(images);
  const tabularInput = await uploadFolder(context.world, tabular, `diabetes-${files}x${rows}/`);
  const picturesInput = await uploadFolder(context.world, pictures, `digits-${images}/`);
  const warmTabular = await uploadFolder(context.world, await diabetesData(2, 50), "diabetes-warm/");
  const warmPictures = await uploadFolder(context.world, await digitsData(20), "digits-warm/");
  const body = (input: string) => ({ input, max_concurrency_per_instance: context.cores });
  context.progress(`python: batchfn over ${files * rows} rows in ${files} CSV files, then ${images} images`);
  const [sklearnJob, digitsJob] = await withHost(context, async (host) => {
    await runMeasuredJob(context, host, { endpoint: "sklearn-diabetes", body: body(warmTabular) });
    const sklearn = await runMeasuredJob(context, host, {
      endpoint: "sklearn-diabetes",
      body: body(tabularInput),
      pollMs: 500,
      countRequests: true,
    });
    await runMeasuredJob(context, host, { endpoint: "digits-python", body: body(warmPictures) });
    const digits = await runMeasuredJob(context, host, {
      endpoint: "digits-python",
      body: body(picturesInput),
      pollMs: 500,
      countRequests: true,
    });
    return [sklearn, digits] as const;
  });
  context.progress("python: the single-process loops (3 runs each)");
  const loop = async (kind: string, dir: string, model: string) => {
    const runs: Array<z.infer<typeof baselineSchema>> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const out = join(repoRoot, "bench", ".data", "out", `python-${kind}-baseline.txt`);
      const { stdout } = await run(interpreter, [
        join(repoRoot, "bench", "limits", "python_loops.py"),
        kind,
        dir,
        model,
        out,
      ]);
      runs.push(baselineSchema.parse(JSON.parse(stdout.trim().split("\n").at(-1) ?? "")));
    }
    return {
      itemsPerSecond: median(runs.map((run) => run.items_per_s)),
      cpuSecondsPerItem: median(runs.map((run) => run.cpu_s / run.items)),
    };
  };
  const workload = (
    item: string,
    items: number,
    job: MeasuredJob,
    baseline: { itemsPerSecond: number; cpuSecondsPerItem: number },
  ): PythonWorkload => ({
    items,
    items_per_s: items / job.seconds,
    baseline_items_per_s: baseline.itemsPerSecond,
    ratio_baseline: items / job.seconds / baseline.itemsPerSecond,
    seconds: job.seconds,
    cost: itemCost(job, { item, items, baselineCpuSecondsPerItem: baseline.cpuSecondsPerItem }),
  });
  const sklearnBaseline = await loop("sklearn", tabular, join(EXAMPLES, "sklearn-diabetes", "model"));
  const digitsBaseline = await loop("digits", pictures, join(EXAMPLES, "digits-python", "model"));
  return {
    sklearn: { ...workload("row", files * rows, sklearnJob, sklearnBaseline), files },
    digits: workload("image", images, digitsJob, digitsBaseline),
    interpreter,
  };
}

const baselineSchema = z.object({ items: z.number(), items_per_s: z.number(), cpu_s: z.number() });
