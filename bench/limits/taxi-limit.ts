import { readdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { workerFile } from "../../src/scoring/worker-file.js";
import { TAXI_MODEL } from "./taxi-model.js";

/**
 * The limit of the throughput bench, run in a process of its own:
 *   node --import tsx bench/limits/taxi-limit.ts <folder of CSV files>
 * Every core gets a thread holding its share of the files in memory (read before the clock starts);
 * the clock then measures (a) `pipeline`: parse with batchfn's CSV reader → tensors → the ONNX model
 * (one onnxruntime thread per core) → output text, the work no batch scorer can avoid; (b)
 * `inference`: the model alone over tensors built beforehand. Best of 3 runs of each; prints JSON.
 */
const answerSchema = z.object({ rows: z.number(), bytes: z.number() });

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? "");
  const files = (await readdir(dir))
    .filter((name) => name.endsWith(".csv"))
    .sort()
    .map((name) => join(dir, name));
  const threads = availableParallelism();
  const file = workerFile(import.meta.url, "taxi-limit-worker");
  const workers = Array.from({ length: threads }, (_, t) => {
    const share = files.filter((_, i) => i % threads === t);
    return new Worker(file.filename, {
      execArgv: file.execArgv,
      workerData: { files: share, modelPath: resolve(TAXI_MODEL) },
    });
  });
  await Promise.all(workers.map((worker) => next(worker)));
  const best = async (kind: "pipeline" | "inference") => {
    let rowsPerSecond = 0;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const answers = await Promise.all(
        workers.map((worker) => {
          const answer = next(worker);
          worker.postMessage({ kind });
          return answer;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const rows = answers.reduce<number>((sum, answer) => sum + answerSchema.parse(answer).rows, 0);
      rowsPerSecond = Math.max(rowsPerSecond, rows / seconds);
    }
    return rowsPerSecond;
  };
  const pipeline = await best("pipeline");
  const inference = await best("inference");
  await Promise.all(workers.map((worker) => worker.terminate()));
  console.log(JSON.stringify({ threads, pipeline_rows_per_s: pipeline, inference_rows_per_s: inference }));
}

function next(worker: Worker): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    worker.once("message", resolvePromise);
    worker.once("error", reject);
  });
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
