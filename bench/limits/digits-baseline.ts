import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { init, run, shutdown } from "../../examples/digits/code/digit-identification.js";

/**
 * The single-process baseline of the digits bench, run in a process of its own:
 *   node --import tsx bench/limits/digits-baseline.ts <folder of PNG files> <output file>
 * The example's own scoring script (same model, same decoding), called in a plain loop over the
 * images in groups of 10 (the deployment's mini_batch_size), one thread, writing one output file.
 * Prints JSON with its images per second and the CPU seconds it used meanwhile.
 */
const MINI_BATCH = 10;

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? "");
  const output = resolve(process.argv[3] ?? "");
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const files = (await readdir(dir))
    .filter((name) => name.endsWith(".png"))
    .sort()
    .map((name) => join(dir, name));
  const quiet = () => undefined;
  const logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const context = {
    modelDir: resolve("examples/digits/model"),
    outputDir: dirname(output),
    logger,
    env: {},
    inputs: {},
    outputs: {},
  };
  await init(context);
  const rows: string[] = [];
  for (let at = 0; at < files.length; at += MINI_BATCH) {
    rows.push(...(await run(files.slice(at, at + MINI_BATCH), context)));
  }
  await shutdown();
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, `${rows.join("\n")}\n`);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({ images: rows.length, seconds, images_per_s: rows.length / seconds, cpu_s }));
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
