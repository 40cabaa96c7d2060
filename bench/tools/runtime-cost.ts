import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InferenceSession } from "onnxruntime-node";
import { createOnnxRuntime } from "../../src/scoring/onnx/onnx-runtime.js";
import type { ScoringContext } from "../../src/scoring/runtime.js";
import { taxiData } from "../data/taxi-data.js";
import { predict, predictionLines, TAXI_MODEL, taxiFeeds } from "../limits/taxi-model.js";

/**
 * CPU per row of scoring alone, in this thread, over 20 of the throughput bench's files: batchfn's
 * no-code ONNX runtime (read the file, parse, tensors, model, csv output text) against the limit's
 * pipeline (parse, tensors, model, text of text already in memory). Three rounds each; the first
 * includes the JIT's warm-up. Usage:
 *   node --import tsx bench/tools/runtime-cost.ts
 */
const MODEL_DIR = "examples/taxi-tip/model";
const FILES = 20;

async function main(): Promise<void> {
  const dir = await taxiData({ files: 100, rowsPerFile: 10_000 });
  const files = (await readdir(dir))
    .filter((name) => name.endsWith(".csv"))
    .sort()
    .slice(0, FILES);
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const context: ScoringContext = {
    modelDir: MODEL_DIR,
    outputDir: dir,
    logger,
    env: {},
    inputs: {},
    outputs: {},
  };
  const runtime = await createOnnxRuntime(
    { kind: "onnx", modelDir: MODEL_DIR, outputDir: dir, env: {} },
    context,
  );
  for (let round = 1; round <= 3; round++) {
    let rows = 0;
    const started = performance.now();
    for (const [index, name] of files.entries()) {
      const file = { path: join(dir, name), name, rowOffset: 0 };
      const result = await runtime.run({ index, attempt: 1, files: [file], outputFormat: "csv" });
      rows += result.formatted?.rows ?? 0;
    }
    console.log(`round ${round}: batchfn runtime ${usPerRow(started, rows)} µs/row`);
  }
  await runtime.shutdown();
  const session = await InferenceSession.create(TAXI_MODEL, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const texts = await Promise.all(files.map((name) => readFile(join(dir, name), "utf8")));
  for (let round = 1; round <= 3; round++) {
    let rows = 0;
    const started = performance.now();
    for (const [i, text] of texts.entries()) {
      const parsed = taxiFeeds(text, files[i] ?? "");
      predictionLines(await predict(session, parsed.feeds), files[i] ?? "");
      rows += parsed.rows;
    }
    console.log(`round ${round}: limit pipeline ${usPerRow(started, rows)} µs/row`);
  }
  await session.release();
}

function usPerRow(started: number, rows: number): string {
  return (((performance.now() - started) * 1000) / rows).toFixed(2);
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
