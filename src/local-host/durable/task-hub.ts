import { z } from "zod";
import { errors } from "../../errors.js";
import type { StorageClients } from "../../storage/clients.js";

/**
 * Where one task hub keeps its state in the storage account. Every name carries the hub name and the
 * word `local`, so several hubs (and tests) share one Azurite, and the real Durable extension's
 * resources for the same hub (`<hub>Instances`, `<hub>-workitems`...) are never touched.
 */
export interface TaskHubNames {
  hub: string;
  /** Table of instance summaries, one row per instance (PartitionKey = encoded instance id). */
  instancesTable: string;
  /** Queue of orchestration messages: starts, completions, timers, events, terminate/suspend/resume. */
  controlQueue: string;
  /** Container of instance records (`instances/`), spilled large messages (`large/`) and the hub lease. */
  stateContainer: string;
}

const hubNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/, "must be 3-45 letters and digits, starting with a letter");

/** Validates a task hub name (the rules of the Durable extension) and derives its resource names. */
export function taskHubNames(hub: string): TaskHubNames {
  const parsed = hubNameSchema.safeParse(hub);
  if (!parsed.success) {
    const message = `Task hub name '${hub}' ${parsed.error.issues[0]?.message ?? "is invalid"}`;
    throw errors.invalidConfig(message, [{ path: "durableTask.hubName", message }]);
  }
  const lower = hub.toLowerCase();
  return {
    hub,
    instancesTable: `${hub}LocalInstances`,
    controlQueue: `${lower}-local-control`,
    stateContainer: `${lower}-local-state`,
  };
}

/** Creates the hub's table, queue and container when they do not exist yet. */
export async function ensureTaskHub(clients: StorageClients, names: TaskHubNames): Promise<void> {
  await Promise.all([
    clients.table(names.instancesTable).createTable(),
    clients.queue.getQueueClient(names.controlQueue).createIfNotExists(),
    clients.blob.getContainerClient(names.stateContainer).createIfNotExists(),
  ]);
}

/**
 * An instance id as a table key or blob name segment: keys may not hold `/ \ # ?` or control
 * characters; percent-encoding keeps prefixes (encode(a + b) = encode(a) + encode(b)).
 */
export function encodeInstanceId(instanceId: string): string {
  return encodeURIComponent(instanceId).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

/** The inverse of {@link encodeInstanceId}. */
export function decodeInstanceId(key: string): string {
  return decodeURIComponent(key);
}
