import { cpuSeconds } from "../harness/process-cpu.js";
import type { BenchContext } from "./bench-context.js";

/** CPU one storage request costs on this machine: in the calling process (Azure SDK) and in Azurite. */
export interface RequestCost {
  client_cpu_ms: number;
  azurite_cpu_ms: number;
  wall_ms: number;
}

export type StorageProbeResult = Record<
  "queue_send" | "queue_receive" | "queue_delete" | "blob_put" | "table_upsert",
  RequestCost
>;

/**
 * Times the storage calls a mini-batch is made of, one after another, from the bench process with
 * the same SDK clients the app uses: what one round trip costs the caller and Azurite. Multiplied by
 * the requests per mini-batch, it is the floor of the engine's overhead on this machine.
 */
export async function storageProbe(context: BenchContext): Promise<StorageProbeResult> {
  const n = context.quick ? 50 : 300;
  const { world } = context;
  const queue = world.clients.queue.getQueueClient(`${world.config.tablePrefix.toLowerCase()}-probe`);
  await queue.createIfNotExists();
  const table = world.clients.table(`${world.config.tablePrefix}Probe`);
  await table.createTable();
  const message = JSON.stringify({ v: 1, body: { instanceId: "probe", taskId: 1, name: "scoreMiniBatch" } });
  const record = Buffer.from(JSON.stringify({ index: 1, attempt: 1, status: "succeeded", rows: 1 }));
  const received: Array<{ messageId: string; popReceipt: string }> = [];
  const measure = async (call: (i: number) => Promise<unknown>): Promise<RequestCost> => {
    const azurite0 = world.azuritePid === undefined ? undefined : cpuSeconds(world.azuritePid);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < n; i++) await call(i);
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const azurite1 = world.azuritePid === undefined ? undefined : cpuSeconds(world.azuritePid);
    return {
      client_cpu_ms: (cpu.user + cpu.system) / 1000 / n,
      azurite_cpu_ms:
        azurite0 === undefined || azurite1 === undefined ? Number.NaN : ((azurite1 - azurite0) * 1000) / n,
      wall_ms: wall / n,
    };
  };
  context.progress(`storage: the cost of one request (${n} of each kind)`);
  const result = {
    queue_send: await measure(() => queue.sendMessage(message)),
    queue_receive: await measure(async () => {
      received.push(...(await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems);
    }),
    queue_delete: await measure(async (i) => {
      const item = received[i];
      if (item) await queue.deleteMessage(item.messageId, item.popReceipt);
    }),
    blob_put: await measure((i) =>
      world.jobs.getBlockBlobClient(`probe/${i}.json`).upload(record, record.length),
    ),
    table_upsert: await measure((i) =>
      table.upsertEntity({ partitionKey: `p${i % 8}`, rowKey: "", status: "Running", version: i }, "Replace"),
    ),
  };
  await queue.delete();
  await table.deleteTable();
  return result;
}

/** The mean cost of one request over the kinds probed. */
export function meanRequestCost(probe: StorageProbeResult): RequestCost {
  const costs = Object.values(probe);
  const mean = (pick: (cost: RequestCost) => number) =>
    costs.reduce((sum, cost) => sum + pick(cost), 0) / costs.length;
  return {
    client_cpu_ms: mean((cost) => cost.client_cpu_ms),
    azurite_cpu_ms: mean((cost) => cost.azurite_cpu_ms),
    wall_ms: mean((cost) => cost.wall_ms),
  };
}
