import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { startAzurite } from "../../src/storage/embedded-azurite.js";
import { childPids, commandLine, cpuSeconds } from "../harness/process-cpu.js";

/**
 * How Azurite slows down as it holds more blobs: Azurite's CPU (and the wall time) of one small
 * blob GET and PUT (sequential, from this process) after 500, 5,500, 15,500 and 25,500 blobs were
 * written (the last 10,000 into another container). Explains why the overhead sweep's 8,000
 * mini-batch job costs more per mini-batch than the 500 one (docs/benchmarks.md). In memory, as
 * the bench runs it, or with `--on-disk` (data in a temporary folder). Usage:
 *   node --import tsx bench/tools/azurite-growth.ts [--on-disk]
 */
const PROBES = 200;
const PARALLEL_WRITES = 50;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "on-disk": { type: "boolean", default: false } } });
  const location = values["on-disk"] ? await mkdtemp(join(tmpdir(), "batchfn-azurite-growth-")) : undefined;
  const before = new Set(childPids(process.pid));
  const azurite = await startAzurite(location ? { location } : { inMemory: true });
  const pid = childPids(process.pid).find(
    (child) => !before.has(child) && commandLine(child).includes("azurite"),
  );
  console.log(`Azurite ${location ? `on disk (${location})` : "in memory"}`);
  try {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const probed = service.getContainerClient("probed");
    const other = service.getContainerClient("other");
    await Promise.all([probed.create(), other.create()]);
    let written = 0;
    const fill = async (container: ContainerClient, count: number) => {
      for (let at = 0; at < count; at += PARALLEL_WRITES) {
        await Promise.all(
          Array.from({ length: PARALLEL_WRITES }, () =>
            container.getBlockBlobClient(`blob-${written++}`).upload("x", 1),
          ),
        );
      }
    };
    const probe = async (step: number) => {
      const get = await measure(pid, (i) => probed.getBlockBlobClient(`blob-${i}`).downloadToBuffer(0, 1));
      const put = await measure(pid, (i) => probed.getBlockBlobClient(`probe-${step}-${i}`).upload("y", 1));
      console.log(
        `${String(written).padStart(6)} blobs held: GET ${get.azuriteCpuMs.toFixed(2)} ms Azurite CPU (${get.wallMs.toFixed(2)} ms wall), PUT ${put.azuriteCpuMs.toFixed(2)} ms (${put.wallMs.toFixed(2)} ms wall)`,
      );
    };
    await fill(probed, 500);
    await probe(1);
    await fill(probed, 5_000);
    await probe(2);
    await fill(probed, 10_000);
    await probe(3);
    await fill(other, 10_000);
    await probe(4);
  } finally {
    await azurite.stop();
    if (location) await rm(location, { recursive: true, force: true });
  }
}

/** Azurite's CPU and the wall time of one call, on average over PROBES sequential calls. */
async function measure(
  pid: number | undefined,
  call: (index: number) => Promise<unknown>,
): Promise<{ azuriteCpuMs: number; wallMs: number }> {
  const cpu0 = pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
  const started = performance.now();
  for (let i = 0; i < PROBES; i++) await call(i);
  const wallMs = (performance.now() - started) / PROBES;
  const cpu1 = pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
  return { azuriteCpuMs: ((cpu1 - cpu0) * 1000) / PROBES, wallMs };
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
