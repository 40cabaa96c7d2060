import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InferenceSession, type Tensor } from "onnxruntime-node";
import { readTable } from "../../src/io/tabular/read-table.js";
import { createOnnxRuntime } from "../../src/scoring/onnx/onnx-runtime.js";
import type { MiniBatchFile, ScoringContext } from "../../src/scoring/runtime.js";
import { taxiData } from "../data/taxi-data.js";
import { predict, predictionLines, TAXI_MODEL, taxiFeeds } from "../limits/taxi-model.js";

/**
 * CPU per row of scoring alone, in this thread (CPU time, not wall time, so other work on the
 * machine changes it little), over 20 of the throughput bench's files: batchfn's no-code ONNX
 * runtime (parse, tensors, model, csv output text), given each file as a local path and as bytes in
 * memory (its output as text, and as the bytes a scoring worker asks for), and its CSV reading alone; against the limit's pipeline (parse, tensors, model, text of
 * text already in memory). Best of 5 rounds each (the first warms the JIT up). Usage:
 *   node --import tsx bench/tools/runtime-cost.ts
 */
const MODEL_DIR = "examples/taxi-tip/model";
const FILES = 20;
const ROUNDS = 5;

async function main(): Promise<void> {
  const dir = await taxiData({ files: 100, rowsPerFile: 10_000 });
  const names = (await readdir(dir))
    .filter((name) => name.endsWith(".csv"))
    .sort()
    .slice(0, FILES);
  const bytes = await Promise.all(names.map((name) => readFile(join(dir, name))));
  const texts = bytes.map((data) => data.toString("utf8"));
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
  const files = (inMemory: boolean): MiniBatchFile[] =>
    names.map((name, i) => ({
      path: join(dir, name),
      name,
      rowOffset: 0,
      ...(inMemory ? { data: bytes[i] } : {}),
    }));
  const runtimeRound =
    (inMemory: boolean, asBytes = false) =>
    async () => {
      let rows = 0;
      for (const [index, file] of files(inMemory).entries()) {
        const output = { format: "csv" as const, perFile: false, bytes: asBytes };
        const result = await runtime.run({ index, attempt: 1, files: [file], output });
        rows += result.pieces?.reduce((sum, piece) => sum + piece.rows, 0) ?? 0;
      }
      return rows;
    };
  await report("batchfn runtime, files on disk", runtimeRound(false));
  await report("batchfn runtime, bytes in memory", runtimeRound(true));
  await report(
    "batchfn runtime, bytes in memory, output as bytes (as a worker asks)",
    runtimeRound(true, true),
  );
  await report("batchfn CSV reading alone (bytes → table)", async () => {
    let rows = 0;
    for (const [i, name] of names.entries()) rows += (await readTable(name, { bytes: bytes[i] })).rowCount;
    return rows;
  });
  await runtime.shutdown();
  const session = await InferenceSession.create(TAXI_MODEL, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  await report("limit pipeline (text → table → tensors → model → text)", async () => {
    let rows = 0;
    for (const [i, text] of texts.entries()) {
      const parsed = taxiFeeds(text, names[i] ?? "");
      predictionLines(await predict(session, parsed.feeds), names[i] ?? "");
      rows += parsed.rows;
    }
    return rows;
  });
  const feeds: Array<Record<string, Tensor>> = texts.map((text, i) => taxiFeeds(text, names[i] ?? "").feeds);
  await report("the model alone (tensors ready)", async () => {
    let rows = 0;
    for (const feed of feeds) rows += (await predict(session, feed)).length;
    return rows;
  });
  await session.release();
}

/** Runs `round` ROUNDS times and prints the best CPU µs per row (process CPU: all threads). */
async function report(label: string, round: () => Promise<number>): Promise<void> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ROUNDS; i++) {
    const before = process.cpuUsage();
    const rows = await round();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / rows);
  }
  console.log(`${best.toFixed(3).padStart(7)} µs CPU/row  ${label}`);
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
