import { BlobServiceClient } from "@azure/storage-blob";
import { createBlobAccess } from "../../src/io/inputs/blob-access.js";
import { getWholeBlob } from "../../src/io/inputs/blob-get.js";
import { fetchItemBytes } from "../../src/io/inputs/download-item.js";
import type { InputRoot } from "../../src/io/inputs/resolved-input.js";
import { createStorageClients } from "../../src/storage/clients.js";
import { startAzurite } from "../../src/storage/embedded-azurite.js";
import { childPids, commandLine, cpuSeconds } from "../harness/process-cpu.js";

/**
 * The caller's CPU of reading one small blob (an 8×8 PNG's size), as the digits scenario reads
 * each image: the Azure SDK's `download` (what `fetchItemBytes` did before) against the plain
 * signed GET of src/io/inputs/blob-get.ts, and `fetchItemBytes` itself (the app's path: the
 * input's checks, then the plain GET), sequential, this process's CPU (user + system) and
 * Azurite's. Rounds alternate, so load from other work weighs on each alike. Usage:
 *   node --import tsx bench/tools/blob-get-cost.ts
 */
const BLOBS = 500;
const ROUNDS = 3;

async function main(): Promise<void> {
  const before = new Set(childPids(process.pid));
  const azurite = await startAzurite({ inMemory: true });
  const pid = childPids(process.pid).find(
    (child) => !before.has(child) && commandLine(child).includes("azurite"),
  );
  try {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const container = service.getContainerClient("images");
    await container.create();
    const png = Buffer.alloc(90, 7);
    const etags: string[] = [];
    for (let i = 0; i < BLOBS; i++) {
      etags.push((await container.getBlockBlobClient(`d/${i}.png`).upload(png, png.length)).etag ?? "");
    }
    const access = createBlobAccess({
      clients: createStorageClients({ kind: "connectionString", connectionString: azurite.connectionString }),
    });
    const root: InputRoot = { kind: "blob", store: { kind: "app" }, container: "images", prefix: "d/" };
    const ways: Record<string, (i: number) => Promise<unknown>> = {
      "SDK download": async (i) => {
        const response = await container.getBlobClient(`d/${i}.png`).download(0, undefined, {
          conditions: { ifMatch: etags[i] },
        });
        for await (const chunk of response.readableStreamBody ?? []) void chunk;
      },
      "plain GET": (i) => getWholeBlob(container, `d/${i}.png`, { ifMatch: etags[i] }),
      fetchItemBytes: (i) => fetchItemBytes({ root, item: { name: `${i}.png`, etag: etags[i] }, access }),
    };
    const totals = new Map<string, { cpu: number; azurite: number; wall: number }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call] of Object.entries(ways)) {
        const azurite0 = pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
        const cpu0 = process.cpuUsage();
        const started = performance.now();
        for (let i = 0; i < BLOBS; i++) await call(i);
        const wall = performance.now() - started;
        const cpu = process.cpuUsage(cpu0);
        const azurite1 = pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN);
        const total = totals.get(name) ?? { cpu: 0, azurite: 0, wall: 0 };
        total.cpu += (cpu.user + cpu.system) / 1000;
        total.azurite += (azurite1 - azurite0) * 1000;
        total.wall += wall;
        totals.set(name, total);
      }
    }
    const n = BLOBS * ROUNDS;
    for (const [name, total] of totals) {
      console.log(
        `${name.padEnd(16)} caller ${(total.cpu / n).toFixed(3)} ms CPU, Azurite ${(total.azurite / n).toFixed(3)} ms, wall ${(total.wall / n).toFixed(3)} ms per GET`,
      );
    }
    console.log(
      `load average ${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((thrown: unknown) => {
  console.error(thrown);
  process.exit(1);
});
