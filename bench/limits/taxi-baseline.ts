import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { TAXI_MODEL } from "./taxi-model.js";

/**
 * The naive baseline of the throughput bench, run in a process of its own:
 *   node --import tsx bench/limits/taxi-baseline.ts <folder of CSV files> <output CSV>
 * What one would write without batchfn: one process, a loop over the files that reads each one,
 * splits it into lines and fields, scores it with onnxruntime-node (default session options) and
 * appends `row,prediction,file_name` lines to one output CSV. Prints JSON with its rows per second
 * and the CPU seconds it used (all its threads) meanwhile.
 */
async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? "");
  const output = resolve(process.argv[3] ?? "");
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const session = await InferenceSession.create(resolve(TAXI_MODEL));
  await mkdir(dirname(output), { recursive: true });
  const out = createWriteStream(output);
  out.write("row,prediction,file_name\n");
  let rows = 0;
  for (const name of (await readdir(dir)).filter((file) => file.endsWith(".csv")).sort()) {
    const lines = (await readFile(join(dir, name), "utf8")).trim().split("\n");
    const header = (lines.shift() ?? "").split(",");
    const n = lines.length;
    const columns = header.map(() => new Float64Array(n));
    lines.forEach((line, row) => {
      line.split(",").forEach((cell, c) => {
        const column = columns[c];
        if (column) column[row] = Number(cell);
      });
    });
    const feeds: Record<string, Tensor> = {};
    header.forEach((column, c) => {
      const values = columns[c] ?? new Float64Array(n);
      const input = session.inputMetadata.find((meta) => meta.name === column);
      feeds[column] =
        input?.isTensor && input.type === "int64"
          ? new Tensor(
              "int64",
              BigInt64Array.from(values, (v) => BigInt(v)),
              [n, 1],
            )
          : new Tensor("float64", values, [n, 1]);
    });
    const predictions = Object.values(await session.run(feeds))[0]?.data;
    if (!(predictions instanceof Float64Array)) throw new Error("the taxi model returns float64 predictions");
    let text = "";
    for (let row = 0; row < n; row++) text += `${row},${predictions[row]},${name}\n`;
    if (!out.write(text)) await new Promise<void>((drained) => out.once("drain", () => drained()));
    rows += n;
  }
  await new Promise<void>((done, failed) =>
    out.end((thrown?: Error | null) => (thrown ? failed(thrown) : done())),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ rows, seconds, rows_per_s: rows / seconds, cpu_s }));
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
