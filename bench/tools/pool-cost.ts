import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createScoringPool } from "../../src/scoring/pool/scoring-pool.js";
import type { MiniBatchFile } from "../../src/scoring/runtime.js";
import { taxiData } from "../data/taxi-data.js";
import { taskCpuSeconds, threadsCpuSeconds } from "./task-cpu.js";

/**
 * CPU per row of the scoring pool as the engine uses it on the throughput bench's data, without
 * storage or orchestration: the no-code ONNX runtime in `workers` threads (default 2), mini-batches
 * of 2 files given as bytes, csv output pieces turned into bytes as the stager does, up to 4
 * mini-batches per worker at once (the engine's waves). Process CPU (every thread: the workers,
 * onnxruntime's, this thread's) and this thread's alone, per row, for each of 3 rounds over the
 * 100 files, after a warm-up round. Compare with `runtime-cost.ts` (the runtime alone, one thread):
 * the difference is what the pool adds. Usage:
 *   node --import tsx bench/tools/pool-cost.ts [workers]
 */
const MODEL_DIR = "examples/taxi-tip/model";
const FILES_PER_MINI_BATCH = 2;
const ROUNDS = 3;

async function main(): Promise<void> {
  const workers = Number(process.argv[2] ?? 2);
  const dir = await taxiData({ files: 100, rowsPerFile: 10_000 });
  const names = (await readdir(dir)).filter((name) => name.endsWith(".csv")).sort();
  const bytes = await Promise.all(names.map((name) => readFile(join(dir, name))));
  const pool = createScoringPool({
    runtime: { kind: "onnx", modelDir: MODEL_DIR, outputDir: dir, env: {} },
    workers,
    timeoutSeconds: 300,
    loggingLevel: "info",
    workerMemoryMb: 2048,
  });
  const miniBatches: MiniBatchFile[][] = [];
  for (let i = 0; i < names.length; i += FILES_PER_MINI_BATCH) {
    miniBatches.push(
      names.slice(i, i + FILES_PER_MINI_BATCH).map((name, k) => ({
        path: join(dir, name),
        name,
        rowOffset: 0,
        // a fresh copy per mini-batch, as a download gives
        data: Buffer.from(bytes[i + k] ?? Buffer.alloc(0)),
      })),
    );
  }
  const round = async () => {
    let next = 0;
    let rows = 0;
    let outputBytes = 0;
    const lane = async () => {
      for (let index = next++; index < miniBatches.length; index = next++) {
        const files = (miniBatches[index] ?? []).map((file) => ({
          ...file,
          ...(file.data ? { data: Buffer.from(file.data) } : {}),
        }));
        const output = { format: "csv" as const, perFile: false };
        const scored = await pool.run({ index, attempt: 1, files, output });
        for (const piece of scored.pieces ?? []) {
          const body = typeof piece.content === "string" ? Buffer.from(piece.content, "utf8") : piece.content;
          outputBytes += body.length;
          rows += piece.rows;
        }
      }
    };
    await Promise.all(Array.from({ length: workers * 4 }, lane));
    return { rows, outputBytes };
  };
  await round();
  for (let i = 0; i < ROUNDS; i++) {
    const cpu = process.cpuUsage();
    const main = taskCpuSeconds(process.pid);
    const threads = threadsCpuSeconds();
    const started = performance.now();
    const { rows, outputBytes } = await round();
    const used = process.cpuUsage(cpu);
    const mainUs = ((taskCpuSeconds(process.pid) - main) * 1e6) / rows;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `user ${(used.user / rows).toFixed(3)} sys ${(used.system / rows).toFixed(3)}; ${(((used.user + used.system) / rows).toFixed(3)).padStart(7)} µs CPU/row (main thread ${mainUs.toFixed(3)}), ${Math.round(rows / seconds)} rows/s, ${rows} rows, ${outputBytes} output bytes, ${workers} workers`,
    );
    if (process.env.THREADS) {
      const byName = new Map<string, number>();
      for (const [tid, after] of threadsCpuSeconds()) {
        const spent = after.seconds - (threads.get(tid)?.seconds ?? 0);
        const name = tid === process.pid ? "main" : after.name;
        byName.set(name, (byName.get(name) ?? 0) + spent);
      }
      for (const [name, seconds] of byName)
        if (seconds > 0) console.log(`  ${name}: ${((seconds * 1e6) / rows).toFixed(3)} µs/row`);
    }
  }
  await pool.close();
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
