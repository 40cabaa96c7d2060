import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { startAzurite } from "../../src/storage/embedded-azurite.js";

/**
 * How the in-memory Azurite slows down as it holds more blobs: the mean time of one small blob
 * GET and PUT (sequential, from this process) after 500, 5,500, 15,500 and 25,500 blobs were
 * written (the last 10,000 into another container). Explains why the overhead sweep's 8,000
 * mini-batch job costs more per mini-batch than the 500 one (docs/benchmarks.md). Usage:
 *   node --import tsx bench/tools/azurite-growth.ts
 */
const PROBES = 200;
const PARALLEL_WRITES = 50;

async function main(): Promise<void> {
  const azurite = await startAzurite({ inMemory: true });
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
      const get = await meanMs(PROBES, (i) => probed.getBlockBlobClient(`blob-${i}`).downloadToBuffer());
      const put = await meanMs(PROBES, (i) => probed.getBlockBlobClient(`probe-${step}-${i}`).upload("y", 1));
      console.log(
        `${String(written).padStart(6)} blobs held: GET ${get.toFixed(2)} ms, PUT ${put.toFixed(2)} ms`,
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
  }
}

async function meanMs(count: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await call(i);
  return (performance.now() - started) / count;
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
